import { Arg, ID, Resolver, Root, Subscription, type ResolverData } from "type-graphql";
import type { AccountEvent, MailboxEvent, Watch } from "../../core/index.js";
import type { GraphQLContext } from "../context.js";
import { parseState } from "../mappers.js";
import { AccountChange, MailboxChange, MailboxEventKind } from "../types/objects.js";

// Subscriptions are thin mappings over core.watch, which replays, dedupes, goes live and ends on logout.

function watchMailbox({
  args,
  context,
}: ResolverData<GraphQLContext>): Promise<AsyncIterable<MailboxChange>> {
  return context.core.watch
    .mailbox(context.principal, args.mailboxId as string, {
      sinceState: args.sinceState == null ? undefined : parseState(args.sinceState as string),
      token: context.token,
    })
    .then((watch) => mapWatch(watch, toChange));
}

function watchAccount({ context }: ResolverData<GraphQLContext>): Promise<AsyncIterable<AccountEvent>> {
  return context.core.watch.account(context.principal, { token: context.token });
}

/** The watch's values mapped one by one; ending the mapped stream ends the watch. */
function mapWatch<T, U>(watch: Watch<T>, map: (value: T) => U): AsyncIterableIterator<U> {
  return {
    async next() {
      const r = await watch.next();
      return r.done ? { value: undefined, done: true } : { value: map(r.value), done: false };
    },
    return: async () => {
      await watch.return();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

const KIND_OF: Record<MailboxEvent["kind"], MailboxEventKind> = {
  exists: MailboxEventKind.NEW,
  expunge: MailboxEventKind.EXPUNGED,
  flags: MailboxEventKind.FLAGS,
  "mailbox-create": MailboxEventKind.MAILBOX,
  "mailbox-update": MailboxEventKind.MAILBOX,
  "mailbox-delete": MailboxEventKind.MAILBOX,
};

function toChange(e: MailboxEvent): MailboxChange {
  return {
    type: KIND_OF[e.kind],
    mailboxId: e.mailboxId,
    messageId: e.messageId,
    uid: e.uid,
    modseq: e.modseq,
    flags: e.flags,
  };
}

@Resolver()
export class SubscriptionResolver {
  @Subscription(() => MailboxChange, {
    subscribe: watchMailbox as never,
    description:
      "Changes in one mailbox (new, flags, expunged, mailbox), in modseq order. Give sinceState to replay what you missed first.",
  })
  mailboxChanged(
    @Root() change: MailboxChange,
    @Arg("mailboxId", () => ID) _mailboxId: string,
    @Arg("sinceState", () => String, { nullable: true }) _sinceState?: string,
  ): MailboxChange {
    return change;
  }

  @Subscription(() => AccountChange, {
    subscribe: watchAccount as never,
    description: "Counters of changed mailboxes and the account's new state.",
  })
  accountChanged(@Root() e: AccountEvent): AccountChange {
    return { state: String(e.state), storageUsed: e.storageUsed, mailboxes: e.mailboxes };
  }
}

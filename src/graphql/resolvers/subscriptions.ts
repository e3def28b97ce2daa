import { Arg, ID, Resolver, Root, Subscription, type ResolverData } from "type-graphql";
import type { AccountEvent, MailboxEvent } from "../../core/index.js";
import type { JournalEntry } from "../../storage/ports.js";
import type { GraphQLContext } from "../context.js";
import { EventQueue } from "../event-queue.js";
import { parseState } from "../mappers.js";
import { AccountChange, MailboxChange, MailboxEventKind } from "../types/objects.js";

const KIND_OF_ENTRY: Record<JournalEntry["kind"], MailboxEventKind> = {
  exists: MailboxEventKind.NEW,
  expunge: MailboxEventKind.EXPUNGED,
  flags: MailboxEventKind.FLAGS,
  "mailbox-create": MailboxEventKind.MAILBOX,
  "mailbox-update": MailboxEventKind.MAILBOX,
  "mailbox-delete": MailboxEventKind.MAILBOX,
};

/**
 * Watches one mailbox. With `sinceState`, first replays the journal after that state, then goes live;
 * the bus subscription is taken before the journal is read, so nothing falls between the two.
 */
async function watchMailbox({
  args,
  context,
}: ResolverData<GraphQLContext>): Promise<AsyncIterable<MailboxChange>> {
  const { core, principal } = context;
  const box = await core.mailboxes.get(principal, args.mailboxId as string);
  const queue = new EventQueue<MailboxChange>();
  const live: MailboxEvent[] = [];
  let replaying = args.sinceState != null;
  const replayed = new Set<string>();
  const unsubscribe = await core.events.subscribeMailbox(box.id, (e) => {
    if (replaying) live.push(e);
    else if (!replayed.has(eventKey(e))) queue.push(toChange(e));
  });
  queue.onClose(unsubscribe);
  await endOnRevocation(context, box.userId, queue);
  if (!replaying) return queue;
  try {
    const entries = await core.changes.mailboxSince(principal, box.id, parseState(args.sinceState as string));
    for (const entry of entries) {
      const change: MailboxChange = {
        type: KIND_OF_ENTRY[entry.kind],
        mailboxId: entry.mailboxId,
        messageId: entry.messageId,
        uid: entry.uid,
        modseq: entry.modseq,
        flags: null,
      };
      replayed.add(eventKey(change));
      queue.push(change);
    }
  } catch (err) {
    await queue.return();
    throw err;
  }
  replaying = false;
  for (const e of live) if (!replayed.has(eventKey(e))) queue.push(toChange(e));
  return queue;
}

/** Journal entries and bus events name the same change by kind and modseq. */
function eventKey(e: { type: string; modseq: number }): string {
  return `${e.type}:${e.modseq}`;
}

async function watchAccount({ context }: ResolverData<GraphQLContext>): Promise<AsyncIterable<AccountEvent>> {
  const user = await context.core.users.get(context.principal);
  const queue = new EventQueue<AccountEvent>();
  queue.onClose(await context.core.events.subscribeAccount(user.id, (e) => queue.push(e)));
  await endOnRevocation(context, user.id, queue);
  return queue;
}

/** Ends the subscription when its token is revoked (logout) or the account is disabled or deleted. */
async function endOnRevocation<T>(
  context: GraphQLContext,
  userId: string,
  queue: EventQueue<T>,
): Promise<void> {
  if (context.principal.kind !== "user") return;
  const unsubscribe = await context.core.events.subscribeRevocations(userId, (e) => {
    if (context.core.auth.isRevoked(context.token, e)) void queue.return();
  });
  queue.onClose(unsubscribe);
}

function toChange(e: MailboxEvent): MailboxChange {
  return {
    type: e.type as MailboxEventKind,
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

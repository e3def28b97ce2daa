import { Arg, Ctx, ID, Int, Query, Resolver, Root, Subscription, type ResolverData } from "type-graphql";
import { invalidInput, type OutboxEntry as CoreOutboxEntry } from "../../core/index.js";
import type { GraphQLContext } from "../context.js";
import { OutboxConnection, OutboxEntry, OutboxRecipientState, OutboxState } from "../types/outbox.js";

/** The outbound queue: a user its own entries, the admin a named user's. */
@Resolver()
export class OutboxResolver {
  @Query(() => OutboxConnection, {
    description:
      "What the account sent, newest first, optionally only in some states (the admin names the user).",
  })
  async outbox(
    @Arg("states", () => [OutboxState], { nullable: true }) states: OutboxState[] | undefined,
    @Arg("first", () => Int, { defaultValue: 50 }) first: number,
    @Arg("after", () => String, { nullable: true }) after: string | undefined,
    @Arg("userId", () => ID, { nullable: true }) userId: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<OutboxConnection> {
    // One more than asked says whether there is a next page.
    const entries = await ctx.core.outbox.list(
      ctx.principal,
      { states: states ?? undefined, first: first + 1, after: decodeOutboxCursor(after) },
      userId ?? undefined,
    );
    const edges = entries
      .slice(0, first)
      .map((e) => ({ node: toOutboxEntry(e), cursor: encodeOutboxCursor(e.id) }));
    return {
      edges,
      pageInfo: { hasNextPage: entries.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  @Query(() => OutboxEntry, { description: "One entry of the outbound queue by its queue id." })
  async outboxEntry(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<OutboxEntry> {
    return toOutboxEntry(await ctx.core.outbox.get(ctx.principal, id));
  }

  @Subscription(() => OutboxEntry, {
    subscribe: watchOutbox as never,
    description:
      "Each change of state of the account's queued messages (held, queued, deferred, sent, bounced, cancelled), as it happens; the admin names the user.",
  })
  outboxChanged(
    @Root() entry: CoreOutboxEntry,
    @Arg("userId", () => ID, { nullable: true }) _userId?: string,
  ): OutboxEntry {
    return toOutboxEntry(entry);
  }
}

/** The entries of the user as the core pushes them; logging out (or the client leaving) ends it. */
function watchOutbox({
  args,
  context,
}: ResolverData<GraphQLContext>): Promise<AsyncIterable<CoreOutboxEntry>> {
  return context.core.watch.outbox(context.principal, {
    token: context.token,
    userId: (args.userId as string | null | undefined) ?? undefined,
  });
}

/** Cursors are opaque to clients: base64url of the entry id. */
function encodeOutboxCursor(id: string): string {
  return Buffer.from(`outbox:${id}`).toString("base64url");
}

function decodeOutboxCursor(cursor: string | null | undefined): string | undefined {
  if (!cursor) return undefined;
  const text = Buffer.from(cursor, "base64url").toString();
  if (!text.startsWith("outbox:") || text.length === 7)
    throw invalidInput(`Cursor "${cursor}" is not one this server gave out.`);
  return text.slice(7);
}

export function toOutboxEntry(e: CoreOutboxEntry): OutboxEntry {
  return {
    ...e,
    state: e.state as OutboxState,
    recipients: e.recipients.map((r) => ({ ...r, state: r.state as OutboxRecipientState })),
  };
}

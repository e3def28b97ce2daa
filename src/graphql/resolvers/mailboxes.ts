import { Arg, Ctx, FieldResolver, Float, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { decodeCursor } from "../cursor.js";
import { toConnection, toMailbox } from "../mappers.js";
import { Mailbox, MessageConnection } from "../types/objects.js";

@Resolver(() => Mailbox)
export class MailboxResolver {
  @Query(() => [Mailbox], { description: "The user's mailboxes, by path." })
  async mailboxes(@Ctx() ctx: GraphQLContext): Promise<Mailbox[]> {
    return (await ctx.core.mailboxes.list(ctx.principal)).map(toMailbox);
  }

  @Query(() => Mailbox)
  async mailbox(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Mailbox> {
    return toMailbox(await ctx.core.mailboxes.get(ctx.principal, id));
  }

  @Mutation(() => Mailbox)
  async createMailbox(@Arg("path", () => String) path: string, @Ctx() ctx: GraphQLContext): Promise<Mailbox> {
    return toMailbox(await ctx.core.mailboxes.create(ctx.principal, path));
  }

  @Mutation(() => Mailbox, {
    description:
      "Rename a mailbox (not INBOX); the mailboxes below it move with it, as IMAP RENAME moves them: a/b to z/b.",
  })
  async renameMailbox(
    @Arg("id", () => ID) id: string,
    @Arg("path", () => String) path: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Mailbox> {
    return toMailbox(await ctx.core.mailboxes.rename(ctx.principal, id, path));
  }

  @Mutation(() => Mailbox)
  async setMailboxSubscribed(
    @Arg("id", () => ID) id: string,
    @Arg("subscribed", () => Boolean) subscribed: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Mailbox> {
    return toMailbox(await ctx.core.mailboxes.setSubscribed(ctx.principal, id, subscribed));
  }

  @Mutation(() => Boolean, {
    description: "Delete a mailbox and its messages (not INBOX or another special-use mailbox).",
  })
  async deleteMailbox(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.core.mailboxes.delete(ctx.principal, id);
    return true;
  }

  @FieldResolver(() => String, { description: "The last level of the path." })
  name(@Root() m: Mailbox): string {
    return m.path.split("/").pop()!;
  }

  @FieldResolver(() => Int)
  async total(@Root() m: Mailbox, @Ctx() ctx: GraphQLContext): Promise<number> {
    return (await ctx.loaders.counts.load(m.id)).total;
  }

  @FieldResolver(() => Int)
  async unseen(@Root() m: Mailbox, @Ctx() ctx: GraphQLContext): Promise<number> {
    return (await ctx.loaders.counts.load(m.id)).unseen;
  }

  @FieldResolver(() => Float, { description: "Bytes of all messages in the mailbox." })
  async size(@Root() m: Mailbox, @Ctx() ctx: GraphQLContext): Promise<number> {
    return (await ctx.loaders.counts.load(m.id)).size;
  }

  @FieldResolver(() => MessageConnection, { description: "Messages, newest first." })
  async messages(
    @Root() m: Mailbox,
    @Arg("first", () => Int, { defaultValue: 50 }) first: number,
    @Arg("after", () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<MessageConnection> {
    const page = await ctx.core.messages.list(ctx.principal, m.id, first, decodeCursor(after));
    return toConnection(page.messages, page.hasMore);
  }
}

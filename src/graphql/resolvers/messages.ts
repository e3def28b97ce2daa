import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { invalidInput } from "../../core/index.js";
import type { GraphQLContext } from "../context.js";
import { decodeCursor } from "../cursor.js";
import { toBody, toConnection, toMailbox, toMessage } from "../mappers.js";
import { FlagOperation, MessageFilter, RawEncoding } from "../types/inputs.js";
import { Mailbox, Message, MessageBody, MessageConnection, Thread } from "../types/objects.js";

@Resolver(() => Message)
export class MessageResolver {
  @Query(() => Message)
  async message(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Message> {
    return toMessage(await ctx.core.messages.get(ctx.principal, id));
  }

  @Query(() => MessageConnection, {
    description: "Messages matching a filter, newest first; without mailboxId, across all mailboxes.",
  })
  async search(
    @Arg("filter", () => MessageFilter) filter: MessageFilter,
    @Arg("first", () => Int, { defaultValue: 50 }) first: number,
    @Arg("after", () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<MessageConnection> {
    const query = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== null && v !== undefined));
    const page = await ctx.core.messages.search(ctx.principal, query, first, decodeCursor(after));
    return toConnection(page.messages, page.hasMore);
  }

  @Query(() => Thread)
  async thread(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Thread> {
    return { id, messages: (await ctx.core.messages.thread(ctx.principal, id)).map(toMessage) };
  }

  @Mutation(() => Message, { description: "Store a raw RFC 822 message in a mailbox, byte for byte." })
  async uploadMessage(
    @Arg("mailboxId", () => ID) mailboxId: string,
    @Arg("raw", () => String) raw: string,
    @Arg("encoding", () => RawEncoding, { defaultValue: RawEncoding.BASE64 }) encoding: RawEncoding,
    @Arg("flags", () => [String], { nullable: true }) flags: string[] | undefined,
    @Arg("internalDate", () => Date, { nullable: true }) internalDate: Date | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Message> {
    if (encoding === RawEncoding.BASE64 && !/^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/.test(raw))
      throw invalidInput("The raw message is not valid base64.");
    const bytes = Buffer.from(raw, encoding === RawEncoding.BASE64 ? "base64" : "utf8");
    return toMessage(
      await ctx.core.messages.upload(ctx.principal, mailboxId, bytes, flags ?? [], internalDate ?? undefined),
    );
  }

  @Mutation(() => [Message], {
    description: "Add, remove or replace flags and keywords; returns the messages found.",
  })
  async setFlags(
    @Arg("ids", () => [ID]) ids: string[],
    @Arg("op", () => FlagOperation) op: FlagOperation,
    @Arg("flags", () => [String]) flags: string[],
    @Ctx() ctx: GraphQLContext,
  ): Promise<Message[]> {
    return (await ctx.core.messages.setFlags(ctx.principal, ids, { op, flags })).map(toMessage);
  }

  @Mutation(() => [Message], { description: "Move messages; each keeps its id and gets a new UID." })
  async moveMessages(
    @Arg("ids", () => [ID]) ids: string[],
    @Arg("mailboxId", () => ID) mailboxId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Message[]> {
    return (await ctx.core.messages.move(ctx.principal, ids, mailboxId)).map(toMessage);
  }

  @Mutation(() => [Message], { description: "Copy messages; the copies have new ids." })
  async copyMessages(
    @Arg("ids", () => [ID]) ids: string[],
    @Arg("mailboxId", () => ID) mailboxId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Message[]> {
    return (await ctx.core.messages.copy(ctx.principal, ids, mailboxId)).map(toMessage);
  }

  @Mutation(() => [ID], { description: "Delete messages for good; returns the ids deleted." })
  async deleteMessages(@Arg("ids", () => [ID]) ids: string[], @Ctx() ctx: GraphQLContext): Promise<string[]> {
    return ctx.core.messages.delete(ctx.principal, ids);
  }

  @FieldResolver(() => Mailbox)
  async mailbox(@Root() m: Message, @Ctx() ctx: GraphQLContext): Promise<Mailbox> {
    const box = await ctx.loaders.mailbox.load(m.mailboxId);
    if (!box) throw invalidInput(`Mailbox "${m.mailboxId}" is gone.`);
    return toMailbox(box);
  }

  @FieldResolver(() => MessageBody, {
    description: "Parsed text, HTML and attachments. Parsing is costly: at most 50 bodies per request.",
  })
  async body(@Root() m: Message, @Ctx() ctx: GraphQLContext): Promise<MessageBody> {
    return toBody(m.id, await ctx.loaders.body.load(m.id));
  }

  @FieldResolver(() => Int, { description: "How many messages the thread holds." })
  async threadSize(@Root() m: Message, @Ctx() ctx: GraphQLContext): Promise<number> {
    return ctx.loaders.threadSize.load(m.threadId);
  }

  @FieldResolver(() => Boolean)
  seen(@Root() m: Message): boolean {
    return m.flags.includes("\\Seen");
  }

  @FieldResolver(() => Boolean)
  flagged(@Root() m: Message): boolean {
    return m.flags.includes("\\Flagged");
  }
}

import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from "type-graphql";
import {
  invalidInput,
  type ComposeInput,
  type SubmissionAttachment,
  type SubmitResult,
} from "../../core/index.js";
import type { GraphQLContext } from "../context.js";
import { toOutboxEntry } from "./outbox.js";
import { User } from "../types/objects.js";
import {
  AttachmentInput,
  CancelResult,
  ComposeMessageInput,
  Draft,
  SendMessageInput,
  SendResult,
} from "../types/sending.js";

const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;

/** Sending mail, drafts, undo send: a user its own (the admin may read and set a user's hold). */
@Resolver(() => User)
export class SendingResolver {
  @FieldResolver(() => Int, {
    description:
      "Undo send: seconds your mail is held before it leaves (cancelSend brings it back); 0: none.",
  })
  async sendHoldSeconds(@Root() user: User, @Ctx() ctx: GraphQLContext): Promise<number> {
    return ctx.core.submission.sendHold(ctx.principal, user.id);
  }

  @Mutation(() => Int, { description: "Set the undo-send hold, 0 to 30 seconds (the admin names the user)." })
  async setSendHold(
    @Arg("seconds", () => Int) seconds: number,
    @Arg("userId", () => ID, { nullable: true }) userId: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<number> {
    return ctx.core.submission.setSendHold(ctx.principal, seconds, userId ?? undefined);
  }

  @Mutation(() => SendResult, {
    description:
      "Send a message: composed from `message`, or `raw` as it is (Bcc removed). It is held for your undo-send hold or until `sendAt`, then signed, copied to Sent, delivered to recipients on this server and queued for the rest.",
  })
  async sendMessage(
    @Arg("input", () => SendMessageInput) input: SendMessageInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SendResult> {
    const options = { sendAt: input.sendAt ?? null, via: "graphql" as const, clientIp: ctx.clientIp };
    if ((input.message == null) === (input.raw == null))
      throw invalidInput("Give either message (to compose) or raw (a whole message), not both or neither.");
    const result = input.raw
      ? await ctx.core.submission.sendRaw(ctx.principal, decodeBase64(input.raw, "raw"), options)
      : await ctx.core.submission.send(ctx.principal, toCompose(input.message!), options);
    return toSendResult(result);
  }

  @Mutation(() => Draft, {
    description:
      "Save a draft in Drafts; with replacesId, the old draft is removed (a new message each time).",
  })
  async saveDraft(
    @Arg("message", () => ComposeMessageInput) message: ComposeMessageInput,
    @Arg("replacesId", () => ID, { nullable: true }) replacesId: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Draft> {
    return ctx.core.submission.saveDraft(ctx.principal, toCompose(message), replacesId ?? null);
  }

  @Mutation(() => SendResult, {
    description: "Send a saved draft as it is; the draft goes once the message leaves.",
  })
  async sendDraft(
    @Arg("id", () => ID) id: string,
    @Arg("sendAt", () => Date, { nullable: true }) sendAt: Date | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SendResult> {
    return toSendResult(
      await ctx.core.submission.sendDraft(ctx.principal, id, {
        sendAt: sendAt ?? null,
        via: "graphql",
        clientIp: ctx.clientIp,
      }),
    );
  }

  @Mutation(() => CancelResult, {
    description:
      "Stop a message you sent: while it is held it goes back to Drafts; later, the recipients not yet reached are cancelled.",
  })
  async cancelSend(
    @Arg("queueId", () => ID) queueId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CancelResult> {
    const { entry, draft } = await ctx.core.submission.cancelSend(ctx.principal, queueId);
    return { entry: toOutboxEntry(entry), draft };
  }
}

function toCompose(m: ComposeMessageInput): ComposeInput {
  return {
    from: m.from,
    replyTo: m.replyTo ?? undefined,
    to: m.to ?? undefined,
    cc: m.cc ?? undefined,
    bcc: m.bcc ?? undefined,
    subject: m.subject ?? undefined,
    text: m.text,
    html: m.html,
    attachments: (m.attachments ?? []).map(toAttachment),
    inReplyTo: m.inReplyTo,
    forwardOf: m.forwardOf,
  };
}

function toAttachment(a: AttachmentInput, i: number): SubmissionAttachment {
  if (a.messageId != null || a.partId != null) {
    if (a.messageId == null || a.partId == null || a.contentBase64 != null)
      throw invalidInput(`Attachment ${i + 1} must give both messageId and partId, and no contentBase64.`);
    return { messageId: a.messageId, partId: a.partId };
  }
  if (a.contentBase64 == null || !a.filename || !a.contentType)
    throw invalidInput(
      `Attachment ${i + 1} needs filename, contentType and contentBase64 (or messageId and partId).`,
    );
  return {
    filename: a.filename,
    contentType: a.contentType,
    content: decodeBase64(a.contentBase64, `attachment ${i + 1}`),
    contentId: a.contentId,
  };
}

function decodeBase64(value: string, what: string): Buffer {
  if (!BASE64.test(value)) throw invalidInput(`The ${what} is not valid base64.`);
  return Buffer.from(value, "base64");
}

function toSendResult(r: SubmitResult): SendResult {
  const entry = toOutboxEntry(r.entry);
  return {
    queueId: entry.id,
    state: entry.state,
    releaseAt: r.releaseAt,
    local: r.local.map((l) => ({ recipient: l.recipient, status: l.status, detail: l.message })),
    entry,
  };
}

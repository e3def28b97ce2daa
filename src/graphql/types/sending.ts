import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { OutboxEntry, OutboxState } from "./outbox.js";

@InputType({
  description: "An address with an optional display name (non-ASCII names are sent as encoded words).",
})
export class AddressInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String) address!: string;
}

@InputType({
  description:
    "An attachment: either uploaded bytes (filename, contentType, contentBase64) or a part of one of your stored messages (messageId, partId).",
})
export class AttachmentInput {
  @Field(() => String, { nullable: true }) filename?: string | null;
  @Field(() => String, { nullable: true, description: 'The MIME type, e.g. "application/pdf".' })
  contentType?: string | null;
  @Field(() => String, { nullable: true, description: "The bytes, base64." }) contentBase64?: string | null;
  @Field(() => String, { nullable: true, description: "For an inline image the HTML names as cid:..." })
  contentId?: string | null;
  @Field(() => ID, { nullable: true, description: "A stored message of yours whose part to attach." })
  messageId?: string | null;
  @Field(() => String, { nullable: true, description: "The part's id (an attachment's partId)." })
  partId?: string | null;
}

@InputType({ description: "A message to compose. Bcc recipients get it but are never written into it." })
export class ComposeMessageInput {
  @Field(() => AddressInput, { description: "One of your addresses." }) from!: AddressInput;
  @Field(() => [AddressInput], { nullable: true }) replyTo?: AddressInput[] | null;
  @Field(() => [AddressInput], { nullable: true }) to?: AddressInput[] | null;
  @Field(() => [AddressInput], { nullable: true }) cc?: AddressInput[] | null;
  @Field(() => [AddressInput], { nullable: true }) bcc?: AddressInput[] | null;
  @Field(() => String, { nullable: true }) subject?: string | null;
  @Field(() => String, { nullable: true }) text?: string | null;
  @Field(() => String, { nullable: true, description: "Sent as the alternative to text." }) html?:
    string | null;
  @Field(() => [AttachmentInput], { nullable: true }) attachments?: AttachmentInput[] | null;
  @Field(() => ID, {
    nullable: true,
    description:
      "A message of yours this answers: sets In-Reply-To and References; it is marked \\Answered once sent.",
  })
  inReplyTo?: string | null;
  @Field(() => ID, {
    nullable: true,
    description: "A message of yours this forwards: sets References; it is marked $Forwarded once sent.",
  })
  forwardOf?: string | null;
}

@InputType({
  description: "What to send: a message to compose, or a whole RFC 822 message (exactly one of them).",
})
export class SendMessageInput {
  @Field(() => ComposeMessageInput, { nullable: true }) message?: ComposeMessageInput | null;
  @Field(() => String, {
    nullable: true,
    description:
      "A whole RFC 822 message, base64: sent from its From address to its To, Cc and Bcc addresses (Bcc removed).",
  })
  raw?: string | null;
  @Field(() => Date, {
    nullable: true,
    description: "Send later, at this time (at most [submission] max_schedule_days ahead); null: now.",
  })
  sendAt?: Date | null;
}

@ObjectType({ description: "A recipient on this server: delivered at once, not queued." })
export class LocalDelivery {
  @Field(() => String) recipient!: string;
  @Field(() => String, { description: '"stored", "over-quota", "disabled", ...' }) status!: string;
  @Field(() => String, { description: "Why, when it was not stored." }) detail!: string;
}

@ObjectType({ description: "A message accepted for sending." })
export class SendResult {
  @Field(() => ID, { description: "The queue id: cancelSend takes it." }) queueId!: string;
  @Field(() => OutboxState, {
    description: "held (undo send or sendAt: cancelSend brings it back), or queued.",
  })
  state!: OutboxState;
  @Field(() => Date, { description: "When it leaves (or left)." }) releaseAt!: Date;
  @Field(() => [LocalDelivery], {
    description: "Recipients on this server, delivered already (empty while held).",
  })
  local!: LocalDelivery[];
  @Field(() => OutboxEntry, { description: "The outbox entry: its recipients, Sent copy and Message-ID." })
  entry!: OutboxEntry;
}

@ObjectType({ description: "A draft in your Drafts mailbox." })
export class Draft {
  @Field(() => ID, { description: "The draft's message id." }) messageId!: string;
  @Field(() => ID) mailboxId!: string;
  @Field(() => Int) uid!: number;
}

@ObjectType({ description: "A send stopped by cancelSend." })
export class CancelResult {
  @Field(() => OutboxEntry, { description: "The entry, cancelled." }) entry!: OutboxEntry;
  @Field(() => Draft, {
    nullable: true,
    description: "Where the message went back to when it was still held; null when it had left already.",
  })
  draft!: Draft | null;
}

// The submission service: the one way mail leaves a user, whatever door it came through (GraphQL sendMessage, SMTP
// submission on 587/465, the ZoneMTA plugin). It checks the sender, counts recipients against the daily limit,
// removes Bcc, holds for undo send or `sendAt`, and on release signs (DKIM), stores the exact bytes in Sent, delivers
// to local recipients through the delivery pipeline and queues the rest in the outbox.
import type { Principal } from "../principal.js";
import type { RecipientResult } from "../delivery.js";
import type { OutboxEntry } from "../outbox/types.js";

export interface ComposeAddress {
  name?: string | null;
  address: string;
}

/** An attachment: uploaded bytes, or a part of a stored message of the same user (forwarding an attachment). */
export type AttachmentInput =
  | { filename: string; contentType: string; content: Buffer; contentId?: string | null }
  | { messageId: string; partId: string };

export interface ComposeInput {
  from: ComposeAddress;
  replyTo?: ComposeAddress[];
  to?: ComposeAddress[];
  cc?: ComposeAddress[];
  /** Envelope recipients only: never written into the bytes that are sent. */
  bcc?: ComposeAddress[];
  subject?: string;
  text?: string | null;
  html?: string | null;
  attachments?: AttachmentInput[];
  /** A stored message (id) this answers: sets In-Reply-To/References; the original gets \Answered on release. */
  inReplyTo?: string | null;
  /** A stored message (id) this forwards: sets References; the original gets $Forwarded on release. */
  forwardOf?: string | null;
}

/** Through which door a message came; recorded in the outbox and the delivery log of local recipients. */
export type SubmissionVia = "graphql" | "smtp" | "zonemta";

export interface SubmissionOrigin {
  via: SubmissionVia;
  /** The client's IP and EHLO name, when there is a client connection. */
  clientIp?: string | null;
  clientName?: string | null;
}

/** A message as an SMTP client submits it: the envelope and the bytes (Bcc, if any, is removed before sending). */
export interface RawSubmission {
  mailFrom: string;
  recipients: string[];
  raw: Buffer;
}

export interface SendOptions {
  /** Scheduled sending: held until then (at most a configured time ahead). */
  sendAt?: Date | null;
}

export interface SubmitResult {
  /** The outbox entry (its id is the queue id). */
  entry: OutboxEntry;
  /** When it leaves: now, after the user's undo-send hold, or `sendAt`. */
  releaseAt: Date;
  /** Local recipients delivered already (empty while held). */
  local: RecipientResult[];
}

/** What the ZoneMTA plugin gets back: ZoneMTA queues and sends `raw` to `remoteRecipients` itself. */
export interface RelayPrepared {
  raw: Buffer;
  remoteRecipients: string[];
  local: RecipientResult[];
  sentCopyId: string | null;
}

export interface Draft {
  /** The draft's message id (in the Drafts mailbox). */
  messageId: string;
  mailboxId: string;
  uid: number;
}

export interface SubmissionService {
  /** GraphQL sendMessage: composes from structured input. */
  send(p: Principal, input: ComposeInput, options: SendOptions & SubmissionOrigin): Promise<SubmitResult>;
  /**
   * Whether `mailFrom` may be the envelope sender of this user's mail: resolves when it may, FORBIDDEN when it may
   * not. Optional: the SMTP submission server asks at MAIL FROM (553 5.7.1 before any data is sent) when the service
   * offers it; `submitRaw` checks the envelope sender again either way.
   */
  checkSender?(p: Principal, mailFrom: string): Promise<void>;
  /** GraphQL sendMessage with raw RFC 822 input, and SMTP submission (587/465). */
  submitRaw(
    p: Principal,
    message: RawSubmission,
    options: SendOptions & SubmissionOrigin,
  ): Promise<SubmitResult>;
  /**
   * For an external queue (ZoneMTA): every check, DKIM, the Sent copy and local delivery, but no outbox entry and
   * no hold; the caller queues `raw` for `remoteRecipients`.
   */
  prepareForRelay(p: Principal, message: RawSubmission, origin: SubmissionOrigin): Promise<RelayPrepared>;
  /** Creates a draft, or replaces `replacesId` (a new message each time; the old one is removed). */
  saveDraft(p: Principal, input: ComposeInput, replacesId?: string | null): Promise<Draft>;
  /** Sends a stored draft as it is (Bcc from its Bcc header, which is then removed); the draft goes on release. */
  sendDraft(p: Principal, draftId: string, options: SendOptions & SubmissionOrigin): Promise<SubmitResult>;
  /**
   * Stops a queued message: while held it returns to Drafts (the returned draft); later, the recipients not yet
   * sent are cancelled (no draft).
   */
  cancelSend(p: Principal, queueId: string): Promise<{ entry: OutboxEntry; draft: Draft | null }>;
  /**
   * GraphQL sendMessage with a raw RFC 822 message and no envelope: the sender is the From field's address, the
   * recipients those of To, Cc and Bcc (Bcc then removed).
   */
  sendRaw(p: Principal, raw: Buffer, options: SendOptions & SubmissionOrigin): Promise<SubmitResult>;
  /** The user's undo-send hold in seconds (0: mail leaves at once). The admin names the user. */
  sendHold(p: Principal, userId?: string): Promise<number>;
  /** Sets the undo-send hold, 0 to 30 seconds; returns it. */
  setSendHold(p: Principal, seconds: number, userId?: string): Promise<number>;
}

// The submission service (types.ts): every way mail leaves a user comes here. It checks (an enabled user, its own
// addresses as sender, recipients, size, the daily recipient limit), then either holds the message in the outbox
// (undo send, `sendAt`) for the runner to release through `releaser`, or releases it at once and queues what is
// left for remote recipients.
import { randomBytes } from "node:crypto";
import { readTopHeaders } from "../../mime/index.js";
import type { Store, UserRecord } from "../../storage/ports.js";
import { normalizeAddress } from "../addresses.js";
import { messageTooLarge } from "../admission.js";
import { DomainError, invalidInput, notFound } from "../errors.js";
import type { MessageService } from "../messages.js";
import type { EnqueueRecipient, OutboxEntry, OutboxService, ReleaseOutcome } from "../outbox/types.js";
import { requireUser, type Principal } from "../principal.js";
import { headerRecipients, withBlindRecipients } from "./bcc.js";
import { composeMessage, newMessageId, type ComposeAttachment } from "./compose.js";
import type { DraftFolder } from "./drafts.js";
import { readyToSend } from "./raw-input.js";
import { RecipientLimit } from "./recipient-limit.js";
import type { MessageRelease, Released } from "./release.js";
import { assertSenderAddresses } from "./sender-check.js";
import type {
  AttachmentInput,
  ComposeInput,
  Draft,
  RawSubmission,
  RelayPrepared,
  SendOptions,
  SubmissionOrigin,
  SubmissionService,
  SubmitResult,
} from "./types.js";

export interface SubmissionSettings {
  maxMessageBytes: number;
  /** Envelope recipients per user per day, unless the user has its own limit. */
  recipientsPerDay: number;
  /** How far ahead `sendAt` may be. */
  maxScheduleDays: number;
  /** The host name in the Message-IDs this server writes. */
  hostname: string;
  now?: () => Date;
}

export interface SubmissionDeps {
  store: Store;
  messages: MessageService;
  outbox: OutboxService;
  release: MessageRelease;
  drafts: DraftFolder;
  limit: RecipientLimit;
}

/** The longest undo-send hold a user may set. */
export const MAX_SEND_HOLD_SECONDS = 30;
/** How far in the past a `sendAt` may be (a clock a little behind the server's): sent at once. */
const SEND_AT_SLACK_MS = 60_000;
const DAY_MS = 86_400_000;

/** A message checked and ready: the envelope and the bytes to send (unsigned, no Bcc). */
interface Outgoing {
  user: UserRecord;
  mailFrom: string;
  recipients: string[];
  raw: Buffer;
  draftId: string | null;
}

export class Submissions implements SubmissionService {
  private readonly now: () => Date;

  constructor(
    private readonly deps: SubmissionDeps,
    private readonly settings: SubmissionSettings,
  ) {
    this.now = settings.now ?? (() => new Date());
  }

  /** What the outbox runner calls when a held entry's time comes (createCore hands it to the outbox). */
  readonly releaser = async (entry: OutboxEntry, unsignedRaw: Buffer): Promise<ReleaseOutcome> => {
    const released = await this.deps.release.release({
      userId: entry.userId,
      mailFrom: entry.mailFrom,
      recipients: entry.recipients.filter((r) => r.state === "pending").map((r) => r.address),
      raw: unsignedRaw,
    });
    if (entry.draftId) await this.removeDraft(entry.userId, entry.draftId);
    return { raw: released.raw, recipients: enqueueRecipients(released), sentCopyId: released.sentCopyId };
  };

  async send(
    p: Principal,
    input: ComposeInput,
    options: SendOptions & SubmissionOrigin,
  ): Promise<SubmitResult> {
    const user = await this.sender(p);
    await assertSenderAddresses(this.deps.store, user.id, [input.from.address], "From");
    const recipients = checkRecipients(
      [...(input.to ?? []), ...(input.cc ?? []), ...(input.bcc ?? [])].map((a) => a.address),
    );
    const releaseAt = this.releaseTime(user, options.sendAt);
    const raw = await this.compose(user.id, input, false);
    return this.submit(
      { user, mailFrom: input.from.address, recipients, raw, draftId: null },
      releaseAt,
      options,
    );
  }

  async checkSender(p: Principal, mailFrom: string): Promise<void> {
    const user = await this.sender(p);
    await assertSenderAddresses(this.deps.store, user.id, [mailFrom], "envelope sender");
  }

  async submitRaw(
    p: Principal,
    message: RawSubmission,
    options: SendOptions & SubmissionOrigin,
  ): Promise<SubmitResult> {
    const outgoing = await this.checkRaw(p, message, null);
    return this.submit(outgoing, this.releaseTime(outgoing.user, options.sendAt), options);
  }

  async sendRaw(p: Principal, raw: Buffer, options: SendOptions & SubmissionOrigin): Promise<SubmitResult> {
    const outgoing = await this.checkRaw(p, envelopeOf(raw), null);
    return this.submit(outgoing, this.releaseTime(outgoing.user, options.sendAt), options);
  }

  async sendDraft(
    p: Principal,
    draftId: string,
    options: SendOptions & SubmissionOrigin,
  ): Promise<SubmitResult> {
    const raw = await this.deps.messages.raw(p, draftId);
    const outgoing = await this.checkRaw(p, envelopeOf(raw), draftId);
    return this.submit(outgoing, this.releaseTime(outgoing.user, options.sendAt), options);
  }

  async prepareForRelay(
    p: Principal,
    message: RawSubmission,
    origin: SubmissionOrigin,
  ): Promise<RelayPrepared> {
    const outgoing = await this.checkRaw(p, message, null);
    await this.charge(outgoing);
    const { user, mailFrom, recipients, raw } = outgoing;
    const released = await this.deps.release.release({ userId: user.id, mailFrom, recipients, raw, origin });
    return {
      raw: released.raw,
      remoteRecipients: released.remote,
      local: released.local,
      sentCopyId: released.sentCopyId,
    };
  }

  async saveDraft(p: Principal, input: ComposeInput, replacesId?: string | null): Promise<Draft> {
    const userId = requireUser(p);
    const raw = await this.compose(userId, input, true);
    if (raw.length > this.settings.maxMessageBytes)
      throw messageTooLarge(raw.length, this.settings.maxMessageBytes);
    return this.deps.drafts.save(userId, raw, replacesId);
  }

  async cancelSend(p: Principal, queueId: string): Promise<{ entry: OutboxEntry; draft: Draft | null }> {
    const { entry, heldRaw } = await this.deps.outbox.cancel(p, queueId);
    if (!heldRaw) return { entry, draft: null };
    const recipients = entry.recipients.map((r) => r.address);
    await this.deps.limit.refund(entry.userId, recipients.length);
    // A draft sent while held is still in Drafts (it goes on release); anything else goes back as a new draft,
    // with its blind recipients written back into a Bcc field.
    const kept = entry.draftId ? await this.deps.drafts.find(entry.userId, entry.draftId) : null;
    const draft =
      kept ?? (await this.deps.drafts.save(entry.userId, withBlindRecipients(heldRaw, recipients)));
    return { entry, draft };
  }

  async sendHold(p: Principal, userId?: string): Promise<number> {
    return (await this.user(requireUser(p, userId))).sendHoldSeconds;
  }

  async setSendHold(p: Principal, seconds: number, userId?: string): Promise<number> {
    const id = requireUser(p, userId);
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_SEND_HOLD_SECONDS)
      throw invalidInput(
        `The undo-send hold ${seconds} must be a whole number of seconds from 0 to ${MAX_SEND_HOLD_SECONDS}.`,
      );
    const updated = await this.deps.store.users.update(id, { sendHoldSeconds: seconds });
    if (!updated) throw notFound("User", id);
    return updated.sendHoldSeconds;
  }

  /** The checks every raw message passes (SMTP, ZoneMTA, GraphQL raw, drafts); returns it ready to send. */
  private async checkRaw(p: Principal, message: RawSubmission, draftId: string | null): Promise<Outgoing> {
    const user = await this.sender(p);
    const raw = readyToSend(message.raw, {
      date: this.now(),
      messageId: () => newMessageId(this.settings.hostname, randomId()),
    });
    const from = readTopHeaders(raw)
      .from.map((a) => a.address)
      .filter((a) => a !== "");
    if (from.length === 0) throw invalidInput("The message has no From address; say who it is from.");
    await assertSenderAddresses(this.deps.store, user.id, from, "From");
    await assertSenderAddresses(this.deps.store, user.id, [message.mailFrom], "envelope sender");
    return {
      user,
      mailFrom: message.mailFrom,
      recipients: checkRecipients(message.recipients),
      raw,
      draftId,
    };
  }

  /** The size limit and the daily recipient count, then hold or release. */
  private async submit(outgoing: Outgoing, releaseAt: Date, origin: SubmissionOrigin): Promise<SubmitResult> {
    await this.charge(outgoing);
    const { user, mailFrom, recipients, raw, draftId } = outgoing;
    const headers = readTopHeaders(raw);
    const common = {
      userId: user.id,
      mailFrom,
      subject: headers.subject,
      messageIdHeader: headers.messageId,
      draftId,
    };
    if (releaseAt.getTime() > this.now().getTime()) {
      const entry = await this.deps.outbox.enqueue({
        ...common,
        recipients: recipients.map((address) => ({ address })),
        raw,
        releaseAt,
      });
      return { entry, releaseAt, local: [] };
    }
    const released = await this.deps.release.release({ userId: user.id, mailFrom, recipients, raw, origin });
    let entry: OutboxEntry;
    try {
      entry = await this.deps.outbox.enqueue({
        ...common,
        recipients: enqueueRecipients(released),
        raw: released.raw,
        sentCopyId: released.sentCopyId,
      });
    } catch (err) {
      // Not queued: the Sent copy goes too, so trying again does not leave two (local recipients, who have it
      // already, are spared a second copy by the duplicate guard on its Message-ID).
      await this.deps.messages
        .delete({ kind: "user", userId: user.id }, [released.sentCopyId])
        .catch(() => {});
      throw err;
    }
    if (draftId) await this.removeDraft(user.id, draftId);
    return { entry, releaseAt, local: released.local };
  }

  private async charge(outgoing: Outgoing): Promise<void> {
    const { user, raw, recipients } = outgoing;
    if (raw.length > this.settings.maxMessageBytes)
      throw messageTooLarge(raw.length, this.settings.maxMessageBytes);
    await this.deps.limit.charge(
      user.id,
      recipients.length,
      user.recipientsPerDay ?? this.settings.recipientsPerDay,
    );
  }

  /** The user sending: it must exist and be enabled. */
  private async sender(p: Principal): Promise<UserRecord> {
    const user = await this.user(requireUser(p));
    if (user.disabled)
      throw new DomainError(
        "ACCOUNT_DISABLED",
        `Account "${user.username}" is disabled and cannot send mail.`,
      );
    return user;
  }

  private async user(userId: string): Promise<UserRecord> {
    const user = await this.deps.store.users.get(userId);
    if (!user) throw notFound("User", userId);
    return user;
  }

  /** When the message leaves: after the user's hold, or at `sendAt` (which the hold does not shorten). */
  private releaseTime(user: UserRecord, sendAt: Date | null | undefined): Date {
    const now = this.now().getTime();
    const held = now + user.sendHoldSeconds * 1000;
    if (!sendAt) return new Date(held);
    const at = sendAt.getTime();
    if (Number.isNaN(at)) throw invalidInput("sendAt is not a valid date.");
    if (at < now - SEND_AT_SLACK_MS)
      throw invalidInput(`sendAt ${sendAt.toISOString()} is in the past; give a time from now on.`);
    const latest = now + this.settings.maxScheduleDays * DAY_MS;
    if (at > latest)
      throw invalidInput(
        `sendAt ${sendAt.toISOString()} is more than ${this.settings.maxScheduleDays} days ahead; the latest is ${new Date(latest).toISOString()}.`,
      );
    return new Date(Math.max(at, held));
  }

  /** The bytes of structured input; `keepBcc` for a draft. */
  private async compose(userId: string, input: ComposeInput, keepBcc: boolean): Promise<Buffer> {
    const threading = await this.threading(userId, input);
    const attachments = await Promise.all((input.attachments ?? []).map((a) => this.attachment(userId, a)));
    const date = this.now();
    return composeMessage({
      ...input,
      ...threading,
      attachments,
      messageId: newMessageId(this.settings.hostname, randomId()),
      date,
      keepBcc,
    });
  }

  /** In-Reply-To and References of a reply (RFC 5322 §3.6.4), or the References of a forward. */
  private async threading(
    userId: string,
    input: ComposeInput,
  ): Promise<{ inReplyTo: string | null; references: string[] }> {
    const originalId = input.inReplyTo ?? input.forwardOf;
    if (!originalId) return { inReplyTo: null, references: [] };
    const original = await this.deps.store.messages.get(userId, originalId);
    if (!original) throw notFound("Message", originalId);
    const content = await this.deps.store.messages.getContent(userId, originalId);
    const stored =
      (content?.meta as { headers?: { references?: string[] } } | undefined)?.headers?.references ?? [];
    const own = original.messageIdHeader;
    const references = own && !stored.includes(own) ? [...stored, own] : [...stored];
    return { inReplyTo: input.inReplyTo ? own : null, references };
  }

  private async attachment(userId: string, a: AttachmentInput): Promise<ComposeAttachment> {
    if ("content" in a) return a;
    // A part of one of the user's own messages: another user's id finds nothing.
    const part = await this.deps.messages.attachment({ kind: "user", userId }, a.messageId, a.partId);
    return {
      filename: part.filename ?? `attachment-${a.partId}`,
      contentType: part.contentType,
      content: part.data,
    };
  }

  private async removeDraft(userId: string, draftId: string): Promise<void> {
    await this.deps.messages.delete({ kind: "user", userId }, [draftId]);
  }
}

/** The envelope a message carries in its header: From's address, and To, Cc and Bcc. */
function envelopeOf(raw: Buffer): RawSubmission {
  const from = readTopHeaders(raw).from.find((a) => a.address !== "");
  return { mailFrom: from?.address ?? "", recipients: headerRecipients(raw), raw };
}

/** At least one; each a valid address (INVALID_INPUT quoting one that is not); each once. */
function checkRecipients(recipients: readonly string[]): string[] {
  const unique = new Map<string, string>();
  for (const r of recipients) {
    const address = r.trim();
    normalizeAddress(address);
    const key = address.toLowerCase();
    if (!unique.has(key)) unique.set(key, address);
  }
  if (unique.size === 0)
    throw invalidInput("The message has no recipients; give at least one To, Cc or Bcc address.");
  return [...unique.values()];
}

/** Remote recipients pending; local ones as delivery answered (stored: sent; anything else: bounced). */
function enqueueRecipients(released: Released): EnqueueRecipient[] {
  return [
    ...released.local.map((r) => ({
      address: r.recipient,
      state: r.status === "stored" ? ("sent" as const) : ("bounced" as const),
      response: r.message || (r.status === "stored" ? "stored on this server" : r.status),
    })),
    ...released.remote.map((address) => ({ address })),
  ];
}

function randomId(): string {
  return randomBytes(12).toString("hex");
}

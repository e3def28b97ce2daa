// Release: the moment a message leaves (at once, or when its undo-send hold or `sendAt` ends). It is signed, the
// signed bytes are stored in Sent, recipients who are users of this server get it through the delivery pipeline
// (mail between two users of one box never waits in the queue), and the message it answers or forwards is
// marked. What is left for the outbox: the signed bytes and the remote recipients.
import { readTopHeaders } from "../../mime/index.js";
import type { DkimSigner } from "../dkim/types.js";
import type { DeliveryService, RecipientResult } from "../delivery.js";
import type { MailboxService } from "../mailboxes.js";
import type { MessageService } from "../messages.js";
import type { BackgroundLog } from "../outbound.js";
import { DELIVERY, type Principal } from "../principal.js";
import type { SubmissionOrigin } from "./types.js";

/** Where the Sent copy goes when the user has no \Sent mailbox (the path new users get). */
const SENT_PATH = "Sent Mail";
/** A reply's thread is searched this far for the message it answers. */
const THREAD_SCAN = 100;

export interface ReleaseArgs {
  userId: string;
  mailFrom: string;
  recipients: readonly string[];
  /** The bytes to send, unsigned and without Bcc. */
  raw: Buffer;
  origin?: SubmissionOrigin | null;
}

export interface Released {
  /** The signed bytes: stored in Sent, delivered locally, and what the remote recipients get. */
  raw: Buffer;
  sentCopyId: string;
  /** Recipients of this server, delivered already. */
  local: RecipientResult[];
  /** Recipients elsewhere, for the outbox (or ZoneMTA). */
  remote: string[];
}

export interface ReleaseDeps {
  mailboxes: MailboxService;
  messages: MessageService;
  delivery: DeliveryService;
  signer: DkimSigner | null;
  log: BackgroundLog;
}

export class MessageRelease {
  constructor(private readonly deps: ReleaseDeps) {}

  async release(args: ReleaseArgs): Promise<Released> {
    const { mailboxes, messages } = this.deps;
    const user: Principal = { kind: "user", userId: args.userId };
    const headers = readTopHeaders(args.raw);
    const signed = await this.sign(args.raw, headers.from[0]?.address || args.mailFrom);
    // The Sent copy first: when it cannot be stored (a full quota) nothing has left yet.
    const sent = await mailboxes.ensureSpecialUse(user, "\\Sent", SENT_PATH);
    const copy = await messages.upload(user, sent.id, signed, ["\\Seen"]);
    const { local, remote } = await this.split(args.recipients);
    const delivered =
      local.length === 0
        ? []
        : await this.deps.delivery.deliver(DELIVERY, {
            via: "submission",
            client: clientOf(args.origin),
            mailFrom: args.mailFrom,
            recipients: local,
            raw: signed,
          });
    // The message is out: marking the original and removing the draft are tidying, reported when they fail.
    await this.markOriginal(user, copy.threadId, copy.id, headers).catch((err: unknown) =>
      this.deps.log.warn({ err, userId: args.userId }, "submission: could not mark the original message"),
    );
    return { raw: signed, sentCopyId: copy.id, local: delivered, remote };
  }

  private async sign(raw: Buffer, fromAddress: string): Promise<Buffer> {
    const { signer } = this.deps;
    if (!signer) return raw;
    const domain = fromAddress.slice(fromAddress.lastIndexOf("@") + 1).toLowerCase();
    return domain ? signer.sign(raw, domain) : raw;
  }

  /** Local: the address is a user's here (disabled or full included: delivery answers for those). */
  private async split(recipients: readonly string[]): Promise<{ local: string[]; remote: string[] }> {
    const checks = await Promise.all(recipients.map((r) => this.deps.delivery.checkRecipient(DELIVERY, r)));
    const local: string[] = [];
    const remote: string[] = [];
    checks.forEach((c, i) => (c.status === "unknown" ? remote : local).push(recipients[i]));
    return { local, remote };
  }

  /**
   * A reply (In-Reply-To) marks the message it answers \Answered; a forward (References without In-Reply-To) marks
   * the last message it references $Forwarded. The Sent copy joined that message's thread when it was stored, so
   * the thread is where to look.
   */
  private async markOriginal(
    user: Principal,
    threadId: string,
    copyId: string,
    headers: { inReplyTo: string | null; references: string[] },
  ): Promise<void> {
    const target = headers.inReplyTo ?? headers.references.at(-1);
    if (!target) return;
    const flag = headers.inReplyTo ? "\\Answered" : "$Forwarded";
    const page = await this.deps.messages.search(user, { threadId }, THREAD_SCAN);
    const ids = page.messages.filter((m) => m.id !== copyId && m.messageIdHeader === target).map((m) => m.id);
    if (ids.length > 0) await this.deps.messages.setFlags(user, ids, { op: "add", flags: [flag] });
  }
}

function clientOf(origin: SubmissionOrigin | null | undefined): { ip?: string; name?: string } | undefined {
  if (!origin?.clientIp && !origin?.clientName) return undefined;
  return { ip: origin.clientIp ?? undefined, name: origin.clientName ?? undefined };
}

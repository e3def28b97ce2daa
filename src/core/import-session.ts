// Bringing existing mail in (`eider import`): one message at a time through the delivery path, skipping what
// the mailbox already holds, so an interrupted import can simply be run again.
import type { ParsedMessage } from "../mime/index.js";
import type { MailboxRecord, UserRecord } from "../storage/ports.js";
import type { RecipientResult } from "./delivery.js";

export interface ImportTarget {
  username: string;
  /** Default INBOX; created when missing. */
  mailboxPath?: string;
}

export interface ImportMessageArgs {
  flags?: string[];
  internalDate?: Date;
}

/** `stored` and the failures as delivery reports them, or `skipped`: the mailbox already holds this message. */
export type ImportOutcome = Omit<RecipientResult, "recipient"> | { status: "skipped"; message: string };

/** What a session needs from the delivery service: the one parse and the one store. */
export interface ImportSteps {
  /** The parse, or the failure to report (too large). */
  parse(raw: Buffer): Promise<{ parsed: ParsedMessage } | Omit<RecipientResult, "recipient">>;
  store(
    parsed: ParsedMessage,
    flags: string[],
    internalDate?: Date,
  ): Promise<Omit<RecipientResult, "recipient">>;
}

/**
 * The key that says "already imported": Message-ID and size; a message without a Message-ID is known by its
 * subject, Date and size instead (what the stored summary row keeps).
 */
export function importKey(messageId: string | null, size: number, subject: string, sentDate: Date): string {
  return messageId ? `id ${messageId} ${size}` : `no-id ${sentDate.getTime()} ${size} ${subject}`;
}

export class ImportSession {
  readonly userId: string;
  readonly mailboxId: string;
  readonly mailboxPath: string;

  constructor(
    user: UserRecord,
    mailbox: MailboxRecord,
    private readonly known: Set<string>,
    private readonly steps: ImportSteps,
  ) {
    this.userId = user.id;
    this.mailboxId = mailbox.id;
    this.mailboxPath = mailbox.path;
  }

  /** Imports one message unless the mailbox holds it already (or an earlier message of this run was it). */
  async add(raw: Buffer, args: ImportMessageArgs = {}): Promise<ImportOutcome> {
    const parse = await this.steps.parse(raw);
    if (!("parsed" in parse)) return parse;
    const { parsed } = parse;
    const date =
      parsed.headers.date && !Number.isNaN(parsed.headers.date.getTime()) ? parsed.headers.date : null;
    const internalDate = args.internalDate ?? new Date();
    const key = importKey(
      parsed.headers.messageId,
      parsed.size,
      parsed.headers.subject,
      date ?? internalDate,
    );
    if (this.known.has(key))
      return {
        status: "skipped",
        message: "The mailbox already holds this message (same Message-ID and size).",
      };
    const outcome = await this.steps.store(parsed, args.flags ?? [], internalDate);
    if (outcome.status === "stored") this.known.add(key);
    return outcome;
  }
}

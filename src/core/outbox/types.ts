// The outbound queue as the core sees it: mail a user sent that leaves this server, held (undo send, scheduled
// sending), then queued until a transport (the recipient's MX, a smarthost, or ZoneMTA in a cluster) accepts or
// refuses it for each recipient. Durable: an entry survives `kill -9`; a runner in any process claims due entries
// under a lease, so two processes never send one entry at once.
import type { Principal } from "../principal.js";

/**
 * Where an entry is in its life:
 * - held: waiting for `releaseAt` (the user's undo-send hold, or `sendAt`); `cancelSend` returns it to Drafts;
 * - queued: released (signed, Sent copy stored, local recipients delivered); remote recipients not yet tried;
 * - deferred: at least one recipient was refused for now; the next attempt is at `nextAttemptAt`;
 * - sent: every remote recipient accepted (or, with some bounced, the rest accepted: see `recipients`);
 * - bounced: every remote recipient refused for good or timed out; a DSN went to the sender's INBOX;
 * - cancelled: `cancelSend` stopped it before it was sent.
 */
export type OutboxState = "held" | "queued" | "deferred" | "sent" | "bounced" | "cancelled";

/** What became of one remote recipient. */
export type OutboxRecipientState = "pending" | "deferred" | "sent" | "bounced" | "cancelled";

export interface OutboxRecipient {
  /** The envelope recipient (RCPT TO). */
  address: string;
  state: OutboxRecipientState;
  /** The last SMTP answer for it ("250 2.0.0 OK ...", "451 4.7.1 greylisted", a connection error), or null. */
  response: string | null;
  attempts: number;
  updatedAt: Date;
}

/** One queued message as front ends see it (GraphQL `outbox`); never the bytes. */
export interface OutboxEntry {
  /** The queue id returned by `sendMessage` and taken by `cancelSend`. */
  id: string;
  userId: string;
  /** The envelope sender (MAIL FROM). */
  mailFrom: string;
  recipients: OutboxRecipient[];
  state: OutboxState;
  subject: string;
  messageIdHeader: string | null;
  size: number;
  createdAt: Date;
  /** When a held entry is released (undo-send hold or `sendAt`). */
  releaseAt: Date;
  /** When the next delivery attempt is due (queued/deferred), null when none is. */
  nextAttemptAt: Date | null;
  /** The last SMTP answer of the last attempt, for "deferred" and "bounced". */
  lastResponse: string | null;
  /** The Sent copy (a message id), once released. */
  sentCopyId: string | null;
  /** The draft the message came from (sendDraft), removed on release and restored by a cancel while held. */
  draftId: string | null;
  updatedAt: Date;
}

/** One transport attempt's answer per recipient. */
export interface TransportResult {
  accepted: Array<{ recipient: string; response: string }>;
  /** `permanent`: a 5xx answer (bounce now); otherwise try again later (4xx, a connection failure, a timeout). */
  refused: Array<{ recipient: string; response: string; permanent: boolean }>;
}

/**
 * A way out: the recipient domains' MX servers (direct), a smarthost, or ZoneMTA's feeder port. It never throws for a
 * refusal; a failure to reach anyone is every recipient refused for now with the error as the response.
 */
export interface OutboundTransport {
  /** A name for logs and the outbox ("direct", "smarthost smtp://relay:25", "zonemta"). */
  readonly name: string;
  deliver(message: { mailFrom: string; recipients: string[]; raw: Buffer }): Promise<TransportResult>;
  close(): Promise<void>;
}

/** What release does when a held entry's time comes (the submission service provides it: sign, Sent copy, local). */
export interface ReleaseOutcome {
  /** The bytes to send to remote recipients (signed). */
  raw: Buffer;
  /** Every recipient: remote ones "pending"; local ones delivered during release, "sent" or "bounced". */
  recipients: EnqueueRecipient[];
  sentCopyId: string | null;
}

/** Given to the outbox by the submission service (createCore wires it): releases a held entry whose time came. */
export type Releaser = (entry: OutboxEntry, unsignedRaw: Buffer) => Promise<ReleaseOutcome>;

/** A recipient as enqueued: remote ones pending; local ones already delivered at release (sent or bounced). */
export interface EnqueueRecipient {
  address: string;
  /** Default "pending". */
  state?: "pending" | "sent" | "bounced";
  /** For a local one: what delivery answered ("stored in INBOX", "unknown user"). */
  response?: string;
}

/**
 * Every message sent gets an entry, local recipients included (so `outbox` shows all a user sent and undo send works
 * the same for mail to a neighbour on this server).
 */
export interface EnqueueArgs {
  userId: string;
  mailFrom: string;
  /** For a held entry every recipient, pending (release splits them); for a released one, local ones settled. */
  recipients: EnqueueRecipient[];
  raw: Buffer;
  subject: string;
  messageIdHeader: string | null;
  /** Omitted or not in the future: the entry is queued at once (the caller released it already). */
  releaseAt?: Date;
  sentCopyId?: string | null;
  draftId?: string | null;
}

export interface OutboxListOptions {
  states?: OutboxState[];
  first: number;
  /** The cursor of the previous page (the last entry's id). */
  after?: string;
}

export interface OutboxService {
  /** Durably stores the entry (held when `releaseAt` is in the future, else queued) and wakes the runner. */
  enqueue(args: EnqueueArgs): Promise<OutboxEntry>;
  /** The principal's entries, newest first (the admin names the user). */
  list(p: Principal, options: OutboxListOptions, userId?: string): Promise<OutboxEntry[]>;
  get(p: Principal, id: string): Promise<OutboxEntry>;
  /**
   * Cancels a held, queued or deferred entry (its recipients not yet sent become "cancelled"). Returns the entry and,
   * for one that was still held, its unsigned bytes (the caller returns them to Drafts). Fails with INVALID_INPUT (a
   * sentence saying why) when the entry is being sent right now or is already sent, bounced or cancelled.
   */
  cancel(p: Principal, id: string): Promise<{ entry: OutboxEntry; heldRaw: Buffer | null }>;
  /**
   * Calls `onChange` with each entry of the user (the admin names the user) whose state changed, in any process,
   * from when the returned promise resolves; the returned function ends it (GraphQL `outboxChanged`).
   */
  watch(
    p: Principal,
    onChange: (entry: OutboxEntry) => void,
    userId?: string,
    /** Told when the bus dropped the subscription (changes may have been missed). */
    onLost?: (error: Error) => void,
  ): Promise<() => Promise<void>>;
  /** Starts the runner in this process (eider serve); idempotent. */
  start(): void;
  /** Stops claiming, waits for attempts under way; the core's close() calls it. */
  stop(): Promise<void>;
}

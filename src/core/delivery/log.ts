// The delivery log: one entry per message and recipient user (who sent it, through what, what became of it).
import type { ParsedMessage } from "../../mime/index.js";
import type {
  DeliveryCursor,
  DeliveryOutcome,
  DeliveryRecord,
  DeliveryVia,
  Store,
} from "../../storage/ports.js";
import type { RecipientCheck, RecipientResult } from "../delivery.js";
import { invalidInput } from "../errors.js";
import { newId } from "../ids.js";
import type { CoreLimits } from "../limits.js";
import { requireUser, type Principal } from "../principal.js";

export interface DeliveryLogOptions {
  /** Entries older than this are pruned by the periodic maintenance. */
  retentionMs: number;
}

export interface DeliveryLogPage {
  entries: DeliveryRecord[];
  hasMore: boolean;
}

/** Reading the log: a user its own entries, the admin anyone's (or everyone's). */
export class DeliveryLogService {
  constructor(
    private readonly store: Store,
    private readonly limits: CoreLimits,
    private readonly options: DeliveryLogOptions,
  ) {}

  /** Newest first. A user sees only its own (naming another user is refused); the admin may name a user or not. */
  async list(
    p: Principal,
    options: { userId?: string; first: number; after?: DeliveryCursor },
  ): Promise<DeliveryLogPage> {
    const userId = p.kind === "admin" ? options.userId : requireUser(p, options.userId);
    const { first } = options;
    if (!Number.isInteger(first) || first < 1 || first > this.limits.maxPageSize)
      throw invalidInput(`Page size ${first} must be 1 to ${this.limits.maxPageSize}.`);
    const rows = await this.store.deliveries.list({ userId, limit: first + 1, after: options.after });
    return { entries: rows.slice(0, first), hasMore: rows.length > first };
  }

  /** Drops the entries older than the retention window (the maintenance job calls it). */
  async prune(now: Date): Promise<number> {
    return this.store.deliveries.prune(new Date(now.getTime() - this.options.retentionMs));
  }
}

/** Where a delivery came from: the route, and the client when the route has one. */
export interface DeliverySource {
  via: DeliveryVia;
  /** The connecting client's IP address and the name it gave in HELO/LHLO. */
  client?: { ip?: string; name?: string };
}

/**
 * The log entries of one `deliver()` call: one per user that an address resolved to (a refused disabled account
 * included), from the result of that user's first recipient. `headers` come from any parse of the message
 * (absent when none succeeded).
 */
export function deliveryEntries(
  source: DeliverySource & { mailFrom: string; size: number; at: Date },
  results: RecipientResult[],
  headers: ParsedMessage["headers"] | null,
): DeliveryRecord[] {
  const entries: DeliveryRecord[] = [];
  const seen = new Set<string>();
  for (const r of results) {
    if (!r.userId || seen.has(r.userId)) continue;
    seen.add(r.userId);
    const stored = r.status === "stored" ? r.stored : undefined;
    entries.push({
      id: newId(),
      userId: r.userId,
      at: source.at,
      via: source.via,
      clientIp: source.client?.ip || null,
      clientName: source.client?.name || null,
      mailFrom: source.mailFrom,
      from: headers?.from ?? [],
      recipient: r.recipient,
      messageIdHeader: headers?.messageId ?? null,
      subject: headers?.subject ?? "",
      size: source.size,
      outcome: outcomeOf(r),
      status: r.status,
      detail: r.message,
      mailboxId: stored?.mailboxId ?? null,
      uid: stored?.uid ?? null,
      messageId: stored?.messageId ?? null,
      verdict: r.status === "stored" ? (r.verdict ?? "inbox") : null,
      matchedFilters: r.matchedFilters ?? [],
      spam: r.spam ?? null,
    });
  }
  return entries;
}

/** The log entry of a known user's recipient refused before the message was sent (at LMTP's RCPT). */
export function refusalEntry(
  source: DeliverySource & { mailFrom: string; size: number; at: Date },
  check: RecipientCheck & { userId: string },
): DeliveryRecord {
  return {
    id: newId(),
    userId: check.userId,
    at: source.at,
    via: source.via,
    clientIp: source.client?.ip || null,
    clientName: source.client?.name || null,
    mailFrom: source.mailFrom,
    from: [],
    recipient: check.recipient,
    messageIdHeader: null,
    subject: "",
    size: source.size,
    outcome: "refused",
    status: check.status,
    detail: check.message,
    mailboxId: null,
    uid: null,
    messageId: null,
    verdict: null,
    matchedFilters: [],
    spam: null,
  };
}

function outcomeOf(r: RecipientResult): DeliveryOutcome {
  if (r.status !== "stored") return "refused";
  if (r.duplicate) return "duplicate";
  return r.verdict === "discarded" ? "discarded" : "stored";
}

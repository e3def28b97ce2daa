import type { OutboxRecord } from "../../storage/ports.js";
import { randomBytes } from "node:crypto";
import type { OutboxEntry } from "./types.js";

let lastMs = 0;
let sequence = 0;

/**
 * A queue id: 24 hex digits, the time in milliseconds first, then a counter, so ids made by one process strictly
 * increase and listing newest first by id is listing by creation (ids of one millisecond from two processes may
 * interleave).
 */
export function newEntryId(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else sequence++;
  return (
    lastMs.toString(16).padStart(11, "0") +
    (sequence & 0xfffff).toString(16).padStart(5, "0") +
    randomBytes(4).toString("hex")
  );
}

/** An entry as front ends see it: the stored row without the runner's bookkeeping (due time, claim, lease). */
export function toEntry(r: OutboxRecord): OutboxEntry {
  return {
    id: r.id,
    userId: r.userId,
    mailFrom: r.mailFrom,
    recipients: r.recipients.map((x) => ({ ...x })),
    state: r.state,
    subject: r.subject,
    messageIdHeader: r.messageIdHeader,
    size: r.size,
    createdAt: r.createdAt,
    releaseAt: r.releaseAt,
    nextAttemptAt: r.nextAttemptAt,
    lastResponse: r.lastResponse,
    sentCopyId: r.sentCopyId,
    draftId: r.draftId,
    updatedAt: r.updatedAt,
  };
}

/** An entry as it crossed the bus (JSON: dates as ISO strings), back to its types. */
export function entryFromMessage(m: Record<string, unknown>): OutboxEntry {
  const e = m as unknown as OutboxEntry;
  const date = (v: unknown) => new Date(v as string);
  return {
    ...e,
    recipients: e.recipients.map((x) => ({ ...x, updatedAt: date(x.updatedAt) })),
    createdAt: date(e.createdAt),
    releaseAt: date(e.releaseAt),
    nextAttemptAt: e.nextAttemptAt === null ? null : date(e.nextAttemptAt),
    updatedAt: date(e.updatedAt),
  };
}

// The attributes of a STATUS response (RFC 3501 §7.2.4) for the items asked, in the order asked; shared by
// STATUS and LIST-STATUS (RFC 5819).
import type { StatusItem } from "./parse/status-items.js";
import { atom, type ImapValue } from "./values.js";

/** What a mailbox's STATUS is made of (the core's MailboxStatus has these fields). */
export interface StatusCounters {
  messages: number;
  unseen: number;
  size: number;
  uidNext: number;
  uidValidity: number;
  highestModseq: number;
  /** The \\Deleted messages, when DELETED or DELETED-STORAGE was asked. */
  deleted?: { messages: number; size: number };
}

/** `STATUS name (MESSAGES 3 UIDNEXT 4 ...)`, the name already encoded for the session. */
export function statusResponse(
  name: string,
  items: readonly StatusItem[],
  s: StatusCounters,
  appendLimit: number,
): ImapValue[] {
  return [atom("STATUS"), name, statusAttributes(items, s, appendLimit)];
}

/**
 * `MESSAGES 3 UIDNEXT 4 ...`; RECENT is always 0 (no \Recent), APPENDLIMIT the session's limit (RFC 7889),
 * DELETED-STORAGE in KiB like the STORAGE quota resource (RFC 9208 §4.2), rounded up.
 */
export function statusAttributes(
  items: readonly StatusItem[],
  s: StatusCounters,
  appendLimit: number,
): ImapValue[] {
  const values: Record<StatusItem, number> = {
    MESSAGES: s.messages,
    RECENT: 0,
    UIDNEXT: s.uidNext,
    UIDVALIDITY: s.uidValidity,
    UNSEEN: s.unseen,
    HIGHESTMODSEQ: s.highestModseq,
    SIZE: s.size,
    APPENDLIMIT: appendLimit,
    DELETED: s.deleted?.messages ?? 0,
    "DELETED-STORAGE": Math.ceil((s.deleted?.size ?? 0) / 1024),
  };
  return items.flatMap((item) => [atom(item), values[item]]);
}

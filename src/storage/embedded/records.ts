import type { EmbeddedContext } from "./context.js";
import type {
  AddressValue,
  ContentSegment,
  FilterRecord,
  FlatDocument,
  MailboxRecord,
  MessageContent,
  MessageRecord,
  UserRecord,
} from "../ports.js";

// Row <-> record conversion. Dates are stored as epoch milliseconds, lists as JSON text.

export type Row = Record<string, any>;

export function toUser(r: Row): UserRecord {
  return {
    id: r.id,
    username: r.username,
    passwordHash: r.password_hash,
    disabled: r.disabled === 1,
    quotaBytes: r.quota_bytes,
    storageUsed: r.storage_used,
    modseq: r.modseq,
    spamLevel: r.spam_level ?? null,
    sendHoldSeconds: r.send_hold_seconds ?? 0,
    recipientsPerDay: r.recipients_per_day ?? null,
    createdAt: new Date(r.created_at),
  };
}

export function toFilter(r: Row): FilterRecord {
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    position: r.position,
    enabled: r.enabled === 1,
    conditions: JSON.parse(r.conditions) as FlatDocument,
    actions: JSON.parse(r.actions) as FlatDocument,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

export function toMailbox(r: Row): MailboxRecord {
  return {
    id: r.id,
    userId: r.user_id,
    path: r.path,
    specialUse: r.special_use,
    subscribed: r.subscribed === 1,
    uidValidity: r.uid_validity,
    uidNext: r.uid_next,
    highestModseq: r.highest_modseq,
    createdAt: new Date(r.created_at),
  };
}

/** The columns a message summary needs (no body, segments, meta or search text). */
export const MESSAGE_COLUMNS =
  "id, user_id, mailbox_id, uid, modseq, flags, internal_date, sent_date, size, thread_id, subject, addr_from, addr_to, addr_cc, msgid, has_attachments, preview";

export function toMessage(r: Row): MessageRecord {
  return {
    id: r.id,
    userId: r.user_id,
    mailboxId: r.mailbox_id,
    uid: r.uid,
    modseq: r.modseq,
    flags: JSON.parse(r.flags) as string[],
    internalDate: new Date(r.internal_date),
    sentDate: new Date(r.sent_date),
    size: r.size,
    threadId: r.thread_id,
    subject: r.subject,
    from: JSON.parse(r.addr_from) as AddressValue[],
    to: JSON.parse(r.addr_to) as AddressValue[],
    cc: JSON.parse(r.addr_cc) as AddressValue[],
    messageIdHeader: r.msgid,
    hasAttachments: r.has_attachments === 1,
    preview: r.preview,
  };
}

type SegmentRef = { i: number } | { h: string; s: number };

/** Inline segments are packed into one BLOB column; the segment list keeps their lengths and the blob refs. */
export function packContent(content: MessageContent): { body: Buffer; segments: string; meta: string } {
  const inline: Buffer[] = [];
  const refs: SegmentRef[] = content.segments.map((s) => {
    if (s.kind === "inline") {
      inline.push(s.data);
      return { i: s.data.length };
    }
    return { h: s.hash, s: s.size };
  });
  return {
    body: Buffer.concat(inline),
    segments: JSON.stringify(refs),
    meta: JSON.stringify(content.meta ?? null),
  };
}

export function unpackContent(r: Row): MessageContent {
  return { segments: unpackSegments(r), meta: JSON.parse(r.meta) };
}

/** The segments from the body column and the segment list: inline pieces are views into the one body buffer. */
export function unpackSegments(r: Row): ContentSegment[] {
  const body = r.body as Buffer;
  let offset = 0;
  return (JSON.parse(r.segments) as SegmentRef[]).map((ref) => {
    if ("i" in ref) {
      const data = body.subarray(offset, offset + ref.i);
      offset += ref.i;
      return { kind: "inline", data };
    }
    return { kind: "blob", hash: ref.h, size: ref.s };
  });
}

export function placeholders(n: number): string {
  return new Array(n).fill("?").join(", ");
}

/** Rows of the user's messages among `ids` (each once), in the order of `ids`, in chunks under SQLite's variable limit. */
export function selectMany(ctx: EmbeddedContext, userId: string, ids: string[], extra = ""): Row[] {
  const out: Row[] = [];
  const CHUNK = 500;
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const chunk = unique.slice(i, i + CHUNK);
    const rows = ctx
      .stmt(
        `SELECT ${MESSAGE_COLUMNS}${extra} FROM messages WHERE +user_id = ? AND id IN (${placeholders(chunk.length)})`,
      )
      .all(userId, ...chunk) as Row[];
    const byId = new Map(rows.map((r) => [r.id as string, r]));
    for (const id of chunk) {
      const r = byId.get(id);
      if (r) out.push(r);
    }
  }
  return out;
}

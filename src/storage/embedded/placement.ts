import type { NewMessage } from "../ports.js";
import type { EmbeddedContext } from "./context.js";
import type { Row } from "./records.js";

// Placing new message rows (append and copy): a modseq and a UID each, the blob references, the quota usage,
// the mailbox counts and the journal entry, all in the caller's transaction (call inside ctx.write), so a
// crash leaves either the whole message or nothing. The MongoDB adapter's placement.ts is the same step
// as ordered writes guarded by the unique {mailbox, uid} index.

const SEEN = "\\Seen";

/** Inserts a new message with the next UID of its mailbox and the account's next modseq. */
export function insertMessage(
  ctx: EmbeddedContext,
  m: NewMessage,
  packed: { body: Buffer; segments: string; meta: string },
  threadId: string,
): { uid: number; modseq: number } {
  const unseen = m.flags.includes(SEEN) ? 0 : 1;
  // One statement per row touched (the account, the mailbox), where each counter would take its own.
  const modseq = ctx.placeInAccount(m.userId, m.size);
  const uid = ctx.placeInMailbox(m.mailboxId, unseen, m.size, modseq);
  ctx
    .stmt(
      `INSERT INTO messages (id, user_id, mailbox_id, uid, modseq, flags, seen, internal_date, sent_date, size,
       thread_id, subject, addr_from, addr_to, addr_cc, addr_bcc, msgid, has_attachments, preview, search_text,
       blob_refs, body, segments, meta, search_headers, sent_day)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      m.id,
      m.userId,
      m.mailboxId,
      uid,
      modseq,
      JSON.stringify(m.flags),
      m.flags.includes(SEEN) ? 1 : 0,
      m.internalDate.getTime(),
      m.sentDate.getTime(),
      m.size,
      threadId,
      m.subject,
      JSON.stringify(m.from),
      JSON.stringify(m.to),
      JSON.stringify(m.cc),
      JSON.stringify(m.bcc),
      m.messageIdHeader,
      m.hasAttachments ? 1 : 0,
      m.preview,
      m.searchText,
      JSON.stringify(m.blobRefs),
      packed.body,
      packed.segments,
      packed.meta,
      m.searchHeaders ?? "",
      m.sentDay ?? Math.floor(m.sentDate.getTime() / 86_400_000),
    );
  ctx.changeBlobRefs(m.blobRefs, 1);
  ctx.journal(m.userId, modseq, m.mailboxId, "exists", m.id, uid, false);
  return { uid, modseq };
}

/** Inserts copies of the given rows (read in the same transaction) into the target mailbox; returns the new ids. */
export function insertCopies(
  ctx: EmbeddedContext,
  userId: string,
  copies: Array<{ id: string; newId: string; row: Row }>,
  targetMailboxId: string,
): string[] {
  const firstUid = ctx.takeUids(targetMailboxId, copies.length);
  const insert = ctx.stmt(
    `INSERT INTO messages (id, user_id, mailbox_id, uid, modseq, flags, seen, internal_date, sent_date, size,
       thread_id, subject, addr_from, addr_to, addr_cc, addr_bcc, msgid, has_attachments, preview, search_text,
       blob_refs, body, segments, meta, search_headers, sent_day)
     SELECT ?, user_id, ?, ?, ?, flags, seen, internal_date, sent_date, size, thread_id, subject, addr_from,
       addr_to, addr_cc, addr_bcc, msgid, has_attachments, preview, search_text, blob_refs, body, segments, meta,
       search_headers, sent_day
     FROM messages WHERE id = ?`,
  );
  return copies.map((p, i) => {
    const r = p.row;
    const uid = firstUid + i;
    const modseq = ctx.takeModseqs(userId, 1);
    insert.run(p.newId, targetMailboxId, uid, modseq, p.id);
    ctx.changeBlobRefs(JSON.parse(r.blob_refs) as string[], 1);
    ctx.reserveStorage(userId, r.size);
    ctx.changeCounts(targetMailboxId, 1, r.seen ? 0 : 1, r.size);
    ctx.journal(userId, modseq, targetMailboxId, "exists", p.newId, uid);
    return p.newId;
  });
}

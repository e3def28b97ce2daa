import type { Database } from "better-sqlite3";
import type { JournalKind } from "../ports.js";

/** What the embedded store's parts share: the database and the per-change bookkeeping. */
export class EmbeddedContext {
  constructor(
    readonly db: Database,
    readonly blobDir: string,
  ) {}

  /** Reserves `n` account modseqs and returns the first. Call inside a transaction. */
  takeModseqs(userId: string, n: number): number {
    const row = this.db
      .prepare("UPDATE users SET modseq = modseq + ? WHERE id = ? RETURNING modseq")
      .get(n, userId) as { modseq: number } | undefined;
    if (!row) throw new Error(`User ${userId} does not exist.`);
    return row.modseq - n + 1;
  }

  /** Reserves `n` UIDs in a mailbox and returns the first. Call inside a transaction. */
  takeUids(mailboxId: string, n: number): number {
    const row = this.db
      .prepare("UPDATE mailboxes SET uid_next = uid_next + ? WHERE id = ? RETURNING uid_next")
      .get(n, mailboxId) as { uid_next: number } | undefined;
    if (!row) throw new Error(`Mailbox ${mailboxId} does not exist.`);
    return row.uid_next - n;
  }

  journal(
    userId: string,
    modseq: number,
    mailboxId: string,
    kind: JournalKind,
    messageId: string | null,
    uid: number | null,
  ): void {
    this.db
      .prepare(
        "INSERT INTO journal (user_id, modseq, mailbox_id, kind, message_id, uid, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      )
      .run(userId, modseq, mailboxId, kind, messageId, uid, Date.now());
    this.db
      .prepare("UPDATE mailboxes SET highest_modseq = max(highest_modseq, ?) WHERE id = ?")
      .run(modseq, mailboxId);
  }

  /** Adds (or with a negative delta drops) one reference per listed hash. */
  changeBlobRefs(hashes: string[], delta: 1 | -1): void {
    const stmt = this.db.prepare("UPDATE blobs SET refs = refs + ? WHERE hash = ?");
    for (const hash of hashes) {
      const info = stmt.run(delta, hash);
      if (info.changes === 0 && delta > 0) throw new Error(`Blob ${hash} was not stored before it was referenced.`);
    }
  }

  /** Adjusts a mailbox's message, unseen and byte counters. Call inside the transaction of the change. */
  changeCounts(mailboxId: string, total: number, unseen: number, size: number): void {
    this.db
      .prepare("UPDATE mailboxes SET total_count = total_count + ?, unseen_count = unseen_count + ?, total_size = total_size + ? WHERE id = ?")
      .run(total, unseen, size, mailboxId);
  }

  changeStorage(userId: string, delta: number): void {
    this.db.prepare("UPDATE users SET storage_used = storage_used + ? WHERE id = ?").run(delta, userId);
  }
}

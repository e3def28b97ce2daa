import { promises as fs } from "node:fs";
import type { Database, Statement } from "better-sqlite3";
import { StoreQuotaError, type JournalKind } from "../ports.js";

interface PendingWrite {
  fn: () => unknown;
  resolve: (value: any) => void;
  reject: (err: unknown) => void;
}

const MAX_CACHED_STATEMENTS = 1000;

/** What the embedded store's parts share: the database, the group commit and the per-change bookkeeping. */
export class EmbeddedContext {
  private pending: PendingWrite[] = [];
  private readonly statements = new Map<string, Statement>();
  /** Committed, waiting for a WAL sync that starts after their commit; settled by it. */
  private unsynced: Array<(err?: unknown) => void> = [];
  private syncing: Promise<void> | null = null;
  /** The WAL, opened at the first sync and kept: SQLite removes the file only when the last connection closes. */
  private wal: fs.FileHandle | null = null;

  constructor(
    readonly db: Database,
    readonly blobDir: string,
  ) {}

  /**
   * Runs one logical change in a transaction and resolves only after it is durably committed. Changes that
   * arrive in the same turn of the event loop share one commit (group commit); each runs in its own savepoint,
   * so one that fails is rolled back alone and rejects alone. The commit itself does not wait for the disk
   * (synchronous = NORMAL, see schema.ts): the WAL is then synced in the thread pool, so the event loop keeps
   * parsing and answering while the disk works. Changes that arrive during a sync gather and commit together
   * when it ends, so a busy store makes few, large commits, as when the commit itself waited for the disk.
   */
  write<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve, reject });
      if (this.pending.length === 1 && !this.syncing) setImmediate(() => this.flush());
    });
  }

  /** Commits what is queued now and waits until every commit made so far is on disk (before close). */
  async drain(): Promise<void> {
    if (this.pending.length > 0) this.flush();
    await this.synced();
    await this.wal?.close();
    this.wal = null;
  }

  /** Resolves once every change committed so far is on disk (for writers that commit on their own). */
  synced(): Promise<void> {
    return new Promise((resolve, reject) => this.afterSync((err) => (err ? reject(err) : resolve())));
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; err: unknown }> = [];
    try {
      // IMMEDIATE: the write lock is taken at BEGIN, waiting (busy_timeout) while another connection (the write
      // thread's, another process) holds it; a deferred one that read first could fail on a changed snapshot.
      this.db
        .transaction(() => {
          for (const item of batch) {
            try {
              outcomes.push({ ok: true, value: this.db.transaction(item.fn)() });
            } catch (err) {
              outcomes.push({ ok: false, err });
            }
          }
        })
        .immediate();
    } catch (err) {
      for (const item of batch) item.reject(err); // the commit itself failed: nothing of the batch is stored
      return;
    }
    // A change that failed alone rejects now; the others resolve once the WAL holding them is synced.
    batch.forEach((item, i) => {
      const o = outcomes[i];
      if (o.ok) this.afterSync((err) => (err ? item.reject(err) : item.resolve(o.value)));
      else item.reject(o.err);
    });
  }

  /**
   * Syncs the WAL's data to disk: fsync acts on the file, whichever descriptor wrote it. No WAL yet: nothing
   * was committed through it (SQLite creates it at the first write), so there is nothing to sync.
   */
  private async syncWalFile(): Promise<void> {
    if (!this.wal) {
      try {
        this.wal = await fs.open(`${this.db.name}-wal`, "r");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
        throw err;
      }
    }
    await this.wal.datasync();
  }

  /** Calls `settle` after a WAL sync that starts after now (one runs at a time; the next takes all waiting). */
  private afterSync(settle: (err?: unknown) => void): void {
    this.unsynced.push(settle);
    if (!this.syncing) this.syncing = this.syncWal();
  }

  private async syncWal(): Promise<void> {
    while (this.unsynced.length > 0) {
      const waiting = this.unsynced;
      this.unsynced = [];
      let failure: unknown;
      try {
        await this.syncWalFile();
      } catch (err) {
        failure = err;
      }
      for (const settle of waiting) settle(failure);
      // What arrived during the sync commits now, as one group, and takes the next sync.
      this.flush();
    }
    this.syncing = null;
  }

  /** A prepared statement, compiled once per SQL text. */
  stmt(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.clear();
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Reserves `n` account modseqs and returns the first. Call inside a transaction. */
  takeModseqs(userId: string, n: number): number {
    const row = this.stmt("UPDATE users SET modseq = modseq + ? WHERE id = ? RETURNING modseq").get(
      n,
      userId,
    ) as { modseq: number } | undefined;
    if (!row) throw new Error(`User ${userId} does not exist.`);
    return row.modseq - n + 1;
  }

  /** Reserves `n` UIDs in a mailbox and returns the first. Call inside a transaction. */
  takeUids(mailboxId: string, n: number): number {
    const row = this.stmt("UPDATE mailboxes SET uid_next = uid_next + ? WHERE id = ? RETURNING uid_next").get(
      n,
      mailboxId,
    ) as { uid_next: number } | undefined;
    if (!row) throw new Error(`Mailbox ${mailboxId} does not exist.`);
    return row.uid_next - n;
  }

  /**
   * For one new message: the account's next modseq and `size` more storage used, unless that passes the quota
   * (0: none). Returns the modseq. Call inside a transaction.
   */
  placeInAccount(userId: string, size: number): number {
    const row = this.stmt(
      `UPDATE users SET modseq = modseq + 1, storage_used = storage_used + ?
       WHERE id = ? AND (quota_bytes = 0 OR storage_used + ? <= quota_bytes) RETURNING modseq`,
    ).get(size, userId, size) as { modseq: number } | undefined;
    if (row) return row.modseq;
    if (!this.stmt("SELECT 1 FROM users WHERE id = ?").get(userId))
      throw new Error(`User ${userId} does not exist.`);
    throw new StoreQuotaError(userId, size);
  }

  /**
   * For one new message with `modseq`: the mailbox's next UID, its counters and highest modseq. Returns the UID.
   * Call inside a transaction.
   */
  placeInMailbox(mailboxId: string, unseen: 0 | 1, size: number, modseq: number): number {
    const row = this.stmt(
      `UPDATE mailboxes SET uid_next = uid_next + 1, total_count = total_count + 1,
         unseen_count = unseen_count + ?, total_size = total_size + ?, highest_modseq = max(highest_modseq, ?)
       WHERE id = ? RETURNING uid_next`,
    ).get(unseen, size, modseq, mailboxId) as { uid_next: number } | undefined;
    if (!row) throw new Error(`Mailbox ${mailboxId} does not exist.`);
    return row.uid_next - 1;
  }

  /**
   * Writes a change's journal entry and raises its mailbox's highest modseq to it; `raiseMailbox` false when
   * the caller's own mailbox update has already done so.
   */
  journal(
    userId: string,
    modseq: number,
    mailboxId: string,
    kind: JournalKind,
    messageId: string | null,
    uid: number | null,
    raiseMailbox = true,
  ): void {
    this.stmt(
      "INSERT INTO journal (user_id, modseq, mailbox_id, kind, message_id, uid, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ).run(userId, modseq, mailboxId, kind, messageId, uid, Date.now());
    if (raiseMailbox)
      this.stmt("UPDATE mailboxes SET highest_modseq = max(highest_modseq, ?) WHERE id = ?").run(
        modseq,
        mailboxId,
      );
  }

  /** Adds (or with a negative delta drops) one reference per listed hash. */
  changeBlobRefs(hashes: string[], delta: 1 | -1): void {
    const stmt = this.stmt("UPDATE blobs SET refs = refs + ? WHERE hash = ?");
    for (const hash of hashes) {
      const info = stmt.run(delta, hash);
      if (info.changes === 0 && delta > 0)
        throw new Error(`Blob ${hash} was not stored before it was referenced.`);
    }
  }

  /** Adjusts a mailbox's message, unseen and byte counters. Call inside the transaction of the change. */
  changeCounts(mailboxId: string, total: number, unseen: number, size: number): void {
    this.stmt(
      "UPDATE mailboxes SET total_count = total_count + ?, unseen_count = unseen_count + ?, total_size = total_size + ? WHERE id = ?",
    ).run(total, unseen, size, mailboxId);
  }

  /** Adds usage unless it would pass the user's quota (0: none), in the caller's transaction. */
  reserveStorage(userId: string, adding: number): void {
    const info = this.stmt(
      "UPDATE users SET storage_used = storage_used + ? WHERE id = ? AND (quota_bytes = 0 OR storage_used + ? <= quota_bytes)",
    ).run(adding, userId, adding);
    if (info.changes === 0) throw new StoreQuotaError(userId, adding);
  }

  changeStorage(userId: string, delta: number): void {
    this.stmt("UPDATE users SET storage_used = storage_used + ? WHERE id = ?").run(delta, userId);
  }
}

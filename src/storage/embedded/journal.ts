import type { JournalEntry, JournalStore } from "../ports.js";
import type { EmbeddedContext } from "./context.js";
import type { Row } from "./records.js";

export class SqliteJournalStore implements JournalStore {
  constructor(private readonly ctx: EmbeddedContext) {}

  async since(userId: string, since: number, limit: number): Promise<JournalEntry[]> {
    const rows = this.ctx
      .stmt("SELECT * FROM journal WHERE user_id = ? AND modseq > ? ORDER BY modseq LIMIT ?")
      .all(userId, since, limit) as Row[];
    return rows.map((r) => ({
      userId: r.user_id,
      modseq: r.modseq,
      mailboxId: r.mailbox_id,
      kind: r.kind,
      messageId: r.message_id,
      uid: r.uid,
      at: new Date(r.at),
    }));
  }

  async expungedSince(userId: string, mailboxId: string, since: number): Promise<number[]> {
    const rows = this.ctx
      .stmt(
        "SELECT uid FROM journal WHERE user_id = ? AND modseq > ? AND mailbox_id = ? AND kind = 'expunge' ORDER BY uid",
      )
      .all(userId, since, mailboxId) as Row[];
    return rows.map((r) => r.uid as number);
  }

  async floor(userId: string): Promise<number> {
    const r = this.ctx.stmt("SELECT journal_floor FROM users WHERE id = ?").get(userId) as Row | undefined;
    return r?.journal_floor ?? 0;
  }

  async prune(before: Date): Promise<number> {
    return this.ctx.write(() => {
      const tops = this.ctx
        .stmt("SELECT user_id, max(modseq) AS top FROM journal WHERE at < ? GROUP BY user_id")
        .all(before.getTime()) as Row[];
      const raise = this.ctx.stmt("UPDATE users SET journal_floor = max(journal_floor, ?) WHERE id = ?");
      const drop = this.ctx.stmt("DELETE FROM journal WHERE user_id = ? AND modseq <= ?");
      let removed = 0;
      for (const t of tops) {
        raise.run(t.top, t.user_id);
        removed += drop.run(t.user_id, t.top).changes;
      }
      return removed;
    });
  }
}

import type { JournalEntry, JournalStore } from "../ports.js";
import type { EmbeddedContext } from "./context.js";
import type { Row } from "./rows.js";

export class SqliteJournalStore implements JournalStore {
  constructor(private readonly ctx: EmbeddedContext) {}

  async since(userId: string, since: number, limit: number): Promise<JournalEntry[]> {
    const rows = this.ctx.db
      .prepare("SELECT * FROM journal WHERE user_id = ? AND modseq > ? ORDER BY modseq LIMIT ?")
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

  async floor(userId: string): Promise<number> {
    const r = this.ctx.db.prepare("SELECT min(modseq) AS m FROM journal WHERE user_id = ?").get(userId) as Row;
    return r.m === null ? 0 : r.m - 1;
  }
}

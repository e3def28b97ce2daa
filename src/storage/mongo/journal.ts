import type { JournalEntry, JournalStore } from "../ports.js";
import type { MongoContext } from "./context.js";

export class MongoJournalStore implements JournalStore {
  constructor(private readonly ctx: MongoContext) {}

  async since(userId: string, since: number, limit: number): Promise<JournalEntry[]> {
    const docs = await this.ctx.journal
      .find({ user: userId, modseq: { $gt: since } })
      .sort({ modseq: 1 })
      .limit(limit)
      .toArray();
    return docs.map((d) => ({
      userId: d.user,
      modseq: d.modseq,
      mailboxId: d.mailbox,
      kind: d.kind,
      messageId: d.message,
      uid: d.uid,
      at: d.at,
    }));
  }

  async floor(userId: string): Promise<number> {
    const first = await this.ctx.journal.findOne(
      { user: userId },
      { sort: { modseq: 1 }, projection: { modseq: 1 } },
    );
    return first ? first.modseq - 1 : 0;
  }
}

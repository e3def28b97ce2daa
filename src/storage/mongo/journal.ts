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

  async expungedSince(userId: string, mailboxId: string, since: number): Promise<number[]> {
    const docs = await this.ctx.journal
      .find(
        { user: userId, modseq: { $gt: since }, mailbox: mailboxId, kind: "expunge" },
        { projection: { uid: 1 } },
      )
      .toArray();
    return docs.map((d) => d.uid as number).sort((a, b) => a - b);
  }

  async floor(userId: string): Promise<number> {
    const user = await this.ctx.users.findOne({ _id: userId }, { projection: { journalFloor: 1 } });
    return user?.journalFloor ?? 0;
  }

  async prune(before: Date): Promise<number> {
    // distinct + findOne per user rather than $group/$max, which FerretDB v1 lacks.
    const users = (await this.ctx.journal.distinct("user", { at: { $lt: before } })) as string[];
    let removed = 0;
    for (const userId of users) {
      const last = await this.ctx.journal.findOne(
        { user: userId, at: { $lt: before } },
        { sort: { modseq: -1 } },
      );
      if (!last) continue;
      const top = last.modseq;
      // Floor first: a crash between the two steps leaves entries unreachable, never claims reachable what is gone.
      await this.ctx.users.updateOne({ _id: userId }, { $max: { journalFloor: top } });
      removed += (await this.ctx.journal.deleteMany({ user: userId, modseq: { $lte: top } })).deletedCount;
    }
    return removed;
  }
}

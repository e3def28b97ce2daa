import type { MailboxCounts, MailboxRecord, MailboxStore, NewMailbox, RemovedMessage } from "../ports.js";
import { StoreConflictError } from "../ports.js";
import { chunks, type MongoContext } from "./context.js";
import { isDuplicateKey } from "./constraint-errors.js";
import { toMailbox, type MailboxDoc } from "./records.js";
import { REMOVAL_PROJECTION, removeMessages } from "./removal.js";

const SEEN = "\\Seen";

/** Inserts mailboxes (the unique `{user, path}` index refuses a taken path) and journals each creation. */
export async function insertMailboxes(
  ctx: MongoContext,
  userId: string,
  mailboxes: NewMailbox[],
): Promise<void> {
  if (mailboxes.length === 0) return;
  const first = await ctx.takeModseqs(userId, mailboxes.length);
  const firstValidity = await ctx.takeUidValidities(
    userId,
    mailboxes.length,
    Math.max(...mailboxes.map((m) => m.uidValidity)),
  );
  const docs: MailboxDoc[] = mailboxes.map((m, i) => ({
    _id: m.id,
    user: userId,
    path: m.path,
    specialUse: m.specialUse,
    subscribed: m.subscribed,
    uidValidity: firstValidity + i,
    uidNext: 1,
    highestModseq: first + i,
    createdAt: m.createdAt,
  }));
  let inserted = docs.length;
  let conflict: StoreConflictError | null = null;
  try {
    await ctx.mailboxes.insertMany(docs, { ordered: true });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    inserted = firstFailedIndex(err);
    conflict = new StoreConflictError(`Mailbox "${mailboxes[inserted].path}" already exists.`, "path");
  }
  await ctx.writeJournal(
    userId,
    docs.slice(0, inserted).map((d) => ({
      modseq: d.highestModseq,
      mailbox: d._id,
      kind: "mailbox-create",
      message: null,
      uid: null,
    })),
  );
  if (conflict) throw conflict;
}

/** The index of the first refused document of an ordered bulk insert: the ones before it were stored. */
function firstFailedIndex(err: unknown): number {
  const errors = (err as { writeErrors?: { index: number } | Array<{ index: number }> }).writeErrors;
  const first = Array.isArray(errors) ? errors[0] : errors;
  return first?.index ?? 0;
}

export class MongoMailboxStore implements MailboxStore {
  constructor(private readonly ctx: MongoContext) {}

  async create(mailbox: NewMailbox): Promise<MailboxRecord> {
    await insertMailboxes(this.ctx, mailbox.userId, [mailbox]);
    return (await this.get(mailbox.userId, mailbox.id))!;
  }

  async get(userId: string, id: string): Promise<MailboxRecord | null> {
    const d = await this.ctx.mailboxes.findOne({ _id: id, user: userId });
    return d ? toMailbox(d) : null;
  }

  async getByPath(userId: string, path: string): Promise<MailboxRecord | null> {
    const d = await this.ctx.mailboxes.findOne({ user: userId, path });
    return d ? toMailbox(d) : null;
  }

  async list(userId: string): Promise<MailboxRecord[]> {
    return (await this.ctx.mailboxes.find({ user: userId }).sort({ path: 1 }).toArray()).map(toMailbox);
  }

  async getMany(userId: string, ids: string[]): Promise<MailboxRecord[]> {
    const out: MailboxRecord[] = [];
    for (const chunk of chunks(ids)) {
      out.push(
        ...(await this.ctx.mailboxes.find({ _id: { $in: chunk }, user: userId }).toArray()).map(toMailbox),
      );
    }
    return out;
  }

  async update(
    userId: string,
    id: string,
    patch: { path?: string; subscribed?: boolean },
  ): Promise<{ mailbox: MailboxRecord; modseq: number | null } | null> {
    const set: Partial<MailboxDoc> = {};
    if (patch.path !== undefined) set.path = patch.path;
    if (patch.subscribed !== undefined) set.subscribed = patch.subscribed;
    if (Object.keys(set).length === 0) {
      const unchanged = await this.get(userId, id);
      return unchanged && { mailbox: unchanged, modseq: null };
    }
    let matched: number;
    try {
      matched = (await this.ctx.mailboxes.updateOne({ _id: id, user: userId }, { $set: set })).matchedCount;
    } catch (err) {
      if (isDuplicateKey(err))
        throw new StoreConflictError(`Mailbox "${patch.path}" already exists.`, "path");
      throw err;
    }
    if (matched === 0) return null;
    const modseq = await this.ctx.takeModseqs(userId, 1);
    await this.ctx.writeJournal(userId, [
      { modseq, mailbox: id, kind: "mailbox-update", message: null, uid: null },
    ]);
    const mailbox = await this.get(userId, id);
    return mailbox && { mailbox, modseq };
  }

  /**
   * Removes the messages (each journaled as an expunge), then the mailbox, then sweeps any message a
   * concurrent append slipped in meanwhile, and journals "mailbox-delete". A crash part way leaves the
   * mailbox with fewer messages, which a second delete finishes.
   */
  async delete(
    userId: string,
    id: string,
  ): Promise<{ removed: RemovedMessage[]; modseq: number | null } | null> {
    const { ctx } = this;
    if (!(await ctx.mailboxes.findOne({ _id: id, user: userId }, { projection: { _id: 1 } }))) return null;
    const removed = await this.removeAll(userId, id);
    const deleted = (await ctx.mailboxes.deleteOne({ _id: id, user: userId })).deletedCount === 1;
    removed.push(...(await this.removeAll(userId, id)));
    if (!deleted) return { removed, modseq: null };
    const modseq = await ctx.takeModseqs(userId, 1);
    await ctx.writeJournal(userId, [
      { modseq, mailbox: id, kind: "mailbox-delete", message: null, uid: null },
    ]);
    return { removed, modseq };
  }

  private async removeAll(userId: string, mailboxId: string): Promise<RemovedMessage[]> {
    const removed: RemovedMessage[] = [];
    for (;;) {
      const batch = await this.ctx.messages
        .find({ mailbox: mailboxId, user: userId }, { projection: REMOVAL_PROJECTION })
        .sort({ uid: 1 })
        .limit(1000)
        .toArray();
      if (batch.length === 0) return removed;
      removed.push(...(await removeMessages(this.ctx, userId, batch)));
    }
  }

  /** Counts with `countDocuments` and sums sizes with `$group`/`$sum: "$size"` (never `$sum: 1`, see README). */
  async counts(userId: string, ids: string[]): Promise<MailboxCounts[]> {
    if (ids.length === 0) return [];
    const { messages } = this.ctx;
    const sizes = new Map<string, number>();
    for (const chunk of chunks(ids)) {
      const rows = await messages
        .aggregate<{ _id: string; size: number }>([
          { $match: { user: userId, mailbox: { $in: chunk } } },
          { $group: { _id: "$mailbox", size: { $sum: "$size" } } },
        ])
        .toArray();
      for (const r of rows) sizes.set(r._id, r.size);
    }
    return Promise.all(
      ids.map(async (mailboxId) => {
        if (!sizes.has(mailboxId)) return { mailboxId, total: 0, unseen: 0, size: 0 };
        const [total, unseen] = await Promise.all([
          messages.countDocuments({ mailbox: mailboxId, user: userId }),
          messages.countDocuments({ mailbox: mailboxId, user: userId, flags: { $ne: SEEN } }),
        ]);
        return { mailboxId, total, unseen, size: sizes.get(mailboxId)! };
      }),
    );
  }
}

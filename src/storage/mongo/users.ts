import type { NewMailbox, NewUser, UserPatch, UserRecord, UserStore } from "../ports.js";
import { StoreConflictError } from "../ports.js";
import type { MongoContext } from "./context.js";
import { isDuplicateKey } from "./constraint-errors.js";
import { toUser, type UserDoc } from "./records.js";
import { insertMailboxes } from "./mailboxes.js";
import { removeMessageDocs } from "./removal.js";

export class MongoUserStore implements UserStore {
  constructor(
    private readonly ctx: MongoContext,
    /** Removes the user's outbound queue (its own collections and files). */
    private readonly removeOutbox: (userId: string) => Promise<void> = async () => {},
  ) {}

  /** Inserts the user, then its mailboxes (a crash in between leaves a user the core can give an INBOX). */
  async create(user: NewUser, mailboxes: NewMailbox[]): Promise<UserRecord> {
    const doc: UserDoc = {
      _id: user.id,
      username: user.username,
      passwordHash: user.passwordHash,
      disabled: false,
      quotaBytes: user.quotaBytes,
      storageUsed: 0,
      modseq: 0,
      createdAt: user.createdAt,
    };
    try {
      await this.ctx.users.insertOne(doc);
    } catch (err) {
      if (isDuplicateKey(err))
        throw new StoreConflictError(`User "${user.username}" already exists.`, "username");
      throw err;
    }
    await insertMailboxes(this.ctx, user.id, mailboxes);
    return (await this.get(user.id))!;
  }

  async get(id: string): Promise<UserRecord | null> {
    const d = await this.ctx.users.findOne({ _id: id });
    return d ? toUser(d) : null;
  }

  async getByName(username: string): Promise<UserRecord | null> {
    const d = await this.ctx.users.findOne({ username });
    return d ? toUser(d) : null;
  }

  async list(limit: number, afterUsername?: string): Promise<UserRecord[]> {
    const docs = await this.ctx.users
      .find({ username: { $gt: afterUsername ?? "" } })
      .sort({ username: 1 })
      .limit(limit)
      .toArray();
    return docs.map(toUser);
  }

  async update(id: string, patch: UserPatch): Promise<UserRecord | null> {
    const set: Partial<UserDoc> = {};
    if (patch.passwordHash !== undefined) set.passwordHash = patch.passwordHash;
    if (patch.disabled !== undefined) set.disabled = patch.disabled;
    if (patch.quotaBytes !== undefined) set.quotaBytes = patch.quotaBytes;
    if (patch.spamLevel !== undefined) set.spamLevel = patch.spamLevel;
    if (patch.sendHoldSeconds !== undefined) set.sendHoldSeconds = patch.sendHoldSeconds;
    if (patch.recipientsPerDay !== undefined) set.recipientsPerDay = patch.recipientsPerDay;
    if (Object.keys(set).length === 0) return this.get(id);
    const d = await this.ctx.users.findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: "after" });
    return d ? toUser(d) : null;
  }

  /**
   * Removes what the user owns, the user document last, so a crash part way leaves a user whose delete
   * can simply be run again. Blob references of its messages are dropped; the blobs go at the next repair.
   */
  async delete(id: string): Promise<boolean> {
    const { ctx } = this;
    if (!(await ctx.users.findOne({ _id: id }, { projection: { _id: 1 } }))) return false;
    for (;;) {
      const batch = await ctx.messages
        .find({ user: id }, { projection: { _id: 1, mailbox: 1, uid: 1, size: 1, blobRefs: 1 } })
        .limit(1000)
        .toArray();
      if (batch.length === 0) break;
      const gone = await removeMessageDocs(ctx, id, batch);
      await ctx.dropBlobRefs(gone.flatMap((d) => d.blobRefs));
    }
    await ctx.mailboxes.deleteMany({ user: id });
    await ctx.addresses.deleteMany({ user: id });
    await ctx.journal.deleteMany({ user: id });
    await ctx.threads.deleteMany({ user: id });
    await ctx.threadRefs.deleteMany({ user: id });
    await ctx.sessions.deleteMany({ user: id });
    await ctx.db.collection<{ _id: string }>("autoreplies").deleteOne({ _id: id });
    await ctx.db.collection("autoreplysent").deleteMany({ user: id });
    await ctx.filters.deleteMany({ user: id });
    await ctx.deliveries.deleteMany({ user: id });
    await ctx.deliveredIds.deleteMany({ user: id });
    await this.removeOutbox(id);
    return (await ctx.users.deleteOne({ _id: id })).deletedCount > 0;
  }
}

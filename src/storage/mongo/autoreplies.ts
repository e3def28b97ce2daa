import type { Collection } from "mongodb";
import type { AutoreplyRecord, AutoreplyStore } from "../ports.js";
import { isDuplicateKey } from "./constraint-errors.js";
import type { MongoContext } from "./context.js";

/** A user's setting: the record with the user id as `_id`. */
type AutoreplyDoc = Omit<AutoreplyRecord, "userId"> & { _id: string };

/** One sender a user's autoreply answered; the unique `{user, sender}` index keeps it one per pair. */
interface AutoreplySentDoc {
  user: string;
  sender: string;
  sentAt: Date;
}

export class MongoAutoreplyStore implements AutoreplyStore {
  private readonly settings: Collection<AutoreplyDoc>;
  private readonly sent: Collection<AutoreplySentDoc>;

  constructor(ctx: MongoContext) {
    this.settings = ctx.db.collection("autoreplies");
    this.sent = ctx.db.collection("autoreplysent");
  }

  async get(userId: string): Promise<AutoreplyRecord | null> {
    const d = await this.settings.findOne({ _id: userId });
    if (!d) return null;
    const { _id, ...rest } = d;
    return { userId: _id, ...rest };
  }

  async set(a: AutoreplyRecord): Promise<void> {
    const { userId, ...rest } = a;
    await this.settings.replaceOne({ _id: userId }, rest, { upsert: true });
    await this.sent.deleteMany({ user: userId });
  }

  /**
   * Two steps, each safe to race: the expired record is deleted (deletes are idempotent), then the insert
   * either wins or meets the unique index. Unique indexes arbitrate exactly even where concurrent updates
   * to one document are lost (FerretDB v1), so no compare-and-set is involved.
   */
  async claimReply(userId: string, sender: string, at: Date, notBefore: Date): Promise<boolean> {
    await this.sent.deleteOne({ user: userId, sender, sentAt: { $lte: notBefore } });
    try {
      await this.sent.insertOne({ user: userId, sender, sentAt: at });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async releaseReply(userId: string, sender: string, at: Date): Promise<void> {
    await this.sent.deleteOne({ user: userId, sender, sentAt: at });
  }

  async pruneReplies(before: Date): Promise<number> {
    return (await this.sent.deleteMany({ sentAt: { $lt: before } })).deletedCount;
  }
}

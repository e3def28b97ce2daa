import { createHash } from "node:crypto";
import type { DeliveredIdRecord, DeliveredIdStore } from "../ports.js";
import { isDuplicateKey } from "./constraint-errors.js";
import type { MongoContext } from "./context.js";

export class MongoDeliveredIdStore implements DeliveredIdStore {
  constructor(private readonly ctx: MongoContext) {}

  async find(userId: string, mailboxId: string, messageIdHeader: string): Promise<DeliveredIdRecord | null> {
    const d = await this.ctx.deliveredIds.findOne({ _id: key(mailboxId, messageIdHeader), user: userId });
    return d
      ? {
          userId: d.user,
          mailboxId: d.mailbox,
          messageIdHeader: d.msgid,
          messageId: d.message,
          uid: d.uid,
          at: d.at,
        }
      : null;
  }

  async record(e: DeliveredIdRecord): Promise<void> {
    const _id = key(e.mailboxId, e.messageIdHeader);
    const fields = {
      user: e.userId,
      mailbox: e.mailboxId,
      msgid: e.messageIdHeader,
      message: e.messageId,
      uid: e.uid,
      at: e.at,
    };
    try {
      await this.ctx.deliveredIds.updateOne({ _id }, { $set: fields }, { upsert: true });
    } catch (err) {
      // Two upserts of a new key at once: one inserts, the other is refused by _id and updates instead.
      if (!isDuplicateKey(err)) throw err;
      await this.ctx.deliveredIds.updateOne({ _id }, { $set: fields });
    }
  }

  async prune(before: Date): Promise<number> {
    return (await this.ctx.deliveredIds.deleteMany({ at: { $lt: before } })).deletedCount;
  }
}

function key(mailboxId: string, messageIdHeader: string): string {
  return `${mailboxId}:${createHash("sha256").update(messageIdHeader).digest("hex")}`;
}

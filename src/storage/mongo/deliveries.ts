import type { Filter } from "mongodb";
import type { DeliveryCursor, DeliveryLogStore, DeliveryRecord } from "../ports.js";
import type { MongoContext } from "./context.js";
import type { DeliveryDoc } from "./records.js";

export class MongoDeliveryLogStore implements DeliveryLogStore {
  constructor(private readonly ctx: MongoContext) {}

  async append(entries: DeliveryRecord[]): Promise<void> {
    if (entries.length === 0) return;
    await this.ctx.deliveries.insertMany(
      entries.map((e) => ({
        _id: e.id,
        user: e.userId,
        at: e.at,
        via: e.via,
        clientIp: e.clientIp,
        clientName: e.clientName,
        mailFrom: e.mailFrom,
        from: e.from.map((a) => ({ name: a.name, address: a.address })),
        recipient: e.recipient,
        msgid: e.messageIdHeader,
        subject: e.subject,
        size: e.size,
        outcome: e.outcome,
        status: e.status,
        detail: e.detail,
        mailbox: e.mailboxId,
        uid: e.uid,
        message: e.messageId,
        verdict: e.verdict,
        matchedFilters: e.matchedFilters.map((f) => ({ id: f.id, name: f.name })),
        spam: e.spam && { spam: e.spam.spam, score: e.spam.score, reason: e.spam.reason },
      })),
      { ordered: false },
    );
  }

  async list(options: { userId?: string; limit: number; after?: DeliveryCursor }): Promise<DeliveryRecord[]> {
    const filter: Filter<DeliveryDoc> = {};
    if (options.userId !== undefined) filter.user = options.userId;
    if (options.after) {
      const { at, id } = options.after;
      filter.$or = [{ at: { $lt: at } }, { at, _id: { $lt: id } }];
    }
    const docs = await this.ctx.deliveries
      .find(filter)
      .sort({ at: -1, _id: -1 })
      .limit(options.limit)
      .toArray();
    return docs.map(toDelivery);
  }

  async prune(before: Date): Promise<number> {
    return (await this.ctx.deliveries.deleteMany({ at: { $lt: before } })).deletedCount;
  }
}

function toDelivery(d: DeliveryDoc): DeliveryRecord {
  return {
    id: d._id,
    userId: d.user,
    at: d.at,
    via: d.via,
    clientIp: d.clientIp,
    clientName: d.clientName,
    mailFrom: d.mailFrom,
    from: d.from.map((a) => ({ name: a.name, address: a.address })),
    recipient: d.recipient,
    messageIdHeader: d.msgid,
    subject: d.subject,
    size: d.size,
    outcome: d.outcome,
    status: d.status,
    detail: d.detail,
    mailboxId: d.mailbox,
    uid: d.uid,
    messageId: d.message,
    verdict: d.verdict,
    matchedFilters: d.matchedFilters.map((f) => ({ id: f.id, name: f.name })),
    // Entries written before the field existed have none.
    spam: d.spam ? { spam: d.spam.spam, score: d.spam.score, reason: d.spam.reason } : null,
  };
}

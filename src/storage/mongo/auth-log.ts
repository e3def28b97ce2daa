import type { Filter } from "mongodb";
import type { AuthLogQuery, AuthLogRecord, AuthLogStore } from "../ports.js";
import type { MongoContext } from "./context.js";
import type { AuthLogDoc } from "./records.js";

export class MongoAuthLogStore implements AuthLogStore {
  constructor(private readonly ctx: MongoContext) {}

  async append(e: AuthLogRecord): Promise<void> {
    await this.ctx.authLog.insertOne({
      _id: e.id,
      at: e.at,
      username: e.username,
      user: e.userId,
      ip: e.ip,
      protocol: e.protocol,
      result: e.result,
      reason: e.reason,
    });
  }

  async list(query: AuthLogQuery, limit: number): Promise<AuthLogRecord[]> {
    const filter: Filter<AuthLogDoc> = {};
    if (query.userId !== undefined) filter.user = query.userId;
    if (query.ip !== undefined) filter.ip = query.ip;
    if (query.before)
      filter.$or = [{ at: { $lt: query.before.at } }, { at: query.before.at, _id: { $lt: query.before.id } }];
    const docs = await this.ctx.authLog.find(filter, { sort: { at: -1, _id: -1 }, limit }).toArray();
    return docs.map((d) => ({
      id: d._id,
      at: d.at,
      username: d.username,
      userId: d.user,
      ip: d.ip,
      protocol: d.protocol,
      result: d.result,
      reason: d.reason,
    }));
  }

  async prune(before: Date): Promise<number> {
    return (await this.ctx.authLog.deleteMany({ at: { $lt: before } })).deletedCount;
  }
}

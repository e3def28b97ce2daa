import type { SessionRecord, SessionStore } from "../ports.js";
import type { MongoContext } from "./context.js";

export class MongoSessionStore implements SessionStore {
  constructor(private readonly ctx: MongoContext) {}

  async create(s: SessionRecord): Promise<void> {
    await this.ctx.sessions.insertOne({
      _id: s.tokenHash,
      user: s.userId,
      createdAt: s.createdAt,
      expiresAt: s.expiresAt,
    });
  }

  async get(tokenHash: string): Promise<SessionRecord | null> {
    const d = await this.ctx.sessions.findOne({ _id: tokenHash });
    return d ? { tokenHash: d._id, userId: d.user, createdAt: d.createdAt, expiresAt: d.expiresAt } : null;
  }

  async delete(tokenHash: string): Promise<boolean> {
    return (await this.ctx.sessions.deleteOne({ _id: tokenHash })).deletedCount > 0;
  }

  async deleteForUser(userId: string, keepTokenHash?: string): Promise<number> {
    const filter =
      keepTokenHash === undefined ? { user: userId } : { user: userId, _id: { $ne: keepTokenHash } };
    return (await this.ctx.sessions.deleteMany(filter)).deletedCount;
  }
}

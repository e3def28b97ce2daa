import type { AuthLogQuery, AuthLogRecord, AuthLogStore } from "../ports.js";
import type { EmbeddedContext } from "./context.js";
import type { Row } from "./records.js";

export class SqliteAuthLogStore implements AuthLogStore {
  constructor(private readonly ctx: EmbeddedContext) {}

  async append(e: AuthLogRecord): Promise<void> {
    await this.ctx.write(() =>
      this.ctx
        .stmt(
          "INSERT INTO auth_log (id, at, username, user_id, ip, protocol, result, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .run(e.id, e.at.getTime(), e.username, e.userId, e.ip, e.protocol, e.result, e.reason),
    );
  }

  async list(query: AuthLogQuery, limit: number): Promise<AuthLogRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.userId !== undefined) {
      where.push("user_id = ?");
      args.push(query.userId);
    }
    if (query.ip !== undefined) {
      where.push("ip = ?");
      args.push(query.ip);
    }
    if (query.before) {
      where.push("(at < ? OR (at = ? AND id < ?))");
      args.push(query.before.at.getTime(), query.before.at.getTime(), query.before.id);
    }
    const sql = `SELECT * FROM auth_log ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY at DESC, id DESC LIMIT ?`;
    return (this.ctx.stmt(sql).all(...args, limit) as Row[]).map((r) => ({
      id: r.id,
      at: new Date(r.at),
      username: r.username,
      userId: r.user_id,
      ip: r.ip,
      protocol: r.protocol,
      result: r.result,
      reason: r.reason,
    }));
  }

  async prune(before: Date): Promise<number> {
    return this.ctx.write(
      () => this.ctx.stmt("DELETE FROM auth_log WHERE at < ?").run(before.getTime()).changes,
    );
  }
}

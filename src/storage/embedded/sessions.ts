import type { SessionRecord, SessionStore } from "../ports.js";
import type { EmbeddedContext } from "./context.js";
import type { Row } from "./records.js";

export class SqliteSessionStore implements SessionStore {
  constructor(private readonly ctx: EmbeddedContext) {}

  async create(s: SessionRecord): Promise<void> {
    await this.ctx.write(() =>
      this.ctx
        .stmt("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
        .run(s.tokenHash, s.userId, s.createdAt.getTime(), s.expiresAt.getTime()),
    );
  }

  async get(tokenHash: string): Promise<SessionRecord | null> {
    const r = this.ctx.stmt("SELECT * FROM sessions WHERE token_hash = ?").get(tokenHash) as Row | undefined;
    return r
      ? {
          tokenHash: r.token_hash,
          userId: r.user_id,
          createdAt: new Date(r.created_at),
          expiresAt: new Date(r.expires_at),
        }
      : null;
  }

  async delete(tokenHash: string): Promise<boolean> {
    return this.ctx.write(
      () => this.ctx.stmt("DELETE FROM sessions WHERE token_hash = ?").run(tokenHash).changes > 0,
    );
  }

  async deleteForUser(userId: string, keepTokenHash?: string): Promise<number> {
    return this.ctx.write(
      () =>
        this.ctx
          .stmt("DELETE FROM sessions WHERE user_id = ? AND token_hash IS NOT ?")
          .run(userId, keepTokenHash ?? null).changes,
    );
  }
}

import type { AutoreplyRecord, AutoreplyStore } from "../ports.js";
import type { EmbeddedContext } from "./context.js";
import type { Row } from "./records.js";

export class SqliteAutoreplyStore implements AutoreplyStore {
  constructor(private readonly ctx: EmbeddedContext) {}

  async get(userId: string): Promise<AutoreplyRecord | null> {
    const r = this.ctx.stmt("SELECT * FROM autoreplies WHERE user_id = ?").get(userId) as Row | undefined;
    return r ? toAutoreply(r) : null;
  }

  async set(a: AutoreplyRecord): Promise<void> {
    await this.ctx.write(() => {
      this.ctx
        .stmt(
          `INSERT INTO autoreplies (user_id, enabled, starts_at, ends_at, subject, text, html, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (user_id) DO UPDATE SET enabled = excluded.enabled, starts_at = excluded.starts_at,
             ends_at = excluded.ends_at, subject = excluded.subject, text = excluded.text, html = excluded.html,
             updated_at = excluded.updated_at`,
        )
        .run(
          a.userId,
          a.enabled ? 1 : 0,
          a.startsAt?.getTime() ?? null,
          a.endsAt?.getTime() ?? null,
          a.subject,
          a.text,
          a.html,
          a.updatedAt.getTime(),
        );
      this.ctx.stmt("DELETE FROM autoreply_sent WHERE user_id = ?").run(a.userId);
    });
  }

  /** One transaction: an expired record gives way, and the primary key refuses a second live one. */
  async claimReply(userId: string, sender: string, at: Date, notBefore: Date): Promise<boolean> {
    return this.ctx.write(
      () =>
        this.ctx
          .stmt(
            `INSERT INTO autoreply_sent (user_id, sender, sent_at) VALUES (?, ?, ?)
             ON CONFLICT (user_id, sender) DO UPDATE SET sent_at = excluded.sent_at WHERE sent_at <= ?`,
          )
          .run(userId, sender, at.getTime(), notBefore.getTime()).changes > 0,
    );
  }

  async releaseReply(userId: string, sender: string, at: Date): Promise<void> {
    await this.ctx.write(() =>
      this.ctx
        .stmt("DELETE FROM autoreply_sent WHERE user_id = ? AND sender = ? AND sent_at = ?")
        .run(userId, sender, at.getTime()),
    );
  }

  async pruneReplies(before: Date): Promise<number> {
    return this.ctx.write(
      () => this.ctx.stmt("DELETE FROM autoreply_sent WHERE sent_at < ?").run(before.getTime()).changes,
    );
  }
}

function toAutoreply(r: Row): AutoreplyRecord {
  return {
    userId: r.user_id,
    enabled: r.enabled === 1,
    startsAt: r.starts_at === null ? null : new Date(r.starts_at),
    endsAt: r.ends_at === null ? null : new Date(r.ends_at),
    subject: r.subject,
    text: r.text,
    html: r.html,
    updatedAt: new Date(r.updated_at),
  };
}

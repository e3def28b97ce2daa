import type { NewMailbox, NewUser, UserPatch, UserRecord, UserStore } from "../ports.js";
import { StoreConflictError } from "../ports.js";
import { isUniqueViolation } from "./constraint-errors.js";
import type { EmbeddedContext } from "./context.js";
import { insertMailbox } from "./mailboxes.js";
import { toUser, type Row } from "./records.js";

export class SqliteUserStore implements UserStore {
  constructor(private readonly ctx: EmbeddedContext) {}

  async create(user: NewUser, mailboxes: NewMailbox[]): Promise<UserRecord> {
    await this.ctx.write(() => {
      try {
        this.ctx
          .stmt(
            "INSERT INTO users (id, username, password_hash, quota_bytes, created_at) VALUES (?, ?, ?, ?, ?)",
          )
          .run(user.id, user.username, user.passwordHash, user.quotaBytes, user.createdAt.getTime());
      } catch (err) {
        if (isUniqueViolation(err))
          throw new StoreConflictError(`User "${user.username}" already exists.`, "username");
        throw err;
      }
      for (const mailbox of mailboxes) insertMailbox(this.ctx, mailbox);
    });
    return (await this.get(user.id))!;
  }

  async get(id: string): Promise<UserRecord | null> {
    const r = this.ctx.stmt("SELECT * FROM users WHERE id = ?").get(id) as Row | undefined;
    return r ? toUser(r) : null;
  }

  async getByName(username: string): Promise<UserRecord | null> {
    const r = this.ctx.stmt("SELECT * FROM users WHERE username = ?").get(username) as Row | undefined;
    return r ? toUser(r) : null;
  }

  async list(limit: number, afterUsername?: string): Promise<UserRecord[]> {
    const rows = this.ctx
      .stmt("SELECT * FROM users WHERE username > ? ORDER BY username LIMIT ?")
      .all(afterUsername ?? "", limit) as Row[];
    return rows.map(toUser);
  }

  async update(id: string, patch: UserPatch): Promise<UserRecord | null> {
    const sets: string[] = [];
    const values: unknown[] = [];
    if (patch.passwordHash !== undefined) {
      sets.push("password_hash = ?");
      values.push(patch.passwordHash);
    }
    if (patch.disabled !== undefined) {
      sets.push("disabled = ?");
      values.push(patch.disabled ? 1 : 0);
    }
    if (patch.quotaBytes !== undefined) {
      sets.push("quota_bytes = ?");
      values.push(patch.quotaBytes);
    }
    if (patch.spamLevel !== undefined) {
      sets.push("spam_level = ?");
      values.push(patch.spamLevel);
    }
    if (patch.sendHoldSeconds !== undefined) {
      sets.push("send_hold_seconds = ?");
      values.push(patch.sendHoldSeconds);
    }
    if (patch.recipientsPerDay !== undefined) {
      sets.push("recipients_per_day = ?");
      values.push(patch.recipientsPerDay);
    }
    if (sets.length > 0)
      await this.ctx.write(() =>
        this.ctx.stmt(`UPDATE users SET ${sets.join(", ")} WHERE id = ?`).run(...values, id),
      );
    return this.get(id);
  }

  async delete(id: string): Promise<boolean> {
    return this.ctx.write(() => {
      const refs = this.ctx.stmt("SELECT blob_refs FROM messages WHERE user_id = ?").all(id) as Row[];
      for (const r of refs) this.ctx.changeBlobRefs(JSON.parse(r.blob_refs) as string[], -1);
      this.ctx.stmt("DELETE FROM outbox_raw WHERE id IN (SELECT id FROM outbox WHERE user_id = ?)").run(id);
      for (const table of [
        "messages",
        "mailboxes",
        "addresses",
        "journal",
        "threads",
        "thread_refs",
        "sessions",
        "autoreplies",
        "autoreply_sent",
        "filters",
        "deliveries",
        "delivered_ids",
        "outbox",
      ]) {
        this.ctx.stmt(`DELETE FROM ${table} WHERE user_id = ?`).run(id);
      }
      return this.ctx.stmt("DELETE FROM users WHERE id = ?").run(id).changes > 0;
    });
  }
}

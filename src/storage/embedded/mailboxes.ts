import type { MailboxCounts, MailboxRecord, MailboxStore, NewMailbox, RemovedMessage } from "../ports.js";
import { StoreConflictError } from "../ports.js";
import { isUniqueViolation } from "./constraint-errors.js";
import type { EmbeddedContext } from "./context.js";
import { removeMessages } from "./removal.js";
import { placeholders, toMailbox, type Row } from "./records.js";

/** Inserts a mailbox row and journals its creation. Call inside a transaction. */
export function insertMailbox(ctx: EmbeddedContext, m: NewMailbox): void {
  // Above any UIDVALIDITY the user had, so a path deleted and created again in one second gets a new one.
  const { v } = ctx
    .stmt(
      "UPDATE users SET last_uid_validity = max(last_uid_validity + 1, ?) WHERE id = ? RETURNING last_uid_validity AS v",
    )
    .get(m.uidValidity, m.userId) as { v: number };
  try {
    ctx
      .stmt(
        "INSERT INTO mailboxes (id, user_id, path, special_use, subscribed, uid_validity, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      )
      .run(m.id, m.userId, m.path, m.specialUse, m.subscribed ? 1 : 0, v, m.createdAt.getTime());
  } catch (err) {
    if (isUniqueViolation(err)) throw new StoreConflictError(`Mailbox "${m.path}" already exists.`, "path");
    throw err;
  }
  ctx.journal(m.userId, ctx.takeModseqs(m.userId, 1), m.id, "mailbox-create", null, null);
}

export class SqliteMailboxStore implements MailboxStore {
  constructor(private readonly ctx: EmbeddedContext) {}

  async create(mailbox: NewMailbox): Promise<MailboxRecord> {
    await this.ctx.write(() => insertMailbox(this.ctx, mailbox));
    return (await this.get(mailbox.userId, mailbox.id))!;
  }

  async get(userId: string, id: string): Promise<MailboxRecord | null> {
    const r = this.ctx.stmt("SELECT * FROM mailboxes WHERE id = ? AND user_id = ?").get(id, userId) as
      Row | undefined;
    return r ? toMailbox(r) : null;
  }

  async getByPath(userId: string, path: string): Promise<MailboxRecord | null> {
    const r = this.ctx.stmt("SELECT * FROM mailboxes WHERE user_id = ? AND path = ?").get(userId, path) as
      Row | undefined;
    return r ? toMailbox(r) : null;
  }

  async list(userId: string): Promise<MailboxRecord[]> {
    const rows = this.ctx
      .stmt("SELECT * FROM mailboxes WHERE user_id = ? ORDER BY path")
      .all(userId) as Row[];
    return rows.map(toMailbox);
  }

  async getMany(userId: string, ids: string[]): Promise<MailboxRecord[]> {
    if (ids.length === 0) return [];
    const rows = this.ctx
      .stmt(`SELECT * FROM mailboxes WHERE user_id = ? AND id IN (${placeholders(ids.length)})`)
      .all(userId, ...ids) as Row[];
    return rows.map(toMailbox);
  }

  async update(
    userId: string,
    id: string,
    patch: { path?: string; subscribed?: boolean },
  ): Promise<{ mailbox: MailboxRecord; modseq: number | null } | null> {
    const changed = await this.ctx.write((): { modseq: number | null } | null => {
      const sets: string[] = [];
      const values: unknown[] = [];
      if (patch.path !== undefined) {
        sets.push("path = ?");
        values.push(patch.path);
      }
      if (patch.subscribed !== undefined) {
        sets.push("subscribed = ?");
        values.push(patch.subscribed ? 1 : 0);
      }
      if (sets.length === 0)
        return this.ctx.stmt("SELECT 1 FROM mailboxes WHERE id = ? AND user_id = ?").get(id, userId)
          ? { modseq: null }
          : null;
      let info;
      try {
        info = this.ctx
          .stmt(`UPDATE mailboxes SET ${sets.join(", ")} WHERE id = ? AND user_id = ?`)
          .run(...values, id, userId);
      } catch (err) {
        if (isUniqueViolation(err))
          throw new StoreConflictError(`Mailbox "${patch.path}" already exists.`, "path");
        throw err;
      }
      if (info.changes === 0) return null;
      const modseq = this.ctx.takeModseqs(userId, 1);
      this.ctx.journal(userId, modseq, id, "mailbox-update", null, null);
      return { modseq };
    });
    if (!changed) return null;
    const mailbox = await this.get(userId, id);
    return mailbox && { mailbox, modseq: changed.modseq };
  }

  async delete(
    userId: string,
    id: string,
  ): Promise<{ removed: RemovedMessage[]; modseq: number | null } | null> {
    return this.ctx.write(() => {
      const exists = this.ctx.stmt("SELECT 1 FROM mailboxes WHERE id = ? AND user_id = ?").get(id, userId);
      if (!exists) return null;
      const ids = (this.ctx.stmt("SELECT id FROM messages WHERE mailbox_id = ?").all(id) as Row[]).map(
        (r) => r.id,
      );
      const removed = removeMessages(this.ctx, userId, ids);
      this.ctx.stmt("DELETE FROM mailboxes WHERE id = ?").run(id);
      const modseq = this.ctx.takeModseqs(userId, 1);
      this.ctx.journal(userId, modseq, id, "mailbox-delete", null, null);
      return { removed, modseq };
    });
  }

  async counts(userId: string, ids: string[]): Promise<MailboxCounts[]> {
    if (ids.length === 0) return [];
    const rows = this.ctx
      .stmt(
        `SELECT id, total_count, unseen_count, total_size FROM mailboxes WHERE user_id = ? AND id IN (${placeholders(ids.length)})`,
      )
      .all(userId, ...ids) as Row[];
    const byId = new Map(rows.map((r) => [r.id as string, r]));
    return ids.map((mailboxId) => {
      const r = byId.get(mailboxId);
      return {
        mailboxId,
        total: r?.total_count ?? 0,
        unseen: r?.unseen_count ?? 0,
        size: r?.total_size ?? 0,
      };
    });
  }
}

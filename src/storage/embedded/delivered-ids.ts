import type { DeliveredIdRecord, DeliveredIdStore } from "../ports.js";
import type { EmbeddedContext } from "./context.js";
import type { Row } from "./records.js";

export class SqliteDeliveredIdStore implements DeliveredIdStore {
  constructor(private readonly ctx: EmbeddedContext) {}

  async find(userId: string, mailboxId: string, messageIdHeader: string): Promise<DeliveredIdRecord | null> {
    const r = this.ctx
      .stmt("SELECT * FROM delivered_ids WHERE mailbox_id = ? AND msgid = ? AND user_id = ?")
      .get(mailboxId, messageIdHeader, userId) as Row | undefined;
    return r
      ? {
          userId: r.user_id,
          mailboxId: r.mailbox_id,
          messageIdHeader: r.msgid,
          messageId: r.message_id,
          uid: r.uid,
          at: new Date(r.at),
        }
      : null;
  }

  async record(e: DeliveredIdRecord): Promise<void> {
    await this.ctx.write(() =>
      this.ctx
        .stmt(
          `INSERT INTO delivered_ids (mailbox_id, msgid, user_id, message_id, uid, at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (mailbox_id, msgid) DO UPDATE SET
             user_id = excluded.user_id, message_id = excluded.message_id, uid = excluded.uid, at = excluded.at`,
        )
        .run(e.mailboxId, e.messageIdHeader, e.userId, e.messageId, e.uid, e.at.getTime()),
    );
  }

  async prune(before: Date): Promise<number> {
    return this.ctx.write(
      () => this.ctx.stmt("DELETE FROM delivered_ids WHERE at < ?").run(before.getTime()).changes,
    );
  }
}

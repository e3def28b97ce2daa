import type { DeliveryCursor, DeliveryLogStore, DeliveryRecord } from "../ports.js";
import type { EmbeddedContext } from "./context.js";
import type { Row } from "./records.js";

export class SqliteDeliveryLogStore implements DeliveryLogStore {
  constructor(private readonly ctx: EmbeddedContext) {}

  async append(entries: DeliveryRecord[]): Promise<void> {
    if (entries.length === 0) return;
    await this.ctx.write(() => {
      const insert = this.ctx.stmt(
        `INSERT INTO deliveries (id, user_id, at, via, client_ip, client_name, mail_from, addr_from, recipient,
           msgid, subject, size, outcome, status, detail, mailbox_id, uid, message_id, verdict, matched_filters,
           spam, spam_score, spam_reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const e of entries)
        insert.run(
          e.id,
          e.userId,
          e.at.getTime(),
          e.via,
          e.clientIp,
          e.clientName,
          e.mailFrom,
          JSON.stringify(e.from),
          e.recipient,
          e.messageIdHeader,
          e.subject,
          e.size,
          e.outcome,
          e.status,
          e.detail,
          e.mailboxId,
          e.uid,
          e.messageId,
          e.verdict,
          JSON.stringify(e.matchedFilters),
          e.spam ? Number(e.spam.spam) : null,
          e.spam?.score ?? null,
          e.spam?.reason ?? null,
        );
    });
  }

  async list(options: { userId?: string; limit: number; after?: DeliveryCursor }): Promise<DeliveryRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (options.userId !== undefined) {
      where.push("user_id = ?");
      args.push(options.userId);
    }
    if (options.after) {
      const at = options.after.at.getTime();
      where.push("(at < ? OR (at = ? AND id < ?))");
      args.push(at, at, options.after.id);
    }
    const rows = this.ctx
      .stmt(
        `SELECT * FROM deliveries ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY at DESC, id DESC LIMIT ?`,
      )
      .all(...args, options.limit) as Row[];
    return rows.map(toDelivery);
  }

  async prune(before: Date): Promise<number> {
    return this.ctx.write(
      () => this.ctx.stmt("DELETE FROM deliveries WHERE at < ?").run(before.getTime()).changes,
    );
  }
}

function toDelivery(r: Row): DeliveryRecord {
  return {
    id: r.id,
    userId: r.user_id,
    at: new Date(r.at),
    via: r.via,
    clientIp: r.client_ip,
    clientName: r.client_name,
    mailFrom: r.mail_from,
    from: JSON.parse(r.addr_from),
    recipient: r.recipient,
    messageIdHeader: r.msgid,
    subject: r.subject,
    size: r.size,
    outcome: r.outcome,
    status: r.status,
    detail: r.detail,
    mailboxId: r.mailbox_id,
    uid: r.uid,
    messageId: r.message_id,
    verdict: r.verdict,
    matchedFilters: JSON.parse(r.matched_filters),
    spam: r.spam === null ? null : { spam: r.spam === 1, score: r.spam_score, reason: r.spam_reason },
  };
}

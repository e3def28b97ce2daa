import type {
  OutboxClaimOptions,
  OutboxPatch,
  OutboxRecipientRecord,
  OutboxRecord,
  OutboxRecordState,
  OutboxStore,
} from "../ports.js";
import type { EmbeddedContext } from "./context.js";
import type { Row } from "./records.js";

/** The patch's fields and their columns (dates as epoch milliseconds, recipients as JSON). */
const PATCH_COLUMNS: Record<Exclude<keyof OutboxPatch, "updatedAt">, string> = {
  recipients: "recipients",
  state: "state",
  size: "size",
  nextAttemptAt: "next_attempt_at",
  lastResponse: "last_response",
  sentCopyId: "sent_copy_id",
  dueAt: "due_at",
  finishedAt: "finished_at",
};

/**
 * The outbound queue in SQLite. Each call is one transaction, and SQLite serialises writers across processes,
 * so a claim is one conditional UPDATE: the first writer takes the lease, the others find it taken.
 */
export class SqliteOutboxStore implements OutboxStore {
  constructor(private readonly ctx: EmbeddedContext) {}

  async add(r: OutboxRecord, raw: Buffer): Promise<void> {
    await this.ctx.write(() => {
      this.ctx
        .stmt(
          `INSERT INTO outbox (id, user_id, mail_from, recipients, state, subject, msgid, size, created_at,
             release_at, next_attempt_at, last_response, sent_copy_id, draft_id, updated_at, due_at, finished_at,
             claim, lease_owner, lease_until)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          r.id,
          r.userId,
          r.mailFrom,
          recipientsJson(r.recipients),
          r.state,
          r.subject,
          r.messageIdHeader,
          r.size,
          r.createdAt.getTime(),
          r.releaseAt.getTime(),
          ms(r.nextAttemptAt),
          r.lastResponse,
          r.sentCopyId,
          r.draftId,
          r.updatedAt.getTime(),
          ms(r.dueAt),
          ms(r.finishedAt),
          r.claim,
          r.leaseOwner,
          ms(r.leaseUntil),
        );
      this.ctx.stmt("INSERT INTO outbox_raw (id, data) VALUES (?, ?)").run(r.id, raw);
    });
  }

  async get(id: string): Promise<OutboxRecord | null> {
    const r = this.ctx.stmt("SELECT * FROM outbox WHERE id = ?").get(id) as Row | undefined;
    return r ? toOutbox(r) : null;
  }

  async list(
    userId: string,
    options: { states?: OutboxRecordState[]; limit: number; after?: string },
  ): Promise<OutboxRecord[]> {
    const where = ["user_id = ?"];
    const args: unknown[] = [userId];
    if (options.after !== undefined) {
      where.push("id < ?");
      args.push(options.after);
    }
    if (options.states) {
      if (options.states.length === 0) return [];
      where.push(`state IN (${options.states.map(() => "?").join(", ")})`);
      args.push(...options.states);
    }
    const rows = this.ctx
      .stmt(`SELECT * FROM outbox WHERE ${where.join(" AND ")} ORDER BY id DESC LIMIT ?`)
      .all(...args, options.limit) as Row[];
    return rows.map(toOutbox);
  }

  async readRaw(id: string): Promise<Buffer | null> {
    const r = this.ctx.stmt("SELECT data FROM outbox_raw WHERE id = ?").get(id) as Row | undefined;
    return r ? (r.data as Buffer) : null;
  }

  async due(now: Date, limit: number): Promise<OutboxRecord[]> {
    const rows = this.ctx
      .stmt("SELECT * FROM outbox WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, id LIMIT ?")
      .all(now.getTime(), limit) as Row[];
    return rows.map(toOutbox);
  }

  async nextDueAt(): Promise<Date | null> {
    const r = this.ctx.stmt("SELECT min(due_at) AS at FROM outbox WHERE due_at IS NOT NULL").get() as Row;
    return r.at === null ? null : new Date(r.at);
  }

  async claim(id: string, o: OutboxClaimOptions): Promise<OutboxRecord | null> {
    return this.ctx.write(() => {
      const r = this.ctx
        .stmt(
          `UPDATE outbox SET claim = claim + 1, lease_owner = ?, lease_until = ?, due_at = ?
           WHERE id = ? AND due_at IS NOT NULL AND (? IS NULL OR due_at <= ?)
             AND (lease_until IS NULL OR lease_until <= ?)
           RETURNING *`,
        )
        .get(
          o.owner,
          o.until.getTime(),
          o.until.getTime(),
          id,
          ms(o.dueBy ?? null),
          ms(o.dueBy ?? null),
          o.now.getTime(),
        ) as Row | undefined;
      return r ? toOutbox(r) : null;
    });
  }

  async renew(id: string, claim: number, until: Date): Promise<boolean> {
    return this.ctx.write(
      () =>
        this.ctx
          .stmt(
            `UPDATE outbox SET lease_until = ?, due_at = ?
             WHERE id = ? AND claim = ? AND lease_owner IS NOT NULL`,
          )
          .run(until.getTime(), until.getTime(), id, claim).changes > 0,
    );
  }

  async settle(id: string, claim: number, patch: OutboxPatch, raw?: Buffer): Promise<OutboxRecord | null> {
    const sets = ["lease_owner = NULL", "lease_until = NULL", "updated_at = ?"];
    const args: unknown[] = [patch.updatedAt.getTime()];
    for (const [key, column] of Object.entries(PATCH_COLUMNS) as Array<
      [keyof typeof PATCH_COLUMNS, string]
    >) {
      if (!(key in patch)) continue;
      sets.push(`${column} = ?`);
      args.push(columnValue(key, patch[key]));
    }
    return this.ctx.write(() => {
      const r = this.ctx
        .stmt(`UPDATE outbox SET ${sets.join(", ")} WHERE id = ? AND claim = ? RETURNING *`)
        .get(...args, id, claim) as Row | undefined;
      if (!r) return null;
      if (raw) this.ctx.stmt("UPDATE outbox_raw SET data = ? WHERE id = ?").run(raw, id);
      return toOutbox(r);
    });
  }

  async prune(before: Date): Promise<number> {
    return this.ctx.write(() => {
      this.ctx
        .stmt(
          "DELETE FROM outbox_raw WHERE id IN (SELECT id FROM outbox WHERE finished_at IS NOT NULL AND finished_at < ?)",
        )
        .run(before.getTime());
      return this.ctx
        .stmt("DELETE FROM outbox WHERE finished_at IS NOT NULL AND finished_at < ?")
        .run(before.getTime()).changes;
    });
  }
}

function ms(d: Date | null): number | null {
  return d === null ? null : d.getTime();
}

function columnValue(key: keyof typeof PATCH_COLUMNS, value: OutboxPatch[typeof key]): unknown {
  if (key === "recipients") return recipientsJson(value as OutboxRecipientRecord[]);
  if (value instanceof Date) return value.getTime();
  return value ?? null;
}

function recipientsJson(recipients: OutboxRecipientRecord[]): string {
  return JSON.stringify(recipients.map((r) => ({ ...r, updatedAt: r.updatedAt.getTime() })));
}

function toOutbox(r: Row): OutboxRecord {
  const date = (v: number | null) => (v === null ? null : new Date(v));
  return {
    id: r.id,
    userId: r.user_id,
    mailFrom: r.mail_from,
    recipients: (JSON.parse(r.recipients) as Array<OutboxRecipientRecord & { updatedAt: number }>).map(
      (x) => ({ ...x, updatedAt: new Date(x.updatedAt) }),
    ),
    state: r.state,
    subject: r.subject,
    messageIdHeader: r.msgid,
    size: r.size,
    createdAt: new Date(r.created_at),
    releaseAt: new Date(r.release_at),
    nextAttemptAt: date(r.next_attempt_at),
    lastResponse: r.last_response,
    sentCopyId: r.sent_copy_id,
    draftId: r.draft_id,
    updatedAt: new Date(r.updated_at),
    dueAt: date(r.due_at),
    finishedAt: date(r.finished_at),
    claim: r.claim,
    leaseOwner: r.lease_owner,
    leaseUntil: date(r.lease_until),
  };
}

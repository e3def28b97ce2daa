import type {
  ConditionalFlagOptions,
  ConditionalFlagResult,
  FlagChange,
  FlagUpdate,
  ListMessagesOptions,
  MessageContent,
  MessageRecord,
  MessageStore,
  MessageWithMeta,
  ColumnOrder,
  MessageQuery,
  SortFields,
  MovedMessage,
  NewMessage,
  RemovedMessage,
  SearchQuery,
  StoredRaw,
  UidEntry,
  UidListing,
  UidRange,
} from "../ports.js";
import { applyFlagChange, sameFlags } from "../flag-change.js";
import type { EmbeddedContext } from "./context.js";
import {
  MESSAGE_COLUMNS,
  packContent,
  placeholders,
  selectMany,
  toMessage,
  unpackContent,
  unpackSegments,
  type Row,
} from "./records.js";
import { insertCopies, insertMessage } from "./placement.js";
import { removeMessages } from "./removal.js";
import { buildSearch } from "./search.js";
import { buildMailboxQuery, buildOrder, registerQueryFunctions } from "./mailbox-query.js";
import { resolveThread } from "./threads.js";

const SEEN = "\\Seen";

export class SqliteMessageStore implements MessageStore {
  constructor(private readonly ctx: EmbeddedContext) {
    registerQueryFunctions(ctx.db);
  }

  async append(m: NewMessage): Promise<MessageRecord> {
    const packed = packContent(m.content);
    const placed = await this.ctx.write(() => {
      const threadId = m.thread
        ? resolveThread(this.ctx, m.userId, m.thread.refs, m.thread.subjectKey, m.threadId)
        : m.threadId;
      return { ...insertMessage(this.ctx, m, packed, threadId), threadId };
    });
    // The row is what was just inserted: built from it rather than read back (a delivery's hot path).
    return {
      id: m.id,
      userId: m.userId,
      mailboxId: m.mailboxId,
      uid: placed.uid,
      modseq: placed.modseq,
      flags: [...m.flags],
      internalDate: new Date(m.internalDate.getTime()),
      sentDate: new Date(m.sentDate.getTime()),
      size: m.size,
      threadId: placed.threadId,
      subject: m.subject,
      from: m.from,
      to: m.to,
      cc: m.cc,
      messageIdHeader: m.messageIdHeader,
      hasAttachments: m.hasAttachments,
      preview: m.preview,
    };
  }

  async get(userId: string, id: string): Promise<MessageRecord | null> {
    const r = this.ctx
      .stmt(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ? AND user_id = ?`)
      .get(id, userId) as Row | undefined;
    return r ? toMessage(r) : null;
  }

  async getMany(userId: string, ids: string[]): Promise<MessageRecord[]> {
    return selectMany(this.ctx, userId, ids).map(toMessage);
  }

  async getByUid(userId: string, mailboxId: string, uid: number): Promise<MessageRecord | null> {
    const r = this.ctx
      .stmt(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE mailbox_id = ? AND uid = ? AND user_id = ?`)
      .get(mailboxId, uid, userId) as Row | undefined;
    return r ? toMessage(r) : null;
  }

  async getContent(userId: string, id: string): Promise<MessageContent | null> {
    const r = this.ctx
      .stmt("SELECT body, segments, meta FROM messages WHERE id = ? AND user_id = ?")
      .get(id, userId) as Row | undefined;
    return r ? unpackContent(r) : null;
  }

  async listContents(
    userId: string,
    mailboxId: string,
    range: UidRange,
    options: { limit: number },
  ): Promise<StoredRaw[]> {
    const rows = this.ctx
      .stmt(
        "SELECT id, uid, size, internal_date, body, segments FROM messages WHERE mailbox_id = ? AND uid >= ? AND uid <= ? AND user_id = ? ORDER BY uid LIMIT ?",
      )
      .all(mailboxId, range.from, range.to, userId, options.limit) as Row[];
    return rows.map((r) => ({
      id: r.id,
      uid: r.uid,
      size: r.size,
      internalDate: new Date(r.internal_date),
      segments: unpackSegments(r),
    }));
  }

  async list(userId: string, mailboxId: string, options: ListMessagesOptions): Promise<MessageRecord[]> {
    return this.search(userId, { mailboxId }, options);
  }

  async listUids(userId: string, mailboxId: string): Promise<UidEntry[]> {
    const rows = this.ctx
      .stmt(
        "SELECT id, uid, modseq, flags, size FROM messages WHERE mailbox_id = ? AND user_id = ? ORDER BY uid",
      )
      .all(mailboxId, userId) as Row[];
    return rows.map((r) => ({
      id: r.id as string,
      uid: r.uid as number,
      modseq: r.modseq as number,
      flags: JSON.parse(r.flags) as string[],
      size: r.size as number,
    }));
  }

  async uidListing(userId: string, mailboxId: string): Promise<UidListing> {
    // The owner is checked once on the mailbox row, so the scans below filter on the mailbox alone: comparing
    // user_id on each of 100,000 index entries cost more than reading the UIDs. Each scan reads only the
    // covering index messages_mailbox_scan, never the rows (which hold content).
    const box = this.ctx
      .stmt("SELECT unseen_count FROM mailboxes WHERE id = ? AND user_id = ?")
      .pluck()
      .get(mailboxId, userId) as number | undefined;
    if (box === undefined) return { uids: new Uint32Array(0), firstUnseenUid: null, keywords: [] };
    // One string instead of one JS value per message.
    const joined = this.ctx
      .stmt("SELECT group_concat(uid) FROM messages WHERE mailbox_id = ? ORDER BY uid")
      .pluck()
      .get(mailboxId) as string | null;
    const firstUnseen =
      box === 0
        ? undefined
        : (this.ctx
            .stmt("SELECT uid FROM messages WHERE mailbox_id = ? AND seen = 0 ORDER BY uid LIMIT 1")
            .pluck()
            .get(mailboxId) as number | undefined);
    // A flag list holding a keyword has an element whose opening quote is not followed by a backslash (system
    // flags are stored as "\\Seen"); the commonest lists are ruled out by equality before that pattern.
    const withKeywords = this.ctx
      .stmt(
        `SELECT DISTINCT flags FROM messages WHERE mailbox_id = ? AND flags <> '[]' AND flags <> '["\\\\Seen"]'
         AND flags GLOB '*[[,]"[^\\]*'`,
      )
      .pluck()
      .all(mailboxId) as string[];
    const keywords = new Set<string>();
    for (const list of withKeywords)
      for (const flag of JSON.parse(list) as string[]) if (!flag.startsWith("\\")) keywords.add(flag);
    return {
      uids: parseUidList(joined ?? ""),
      firstUnseenUid: firstUnseen ?? null,
      keywords: [...keywords].sort(),
    };
  }

  async listByUid(
    userId: string,
    mailboxId: string,
    range: UidRange,
    options: { limit: number; meta?: boolean },
  ): Promise<MessageWithMeta[]> {
    const rows = this.ctx
      .stmt(
        `SELECT ${MESSAGE_COLUMNS}${options.meta ? ", meta" : ""} FROM messages
         WHERE mailbox_id = ? AND uid >= ? AND uid <= ? AND user_id = ? ORDER BY uid LIMIT ?`,
      )
      .all(mailboxId, range.from, range.to, userId, options.limit) as Row[];
    return rows.map((r) => ({
      message: toMessage(r),
      meta: options.meta ? (JSON.parse(r.meta as string) as unknown) : null,
    }));
  }

  async search(userId: string, query: SearchQuery, options: ListMessagesOptions): Promise<MessageRecord[]> {
    const { where, values } = buildSearch(userId, query, options.after);
    const rows = this.ctx
      .stmt(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE ${where} ORDER BY internal_date DESC, id DESC LIMIT ?`,
      )
      .all(...values, options.limit) as Row[];
    return rows.map(toMessage);
  }

  async searchUids(
    userId: string,
    mailboxId: string,
    query: MessageQuery,
    order: ColumnOrder[] = [],
  ): Promise<number[]> {
    const { where, values } = buildMailboxQuery(query);
    return this.ctx
      .stmt(
        `SELECT uid FROM messages WHERE mailbox_id = ? AND +user_id = ? AND ${where} ORDER BY ${buildOrder(order)}`,
      )
      .pluck()
      .all(mailboxId, userId, ...values) as number[];
  }

  async searchFields(
    userId: string,
    mailboxId: string,
    query: MessageQuery,
    options: { references?: boolean } = {},
  ): Promise<SortFields[]> {
    const { where, values } = buildMailboxQuery(query);
    // The metadata is the row's last and largest column: read it only for THREAD.
    const refs = options.references
      ? "json_extract(meta, '$.headers.inReplyTo') AS in_reply_to, json_extract(meta, '$.headers.references') AS refs"
      : "NULL AS in_reply_to, NULL AS refs";
    const rows = this.ctx
      .stmt(
        `SELECT uid, modseq, internal_date, sent_date, size, subject, addr_from, addr_to, addr_cc, msgid, ${refs}
         FROM messages WHERE mailbox_id = ? AND +user_id = ? AND ${where} ORDER BY uid`,
      )
      .all(mailboxId, userId, ...values) as Row[];
    return rows.map((r) => ({
      uid: r.uid,
      modseq: r.modseq,
      internalDate: new Date(r.internal_date),
      sentDate: new Date(r.sent_date),
      size: r.size,
      subject: r.subject,
      from: JSON.parse(r.addr_from),
      to: JSON.parse(r.addr_to),
      cc: JSON.parse(r.addr_cc),
      messageIdHeader: r.msgid,
      inReplyTo: typeof r.in_reply_to === "string" ? r.in_reply_to : null,
      references: typeof r.refs === "string" ? stringList(r.refs) : [],
    }));
  }

  async countByThread(userId: string, threadIds: string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (threadIds.length === 0) return counts;
    const rows = this.ctx
      .stmt(
        `SELECT thread_id, count(*) AS n FROM messages WHERE user_id = ? AND thread_id IN (${placeholders(threadIds.length)}) GROUP BY thread_id`,
      )
      .all(userId, ...threadIds) as Row[];
    for (const r of rows) counts.set(r.thread_id, r.n);
    return counts;
  }

  async updateFlags(userId: string, ids: string[], change: FlagChange): Promise<FlagUpdate[]> {
    return this.ctx.write(() => this.applyFlags(userId, selectMany(this.ctx, userId, ids), change).updated);
  }

  async updateFlagsInMailbox(
    userId: string,
    mailboxId: string,
    ids: string[],
    change: FlagChange,
    options: ConditionalFlagOptions = {},
  ): Promise<ConditionalFlagResult> {
    return this.ctx.write(() =>
      this.applyFlags(
        userId,
        selectMany(this.ctx, userId, ids).filter((r) => r.mailbox_id === mailboxId),
        change,
        options.unchangedSince,
      ),
    );
  }

  /** Inside a transaction, so each row's condition holds when its flags are written. */
  private applyFlags(userId: string, rows: Row[], change: FlagChange, unchangedSince?: number) {
    const updated: FlagUpdate[] = [];
    const modified: string[] = [];
    const stmt = this.ctx.stmt("UPDATE messages SET flags = ?, seen = ?, modseq = ? WHERE id = ?");
    for (const r of rows) {
      if (unchangedSince !== undefined && r.modseq > unchangedSince) {
        modified.push(r.id);
        continue;
      }
      const before = JSON.parse(r.flags) as string[];
      const after = applyFlagChange(before, change);
      if (sameFlags(before, after)) continue;
      const modseq = this.ctx.takeModseqs(userId, 1);
      const seenChange = Number(before.includes(SEEN)) - Number(after.includes(SEEN));
      stmt.run(JSON.stringify(after), after.includes(SEEN) ? 1 : 0, modseq, r.id);
      if (seenChange !== 0) this.ctx.changeCounts(r.mailbox_id, 0, seenChange, 0);
      this.ctx.journal(userId, modseq, r.mailbox_id, "flags", r.id, r.uid);
      updated.push({ id: r.id, mailboxId: r.mailbox_id, uid: r.uid, modseq, flags: after });
    }
    return { updated, modified };
  }

  async move(userId: string, ids: string[], targetMailboxId: string): Promise<MovedMessage[]> {
    return this.ctx.write(() => {
      const rows = selectMany(this.ctx, userId, ids).filter((r) => r.mailbox_id !== targetMailboxId);
      if (rows.length === 0) return [];
      assertMailbox(this.ctx, userId, targetMailboxId);
      const firstUid = this.ctx.takeUids(targetMailboxId, rows.length);
      const stmt = this.ctx.stmt("UPDATE messages SET mailbox_id = ?, uid = ?, modseq = ? WHERE id = ?");
      return rows.map((r, i) => {
        const uid = firstUid + i;
        const expungeModseq = this.ctx.takeModseqs(userId, 1);
        this.ctx.journal(userId, expungeModseq, r.mailbox_id, "expunge", r.id, r.uid);
        const modseq = this.ctx.takeModseqs(userId, 1);
        stmt.run(targetMailboxId, uid, modseq, r.id);
        const unseen = (JSON.parse(r.flags) as string[]).includes(SEEN) ? 0 : 1;
        this.ctx.changeCounts(r.mailbox_id, -1, -unseen, -r.size);
        this.ctx.changeCounts(targetMailboxId, 1, unseen, r.size);
        this.ctx.journal(userId, modseq, targetMailboxId, "exists", r.id, uid);
        return {
          id: r.id,
          fromMailboxId: r.mailbox_id,
          fromUid: r.uid,
          expungeModseq,
          toMailboxId: targetMailboxId,
          uid,
          modseq,
        };
      });
    });
  }

  async copy(
    userId: string,
    pairs: Array<{ id: string; newId: string }>,
    targetMailboxId: string,
  ): Promise<MessageRecord[]> {
    const newIds = await this.ctx.write(() => {
      const rows = new Map(
        (
          this.ctx
            .stmt(`SELECT * FROM messages WHERE +user_id = ? AND id IN (${placeholders(pairs.length)})`)
            .all(userId, ...pairs.map((p) => p.id)) as Row[]
        ).map((r) => [r.id as string, r]),
      );
      const found = pairs.filter((p) => rows.has(p.id));
      if (found.length === 0) return [];
      assertMailbox(this.ctx, userId, targetMailboxId);
      return insertCopies(
        this.ctx,
        userId,
        found.map((p) => ({ ...p, row: rows.get(p.id)! })),
        targetMailboxId,
      );
    });
    return this.getMany(userId, newIds);
  }

  async remove(userId: string, ids: string[]): Promise<RemovedMessage[]> {
    return this.ctx.write(() => removeMessages(this.ctx, userId, ids));
  }
}

function assertMailbox(ctx: EmbeddedContext, userId: string, mailboxId: string): void {
  if (!ctx.stmt("SELECT 1 FROM mailboxes WHERE id = ? AND user_id = ?").get(mailboxId, userId)) {
    throw new Error(`Mailbox ${mailboxId} does not belong to user ${userId}.`);
  }
}

/** A JSON array of strings as stored in the meta; anything else reads as none. */
function stringList(json: string): string[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/**
 * group_concat's "1,2,3" as packed UIDs. SQLite leaves the order of an aggregate's input unspecified (it
 * follows the index scan in practice), so an out-of-order list is sorted rather than trusted.
 */
const COMMA = 0x2c;
const ZERO = 0x30;

function parseUidList(joined: string): Uint32Array {
  if (joined === "") return new Uint32Array(0);
  let count = 1;
  for (let i = 0; i < joined.length; i++) if (joined.charCodeAt(i) === COMMA) count++;
  const uids = new Uint32Array(count);
  let n = 0;
  let value = 0;
  let ascending = true;
  for (let i = 0; i <= joined.length; i++) {
    const c = i < joined.length ? joined.charCodeAt(i) : COMMA;
    if (c !== COMMA) {
      value = value * 10 + (c - ZERO);
      continue;
    }
    if (n > 0 && value <= uids[n - 1]) ascending = false;
    uids[n++] = value;
    value = 0;
  }
  return ascending ? uids : uids.sort();
}

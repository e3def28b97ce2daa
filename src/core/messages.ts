import { Readable } from "node:stream";
import {
  extractStoredPart,
  inlineBytes,
  rebuildMessage,
  segmentsSize,
  messageChunks,
  viewStoredMessage,
  type MessageView,
  type Segment,
} from "../mime/index.js";
import type {
  FlagChange,
  MessageCursor,
  MessageRecord,
  SearchQuery,
  Store,
  StoredRaw,
} from "../storage/ports.js";
import { invalidInput, notFound } from "./errors.js";
import { messageEvent, moveEvents, type EventPublisher } from "./events.js";
import { normalizeFlags } from "./flags.js";
import { newId } from "./ids.js";
import type { IngestService } from "./ingest.js";
import { DEFAULT_LIMITS, type CoreLimits } from "./limits.js";
import { assertQuotaRoom, quotaChecked } from "./admission.js";
import { requireUser, type Principal } from "./principal.js";
import { readAhead } from "./read-ahead.js";

/** How many messages' segments one store query brings in while streaming a mailbox. */
export const RAW_BATCH = 100;

/** Blobs up to this size are read in one piece when a message is streamed (the blob stream's buffer is 256 KiB). */
const WHOLE_BLOB_READ_BYTES = 256 * 1024;

/** Bytes of the messages read ahead of the one being sent by `rawMessages` (their blobs read whole). */
export const READ_AHEAD_BYTES = 4 * 1024 * 1024;

function isSmallOrInline(s: Segment): boolean {
  return s.kind === "inline" || s.size <= WHOLE_BLOB_READ_BYTES;
}

/** One message's original bytes, from a mailbox read in UID order. */
export interface RawMessage {
  id: string;
  uid: number;
  size: number;
  internalDate: Date;
  /**
   * The whole bytes, when they are in memory: a message kept together (one read with its row, no copy), or
   * one whose blobs are all small (read ahead of its turn). Null when a blob is large: `chunks` streams it.
   */
  bytes: Buffer | null;
  /** The bytes in order, each blob read as it is reached: for every message, and the only way for those with blobs. */
  chunks(): AsyncIterable<Buffer>;
}

export interface MessagePage {
  messages: MessageRecord[];
  hasMore: boolean;
}

/** Reading and changing a user's messages. Every method first settles whose messages it may touch. */
export class MessageService {
  constructor(
    private readonly store: Store,
    private readonly events: EventPublisher,
    private readonly ingestService: IngestService,
    private readonly limits: CoreLimits = DEFAULT_LIMITS,
  ) {}

  async upload(
    p: Principal,
    mailboxId: string,
    raw: Buffer,
    flags: string[] = [],
    internalDate?: Date,
  ): Promise<MessageRecord> {
    return this.ingestService.ingest({ userId: requireUser(p), mailboxId, raw, flags, internalDate });
  }

  async get(p: Principal, id: string): Promise<MessageRecord> {
    const m = await this.store.messages.get(requireUser(p), id);
    if (!m) throw notFound("Message", id);
    return m;
  }

  /** The principal's messages among `ids` (others are left out), for batched loading. */
  async getMany(p: Principal, ids: string[]): Promise<MessageRecord[]> {
    return this.store.messages.getMany(requireUser(p), ids);
  }

  async list(p: Principal, mailboxId: string, first: number, after?: MessageCursor): Promise<MessagePage> {
    return this.search(p, { mailboxId }, first, after);
  }

  async search(p: Principal, query: SearchQuery, first: number, after?: MessageCursor): Promise<MessagePage> {
    const userId = requireUser(p);
    if (!Number.isInteger(first) || first < 1 || first > this.limits.maxPageSize)
      throw invalidInput(`Page size ${first} must be 1 to ${this.limits.maxPageSize}.`);
    if (query.mailboxId !== undefined && !(await this.store.mailboxes.get(userId, query.mailboxId)))
      throw notFound("Mailbox", query.mailboxId);
    for (const [key, value] of Object.entries(query)) {
      if (typeof value === "string" && value.length > this.limits.maxSearchTextChars)
        throw invalidInput(
          `Search field "${key}" has ${value.length} characters; at most ${this.limits.maxSearchTextChars} are allowed.`,
        );
    }
    const clean = {
      ...query,
      flags: query.flags && normalizeFlags(query.flags),
      notFlags: query.notFlags && normalizeFlags(query.notFlags),
    };
    const rows = await this.store.messages.search(userId, clean, { limit: first + 1, after });
    return { messages: rows.slice(0, first), hasMore: rows.length > first };
  }

  /** The principal's messages of one thread, oldest first. */
  async thread(p: Principal, threadId: string): Promise<MessageRecord[]> {
    const page = await this.search(p, { threadId }, this.limits.maxPageSize);
    if (page.messages.length === 0) throw notFound("Thread", threadId);
    return page.messages.reverse();
  }

  async threadSizes(p: Principal, threadIds: string[]): Promise<Map<string, number>> {
    return this.store.messages.countByThread(requireUser(p), threadIds);
  }

  /** The view the API shows (text, html, attachments, headers), from the parts chosen at delivery: no parser runs. */
  async view(p: Principal, id: string): Promise<MessageView> {
    const content = await this.store.messages.getContent(requireUser(p), id);
    if (!content) throw notFound("Message", id);
    return viewStoredMessage(content, (hash, prefix) => this.readBlob(hash, prefix));
  }

  /** The original bytes: one row read for a message kept together; its blobs read beside it otherwise. */
  async raw(p: Principal, id: string): Promise<Buffer> {
    const content = await this.store.messages.getContent(requireUser(p), id);
    if (!content) throw notFound("Message", id);
    return rebuildMessage(content.segments, (hash, size) => this.store.blobs.read(hash, size));
  }

  /** The original bytes as a stream, for downloads; blobs are streamed as they are sent, never held whole. */
  async rawStream(p: Principal, id: string): Promise<{ size: number; stream: Readable }> {
    const content = await this.store.messages.getContent(requireUser(p), id);
    if (!content) throw notFound("Message", id);
    return { size: segmentsSize(content.segments), stream: Readable.from(this.chunks(content.segments)) };
  }

  /**
   * The original bytes of a mailbox's messages with fromUid <= uid <= toUid, in UID order (IMAP FETCH 1:*
   * BODY[], export). The store is read in batches of RAW_BATCH; small blobs are read ahead (READ_AHEAD_BYTES
   * at most held) and a large one streamed when reached, so memory stays bounded by one batch whatever the
   * mailbox holds; take each message's chunks before asking for the next.
   */
  async *rawMessages(
    p: Principal,
    mailboxId: string,
    range: { fromUid?: number; toUid?: number } = {},
  ): AsyncGenerator<RawMessage> {
    const userId = requireUser(p);
    await this.assertMailbox(userId, mailboxId);
    const toUid = range.toUid ?? Number.MAX_SAFE_INTEGER;
    for (let fromUid = range.fromUid ?? 1; fromUid <= toUid;) {
      const batch = await this.store.messages.listContents(
        userId,
        mailboxId,
        { from: fromUid, to: toUid },
        { limit: RAW_BATCH },
      );
      // A message whose blobs are all small is read whole ahead of its turn; one with a large blob streams it.
      const aheadCost = (m: StoredRaw) =>
        m.segments.every((s) => s.kind === "inline")
          ? 0 // already in memory with its row
          : m.segments.every(isSmallOrInline)
            ? m.size
            : null;
      const whole = (m: StoredRaw) =>
        inlineBytes(m.segments) ??
        rebuildMessage(m.segments, (hash, size) => this.store.blobs.read(hash, size));
      for await (const [m, bytes] of readAhead(batch, aheadCost, async (m) => whole(m), READ_AHEAD_BYTES)) {
        const segments = m.segments;
        yield {
          id: m.id,
          uid: m.uid,
          size: m.size,
          internalDate: m.internalDate,
          bytes,
          chunks: bytes
            ? async function* () {
                yield bytes;
              }
            : () => this.chunks(segments),
        };
      }
      if (batch.length < RAW_BATCH) return;
      fromUid = batch[batch.length - 1].uid + 1;
    }
  }

  async attachment(p: Principal, id: string, partId: string) {
    const content = await this.store.messages.getContent(requireUser(p), id);
    if (!content) throw notFound("Message", id);
    const part = await extractStoredPart(content, partId, (hash) => this.store.blobs.read(hash));
    if (!part) throw notFound("Attachment", `${id}/${partId}`);
    return part;
  }

  /** A blob's bytes, or with `prefix` only about that many first bytes: streamed, and stopped once they are in. */
  private async readBlob(hash: string, prefix?: number): Promise<Buffer> {
    if (prefix === undefined) return this.store.blobs.read(hash);
    const chunks: Buffer[] = [];
    let got = 0;
    for await (const chunk of await this.store.blobs.open(hash)) {
      const piece = typeof chunk === "string" ? Buffer.from(chunk, "latin1") : chunk;
      chunks.push(piece);
      got += piece.length;
      if (got >= prefix) break;
    }
    return Buffer.concat(chunks, got);
  }

  /** A message's bytes as they are read: inline pieces as they are, blobs streamed from the store. */
  private async *chunks(segments: Segment[]): AsyncGenerator<Buffer> {
    const bytes = inlineBytes(segments);
    if (bytes) {
      yield bytes;
      return;
    }
    // A small blob is read whole: one read costs about a quarter less than a file handle and a stream (the
    // attachments of a FETCH 1:* BODY[]), and holds no more than the stream's own buffer would.
    yield* messageChunks(segments, (hash, size) =>
      size <= WHOLE_BLOB_READ_BYTES ? this.store.blobs.read(hash, size) : this.store.blobs.open(hash),
    );
  }

  async setFlags(p: Principal, ids: string[], change: FlagChange): Promise<MessageRecord[]> {
    const userId = requireUser(p);
    this.assertBatch(ids);
    const updates = await this.store.messages.updateFlags(userId, ids, {
      op: change.op,
      flags: normalizeFlags(change.flags),
    });
    await this.events.changed(
      userId,
      updates.map((u) => messageEvent("flags", userId, u)),
    );
    return this.store.messages.getMany(userId, ids);
  }

  async move(p: Principal, ids: string[], targetMailboxId: string): Promise<MessageRecord[]> {
    const userId = requireUser(p);
    this.assertBatch(ids);
    await this.assertMailbox(userId, targetMailboxId);
    const moved = await this.store.messages.move(userId, ids, targetMailboxId);
    await this.events.changed(
      userId,
      moved.flatMap((m) => moveEvents(userId, m)),
    );
    return this.store.messages.getMany(userId, ids);
  }

  async copy(p: Principal, ids: string[], targetMailboxId: string): Promise<MessageRecord[]> {
    const userId = requireUser(p);
    this.assertBatch(ids);
    await this.assertMailbox(userId, targetMailboxId);
    const existing = await this.store.messages.getMany(userId, ids);
    const user = await this.store.users.get(userId);
    const adding = existing.reduce((sum, m) => sum + m.size, 0);
    if (user) assertQuotaRoom(user, adding, "Copying");
    const copies = await quotaChecked(
      this.store.messages.copy(
        userId,
        existing.map((m) => ({ id: m.id, newId: newId() })),
        targetMailboxId,
      ),
    );
    await this.events.changed(
      userId,
      copies.map((m) => messageEvent("exists", userId, m)),
    );
    return copies;
  }

  /** Deletes for good (IMAP EXPUNGE, the API's delete); returns the ids removed. */
  async delete(p: Principal, ids: string[]): Promise<string[]> {
    const userId = requireUser(p);
    this.assertBatch(ids);
    const removed = await this.store.messages.remove(userId, ids);
    await this.events.changed(
      userId,
      removed.map((m) => messageEvent("expunge", userId, m)),
    );
    return removed.map((m) => m.id);
  }

  private assertBatch(ids: string[]): void {
    if (ids.length === 0 || ids.length > this.limits.maxBatchIds)
      throw invalidInput(`${ids.length} message ids given; send 1 to ${this.limits.maxBatchIds}.`);
  }

  private async assertMailbox(userId: string, mailboxId: string): Promise<void> {
    if (!(await this.store.mailboxes.get(userId, mailboxId))) throw notFound("Mailbox", mailboxId);
  }
}

// The mailbox-and-UID service for IMAP and POP3: a mailbox seen as UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ and a
// UID list. The session keeps the sequence-number map; the core hears of UIDs only (Stalwart's MailboxState).
import type { BodyStructure, Envelope } from "../mime/index.js";
import { readMeta } from "./model.js";
import type {
  FlagChange,
  MailboxRecord,
  MessageRecord,
  MessageWithMeta,
  Store,
  UidEntry,
  UidRange,
} from "../storage/ports.js";
import { readSection, type BodySection, type SectionBytes } from "./body-section.js";
import { invalidInput, notFound } from "./errors.js";
import { messageEvent, moveEvents, type EventPublisher } from "./events.js";
import { normalizeFlags } from "./flags.js";
import { newId } from "./ids.js";
import type { IngestService } from "./ingest.js";
import { normalizePath } from "./mailboxes.js";
import type { MessageService, RawMessage } from "./messages.js";
import { requireUser, type Principal } from "./principal.js";
import { quotaChecked } from "./admission.js";
import { normalizeUidSet, type UidSet } from "./uid-set.js";

export type { UidEntry };

/** Messages per FETCH batch unless the caller asks for another size; at most MAX_FETCH_BATCH. */
export const DEFAULT_FETCH_BATCH = 100;
export const MAX_FETCH_BATCH = 1000;
/** Messages per store change in STORE, COPY, MOVE and EXPUNGE (each batch is one logical change). */
const CHANGE_BATCH = 1000;

/** A selected mailbox: what SELECT / EXAMINE and POP3's maildrop need. */
export interface OpenedMailbox {
  mailboxId: string;
  path: string;
  specialUse: string | null;
  uidValidity: number;
  uidNext: number;
  /**
   * The mailbox's modseq when the UID list was read, or lower: a change landing between the two reads is in
   * the list and also arrives again from `watch`, which the session ignores as already known.
   */
  highestModseq: number;
  /** Every message in UID order (RFC822.SIZE, FLAGS, MODSEQ), without content. */
  messages: UidEntry[];
}

/**
 * A mailbox opened for IMAP SELECT / EXAMINE: the UIDs as one packed array (no object per message) with what
 * the SELECT answer tells of them besides EXISTS.
 */
export interface OpenedUids extends Omit<OpenedMailbox, "messages"> {
  /** Every UID, ascending. */
  uids: Uint32Array;
  /** The sequence number of the first message without \\Seen (RFC 3501 UNSEEN), or 0 when all are seen. */
  firstUnseen: number;
  /** The keywords set on any message, sorted (SELECT's FLAGS). */
  keywords: string[];
}

/** IMAP STATUS (RFC 3501 §6.3.10, RFC 7162 HIGHESTMODSEQ) without reading the UID list. */
export interface MailboxStatus {
  mailboxId: string;
  path: string;
  messages: number;
  unseen: number;
  /** Sum of RFC822.SIZE (RFC 8438 STATUS=SIZE). */
  size: number;
  uidNext: number;
  uidValidity: number;
  highestModseq: number;
  /** With `deleted: true`: messages flagged \\Deleted and their bytes (RFC 9051 DELETED, RFC 9208 DELETED-STORAGE). */
  deleted?: { messages: number; size: number };
}

export interface StatusOptions {
  /** Count the \\Deleted messages too: reads the mailbox's UID list (flags and sizes), so only when asked. */
  deleted?: boolean;
}

export interface FetchOptions {
  envelope?: boolean;
  bodyStructure?: boolean;
  /** RFC 7162 CHANGEDSINCE: only messages whose modseq is above this. */
  changedSince?: number;
  /** Messages per yielded batch (default 100, at most 1000). */
  batchSize?: number;
  /**
   * With `envelope` or `bodyStructure`: the messages whose stored ENVELOPE / BODYSTRUCTURE are read (default
   * all). A front end that keeps them formatted answers false for those it has; they come without, and the
   * store reads no metadata for a batch where every answer is false (it lies past the body in each row).
   */
  metaFor?: (messageId: string) => boolean;
}

/** One message's FETCH data that needs no body: flags, dates, size, and the stored ENVELOPE / BODYSTRUCTURE. */
export interface FetchedMessage {
  id: string;
  uid: number;
  modseq: number;
  flags: string[];
  internalDate: Date;
  size: number;
  envelope?: Envelope;
  bodyStructure?: BodyStructure;
}

export interface StoreFlagsOptions {
  /** RFC 7162 UNCHANGEDSINCE. */
  unchangedSince?: number;
}

export interface StoreFlagsResult {
  /** Messages whose flags changed, with their new flags and modseq (for the untagged FETCH replies). */
  updated: Array<{ uid: number; flags: string[]; modseq: number }>;
  /** UIDs that failed UNCHANGEDSINCE (the MODIFIED response code), ascending. */
  modified: number[];
}

/** COPYUID / the MOVE answer (RFC 4315 §3, RFC 6851): the target's UIDVALIDITY and source -> new UID pairs. */
export interface CopyResult {
  uidValidity: number;
  pairs: Array<{ from: number; to: number }>;
}

/** APPENDUID (RFC 4315 §3). */
export interface AppendResult {
  uidValidity: number;
  uid: number;
  messageId: string;
}

export interface ExpungeOptions {
  /** IMAP removes only messages flagged \Deleted (default); POP3's DELE at QUIT removes what it names. */
  deletedOnly?: boolean;
}

/** A user's mailboxes by UID. Every call takes a Principal and finds nothing in another user's mailboxes. */
export class UidMailboxService {
  constructor(
    private readonly store: Store,
    private readonly events: EventPublisher,
    private readonly ingest: IngestService,
    private readonly messages: MessageService,
  ) {}

  async open(p: Principal, mailboxId: string): Promise<OpenedMailbox> {
    const userId = requireUser(p);
    return this.opened(userId, await this.mailbox(userId, mailboxId));
  }

  /** IMAP SELECT / EXAMINE: the mailbox's UIDs packed, read from the store's index alone. */
  async openUids(p: Principal, mailboxId: string): Promise<OpenedUids> {
    const userId = requireUser(p);
    const box = await this.mailbox(userId, mailboxId);
    const listing = await this.store.messages.uidListing(userId, box.id);
    const { uids } = listing;
    const last = uids.length > 0 ? uids[uids.length - 1] : 0;
    return {
      mailboxId: box.id,
      path: box.path,
      specialUse: box.specialUse,
      uidValidity: box.uidValidity,
      uidNext: Math.max(box.uidNext, last + 1),
      highestModseq: box.highestModseq,
      uids,
      firstUnseen: listing.firstUnseenUid === null ? 0 : sequenceOf(uids, listing.firstUnseenUid),
      keywords: listing.keywords,
    };
  }

  /** STATUS and LIST-STATUS: the counters the store keeps, no message read. */
  async status(p: Principal, mailboxId: string, options: StatusOptions = {}): Promise<MailboxStatus> {
    const userId = requireUser(p);
    const box = await this.mailbox(userId, mailboxId);
    const [counts] = await this.store.mailboxes.counts(userId, [box.id]);
    let deleted: MailboxStatus["deleted"];
    if (options.deleted) {
      const flagged = (await this.store.messages.listUids(userId, box.id)).filter((m) =>
        m.flags.includes("\\Deleted"),
      );
      deleted = { messages: flagged.length, size: flagged.reduce((sum, m) => sum + m.size, 0) };
    }
    return {
      ...(deleted ? { deleted } : {}),
      mailboxId: box.id,
      path: box.path,
      messages: counts?.total ?? 0,
      unseen: counts?.unseen ?? 0,
      size: counts?.size ?? 0,
      uidNext: box.uidNext,
      uidValidity: box.uidValidity,
      highestModseq: box.highestModseq,
    };
  }

  /** STATUS by name (IMAP's argument is a name, not an id). */
  async statusByPath(p: Principal, path: string, options: StatusOptions = {}): Promise<MailboxStatus> {
    const userId = requireUser(p);
    return this.status(p, (await this.mailboxAt(userId, path)).id, options);
  }

  async openByPath(p: Principal, path: string): Promise<OpenedMailbox> {
    const userId = requireUser(p);
    return this.opened(userId, await this.mailboxAt(userId, path));
  }

  /**
   * The messages of `uids` that are in the mailbox, in UID order, in batches; ENVELOPE and BODYSTRUCTURE
   * come from what delivery stored, so no message body is read.
   */
  async *fetch(
    p: Principal,
    mailboxId: string,
    uids: UidSet,
    options: FetchOptions = {},
  ): AsyncGenerator<FetchedMessage[]> {
    const userId = requireUser(p);
    await this.mailbox(userId, mailboxId);
    const size = options.batchSize ?? DEFAULT_FETCH_BATCH;
    if (!Number.isInteger(size) || size < 1 || size > MAX_FETCH_BATCH)
      throw invalidInput(`Batch size ${size} must be 1 to ${MAX_FETCH_BATCH}.`);
    let batch: FetchedMessage[] = [];
    for (const range of normalizeUidSet(uids)) {
      for (let from = range.from; from <= range.to;) {
        const rows = await this.fetchRows(userId, mailboxId, { from, to: range.to }, size, options);
        for (const { message: m, meta } of rows) {
          if (options.changedSince !== undefined && m.modseq <= options.changedSince) continue;
          const imap = meta === null ? undefined : readMeta(meta).imap;
          batch.push({
            id: m.id,
            uid: m.uid,
            modseq: m.modseq,
            flags: m.flags,
            internalDate: m.internalDate,
            size: m.size,
            ...(options.envelope && imap ? { envelope: imap.envelope } : {}),
            ...(options.bodyStructure && imap ? { bodyStructure: imap.bodyStructure } : {}),
          });
          if (batch.length >= size) {
            yield batch;
            batch = [];
          }
        }
        if (rows.length < size) break;
        from = rows[rows.length - 1].message.uid + 1;
      }
    }
    if (batch.length > 0) yield batch;
  }

  /**
   * One batch of `fetch`'s rows: with metadata for the messages `metaFor` asks it for. When it asks for only
   * some, the rows come without and a second read brings the metadata of the span from the first asked to the
   * last (a client's new messages are at the end).
   */
  private async fetchRows(
    userId: string,
    mailboxId: string,
    range: UidRange,
    limit: number,
    options: FetchOptions,
  ): Promise<MessageWithMeta[]> {
    const withMeta = !!(options.envelope || options.bodyStructure);
    const metaFor = options.metaFor;
    if (!withMeta || !metaFor)
      return this.store.messages.listByUid(userId, mailboxId, range, { limit, meta: withMeta });
    const rows = await this.store.messages.listByUid(userId, mailboxId, range, { limit });
    const asked = rows.filter((r) => metaFor(r.message.id));
    if (asked.length === 0) return rows;
    const span = { from: asked[0].message.uid, to: asked[asked.length - 1].message.uid };
    const withMetaRows = await this.store.messages.listByUid(userId, mailboxId, span, {
      limit: rows.length,
      meta: true,
    });
    const metaOf = new Map(withMetaRows.map((r) => [r.message.id, r.meta]));
    const askedIds = new Set(asked.map((r) => r.message.id));
    return rows.map((r) =>
      askedIds.has(r.message.id) ? { ...r, meta: metaOf.get(r.message.id) ?? null } : r,
    );
  }

  /**
   * BODY[] / RFC822 / POP3 RETR of many messages: each message's whole bytes in UID order, read in batches
   * (one read for a message kept together, blobs streamed as reached) — the bulk path for `FETCH 1:* BODY[]`.
   */
  async *rawMessages(p: Principal, mailboxId: string, uids: UidSet): AsyncGenerator<RawMessage> {
    const ranges = normalizeUidSet(uids);
    for (const range of ranges)
      yield* this.messages.rawMessages(p, mailboxId, { fromUid: range.from, toUid: range.to });
  }

  /**
   * BODY[section]<partial> of one message, reading only the stored pieces the section overlaps (a large
   * attachment's blob only when the section reaches into it). Null when the UID is not in the mailbox.
   */
  async body(
    p: Principal,
    mailboxId: string,
    uid: number,
    section: BodySection,
  ): Promise<SectionBytes | null> {
    const userId = requireUser(p);
    await this.mailbox(userId, mailboxId);
    if (!Number.isInteger(uid) || uid < 1) throw invalidInput(`UID ${uid} is not a whole number from 1.`);
    const m = await this.store.messages.getByUid(userId, mailboxId, uid);
    if (!m) return null;
    const content = await this.store.messages.getContent(userId, m.id);
    if (!content) return null;
    return readSection(content.segments, content.meta, section, this.store.blobs);
  }

  /** STORE / UID STORE: change the flags of the set's messages, each atomically against UNCHANGEDSINCE. */
  async storeFlags(
    p: Principal,
    mailboxId: string,
    uids: UidSet,
    change: FlagChange,
    options: StoreFlagsOptions = {},
  ): Promise<StoreFlagsResult> {
    const userId = requireUser(p);
    await this.mailbox(userId, mailboxId);
    const clean: FlagChange = { op: change.op, flags: normalizeFlags(change.flags) };
    const messages = await this.rows(userId, mailboxId, uids);
    const uidOf = new Map(messages.map((m) => [m.id, m.uid]));
    const result: StoreFlagsResult = { updated: [], modified: [] };
    for (const ids of batches(messages.map((m) => m.id))) {
      const { updated, modified } = await this.store.messages.updateFlagsInMailbox(
        userId,
        mailboxId,
        ids,
        clean,
        { unchangedSince: options.unchangedSince },
      );
      await this.events.changed(
        userId,
        updated.map((u) => messageEvent("flags", userId, u)),
      );
      result.updated.push(...updated.map((u) => ({ uid: u.uid, flags: u.flags, modseq: u.modseq })));
      result.modified.push(...modified.map((id) => uidOf.get(id)!));
    }
    result.modified.sort((a, b) => a - b);
    return result;
  }

  /** COPY / UID COPY: new messages in the target; the pairs say which source UID became which new UID. */
  async copy(p: Principal, mailboxId: string, uids: UidSet, targetMailboxId: string): Promise<CopyResult> {
    const userId = requireUser(p);
    await this.mailbox(userId, mailboxId);
    const target = await this.mailbox(userId, targetMailboxId);
    const messages = await this.rows(userId, mailboxId, uids);
    const pairs: CopyResult["pairs"] = [];
    for (const chunk of batches(messages)) {
      const plan = chunk.map((m) => ({ id: m.id, newId: newId(), fromUid: m.uid }));
      const copies = await quotaChecked(this.store.messages.copy(userId, plan, targetMailboxId));
      const byId = new Map(copies.map((c) => [c.id, c]));
      for (const step of plan) {
        const copy = byId.get(step.newId);
        if (copy) pairs.push({ from: step.fromUid, to: copy.uid });
      }
      await this.events.changed(
        userId,
        copies.map((c) => messageEvent("exists", userId, c)),
      );
    }
    return { uidValidity: target.uidValidity, pairs };
  }

  /** MOVE / UID MOVE (RFC 6851): the messages keep their ids and get new UIDs in the target. */
  async move(p: Principal, mailboxId: string, uids: UidSet, targetMailboxId: string): Promise<CopyResult> {
    const userId = requireUser(p);
    await this.mailbox(userId, mailboxId);
    const target = await this.mailbox(userId, targetMailboxId);
    const messages = await this.rows(userId, mailboxId, uids);
    const pairs: CopyResult["pairs"] = [];
    for (const chunk of batches(messages)) {
      const moved = (
        await this.store.messages.move(
          userId,
          chunk.map((m) => m.id),
          targetMailboxId,
        )
      ).filter((m) => m.fromMailboxId === mailboxId);
      pairs.push(...moved.map((m) => ({ from: m.fromUid, to: m.uid })));
      await this.events.changed(
        userId,
        moved.flatMap((m) => moveEvents(userId, m)),
      );
    }
    return { uidValidity: target.uidValidity, pairs };
  }

  /** APPEND through the one ingest path; the answer carries APPENDUID's UIDVALIDITY and UID. */
  async append(
    p: Principal,
    mailboxId: string,
    raw: Buffer,
    options: { flags?: string[]; internalDate?: Date } = {},
  ): Promise<AppendResult> {
    const userId = requireUser(p);
    const box = await this.mailbox(userId, mailboxId);
    const m = await this.ingest.ingest({ userId, mailboxId, raw, ...options });
    return { uidValidity: box.uidValidity, uid: m.uid, messageId: m.id };
  }

  /** APPEND by name; NOT_FOUND when there is no mailbox there (IMAP answers [TRYCREATE]). */
  async appendByPath(
    p: Principal,
    path: string,
    raw: Buffer,
    options: { flags?: string[]; internalDate?: Date } = {},
  ): Promise<AppendResult> {
    const userId = requireUser(p);
    return this.append(p, (await this.mailboxAt(userId, path)).id, raw, options);
  }

  /**
   * EXPUNGE / UID EXPUNGE (RFC 4315 §2.1): removes the set's messages (by default only those flagged
   * \Deleted) and returns their UIDs, ascending.
   */
  async expunge(
    p: Principal,
    mailboxId: string,
    uids: UidSet,
    options: ExpungeOptions = {},
  ): Promise<number[]> {
    const userId = requireUser(p);
    await this.mailbox(userId, mailboxId);
    const deletedOnly = options.deletedOnly ?? true;
    const messages = (await this.rows(userId, mailboxId, uids)).filter(
      (m) => !deletedOnly || m.flags.includes("\\Deleted"),
    );
    const expunged: number[] = [];
    for (const chunk of batches(messages)) {
      // A message flagged \Deleted here and moved elsewhere meanwhile keeps its id: remove it only if still here.
      const still = new Set(
        (
          await this.rows(
            userId,
            mailboxId,
            chunk.map((m) => m.uid),
          )
        ).map((m) => m.id),
      );
      const removed = await this.store.messages.remove(
        userId,
        chunk.filter((m) => still.has(m.id)).map((m) => m.id),
      );
      expunged.push(...removed.map((r) => r.uid));
      await this.events.changed(
        userId,
        removed.map((r) => messageEvent("expunge", userId, r)),
      );
    }
    return expunged.sort((a, b) => a - b);
  }

  /**
   * QRESYNC (RFC 7162 §3.2.5): the UIDs expunged from the mailbox (or moved out of it) after `modseq`,
   * ascending; null when the journal no longer reaches back that far (the caller falls back to the UIDs the
   * client names, RFC 7162 §3.2.5.2).
   */
  async vanishedSince(p: Principal, mailboxId: string, modseq: number): Promise<number[] | null> {
    const userId = requireUser(p);
    await this.mailbox(userId, mailboxId);
    if (!Number.isSafeInteger(modseq) || modseq < 0)
      throw invalidInput(`Modseq ${modseq} is not a whole number from 0.`);
    if (modseq < (await this.store.journal.floor(userId))) return null;
    return this.store.journal.expungedSince(userId, mailboxId, modseq);
  }

  private async mailbox(userId: string, mailboxId: string): Promise<MailboxRecord> {
    const box = await this.store.mailboxes.get(userId, mailboxId);
    if (!box) throw notFound("Mailbox", mailboxId);
    return box;
  }

  private async mailboxAt(userId: string, path: string): Promise<MailboxRecord> {
    const box = await this.store.mailboxes.getByPath(userId, normalizePath(path));
    if (!box) throw notFound("Mailbox", path);
    return box;
  }

  private async opened(userId: string, box: MailboxRecord): Promise<OpenedMailbox> {
    const messages = await this.store.messages.listUids(userId, box.id);
    const last = messages[messages.length - 1];
    return {
      mailboxId: box.id,
      path: box.path,
      specialUse: box.specialUse,
      uidValidity: box.uidValidity,
      uidNext: Math.max(box.uidNext, last ? last.uid + 1 : 1),
      highestModseq: box.highestModseq,
      messages,
    };
  }

  /** The summary rows of the set's messages in the mailbox, in UID order. */
  private async rows(userId: string, mailboxId: string, uids: UidSet): Promise<MessageRecord[]> {
    const out: MessageRecord[] = [];
    for (const range of normalizeUidSet(uids)) {
      for (let from = range.from; from <= range.to;) {
        const rows = await this.store.messages.listByUid(
          userId,
          mailboxId,
          { from, to: range.to },
          { limit: CHANGE_BATCH },
        );
        out.push(...rows.map((r) => r.message));
        if (rows.length < CHANGE_BATCH) break;
        from = rows[rows.length - 1].message.uid + 1;
      }
    }
    return out;
  }
}

/** The 1-based position of `uid` in the ascending `uids` (binary search); 0 when absent. */
function sequenceOf(uids: Uint32Array, uid: number): number {
  let lo = 0;
  let hi = uids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (uids[mid] === uid) return mid + 1;
    if (uids[mid] < uid) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

function batches<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHANGE_BATCH) out.push(items.slice(i, i + CHANGE_BATCH));
  return out;
}

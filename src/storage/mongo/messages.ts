import type { Filter } from "mongodb";
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
import { chunks, MAX_IDENTITY_RETRIES, type MongoContext } from "./context.js";
import { isDuplicateKey } from "./constraint-errors.js";
import {
  packMeta,
  packSegments,
  SUMMARY_PROJECTION,
  toMessage,
  unpackContent,
  unpackSegments,
  type MessageDoc,
  type MessageSummaryDoc,
} from "./records.js";
import { REMOVAL_PROJECTION, removeMessages, type RemovableDoc } from "./removal.js";
import { buildSearchFilter, LISTING_SORT } from "./search.js";
import { buildMailboxFilter, buildMailboxSort } from "./mailbox-query.js";
import { MongoThreadStore } from "./threads.js";
import {
  insertPlaced,
  withoutPlacement,
  withRefsTakenBackOnFailure,
  withStorageGivenBackOnFailure,
  type UnplacedDoc,
} from "./placement.js";

type FlagsDoc = Pick<MessageDoc, "_id" | "mailbox" | "uid" | "modseq" | "flags">;
const FLAGS_PROJECTION = { _id: 1, mailbox: 1, uid: 1, modseq: 1, flags: 1 } as const;

export class MongoMessageStore implements MessageStore {
  constructor(private readonly ctx: MongoContext) {}

  /**
   * In crash-safe order: blob refs (the caller put the blobs), modseq + UID, the message document,
   * quota, the journal entry and the mailbox's highestModseq. A crash leaves at worst a reference or
   * quota too many (repair recounts them) or a gap in UIDs; never a half-stored message.
   */
  async append(m: NewMessage): Promise<MessageRecord> {
    const { ctx } = this;
    const threadId = m.thread
      ? await new MongoThreadStore(ctx).resolve(m.userId, m.thread.refs, m.thread.subjectKey, m.threadId)
      : m.threadId;
    const base: UnplacedDoc = {
      _id: m.id,
      user: m.userId,
      flags: m.flags,
      internalDate: m.internalDate,
      sentDate: m.sentDate,
      size: m.size,
      thread: threadId,
      subject: m.subject,
      from: m.from,
      to: m.to,
      cc: m.cc,
      bcc: m.bcc,
      msgid: m.messageIdHeader,
      hasAttachments: m.hasAttachments,
      preview: m.preview,
      searchText: m.searchText,
      searchHeaders: m.searchHeaders ?? "",
      sentDay: m.sentDay ?? Math.floor(m.sentDate.getTime() / 86_400_000),
      blobRefs: m.blobRefs,
      segments: packSegments(m.content.segments),
      ...packMeta(m.content.meta),
    };
    await ctx.reserveStorage(m.userId, m.size);
    await ctx.addBlobRefs(m.blobRefs);
    const [doc] = await withStorageGivenBackOnFailure(ctx, m.userId, m.size, () =>
      withRefsTakenBackOnFailure(ctx, m.blobRefs, () => insertPlaced(ctx, m.userId, m.mailboxId, [base])),
    );
    const [modseq] = await ctx.writeJournal(m.userId, [
      { modseq: doc.modseq, mailbox: m.mailboxId, kind: "exists", message: m.id, uid: doc.uid },
    ]);
    return toMessage({ ...doc, modseq });
  }

  async get(userId: string, id: string): Promise<MessageRecord | null> {
    const d = await this.ctx.messages.findOne<MessageSummaryDoc>(
      { _id: id, user: userId },
      { projection: SUMMARY_PROJECTION },
    );
    return d ? toMessage(d) : null;
  }

  async getMany(userId: string, ids: string[]): Promise<MessageRecord[]> {
    return (await findInOrder<MessageSummaryDoc>(this.ctx, userId, ids, SUMMARY_PROJECTION)).map(toMessage);
  }

  async getByUid(userId: string, mailboxId: string, uid: number): Promise<MessageRecord | null> {
    const d = await this.ctx.messages.findOne<MessageSummaryDoc>(
      { mailbox: mailboxId, uid, user: userId },
      { projection: SUMMARY_PROJECTION },
    );
    return d ? toMessage(d) : null;
  }

  async getContent(userId: string, id: string): Promise<MessageContent | null> {
    const d = await this.ctx.messages.findOne<Pick<MessageDoc, "segments" | "meta" | "metaJson">>(
      { _id: id, user: userId },
      { projection: { segments: 1, meta: 1, metaJson: 1 } },
    );
    return d ? unpackContent(d) : null;
  }

  async listContents(
    userId: string,
    mailboxId: string,
    range: UidRange,
    options: { limit: number },
  ): Promise<StoredRaw[]> {
    const docs = await this.ctx.messages
      .find<Pick<MessageDoc, "_id" | "uid" | "size" | "internalDate" | "segments">>(
        { mailbox: mailboxId, uid: { $gte: range.from, $lte: range.to }, user: userId },
        { projection: { _id: 1, uid: 1, size: 1, internalDate: 1, segments: 1 } },
      )
      .sort({ uid: 1 })
      .limit(options.limit)
      .toArray();
    return docs.map((d) => ({
      id: d._id,
      uid: d.uid,
      size: d.size,
      internalDate: d.internalDate,
      segments: unpackSegments(d.segments),
    }));
  }

  async list(userId: string, mailboxId: string, options: ListMessagesOptions): Promise<MessageRecord[]> {
    return this.search(userId, { mailboxId }, options);
  }

  async listUids(userId: string, mailboxId: string): Promise<UidEntry[]> {
    const docs = await this.ctx.messages
      .find<Pick<MessageDoc, "_id" | "uid" | "modseq" | "flags" | "size">>(
        { mailbox: mailboxId, user: userId },
        { projection: { _id: 1, uid: 1, modseq: 1, flags: 1, size: 1 } },
      )
      .sort({ uid: 1 })
      .toArray();
    return docs.map((d) => ({ id: d._id, uid: d.uid, modseq: d.modseq, flags: d.flags, size: d.size }));
  }

  async uidListing(userId: string, mailboxId: string): Promise<UidListing> {
    const filter = { mailbox: mailboxId, user: userId };
    const [docs, firstUnseen, flags] = await Promise.all([
      this.ctx.messages
        .find<Pick<MessageDoc, "uid">>(filter, { projection: { _id: 0, uid: 1 } })
        .sort({ uid: 1 })
        .toArray(),
      this.ctx.messages.findOne<Pick<MessageDoc, "uid">>(
        { ...filter, flags: { $ne: "\\Seen" } },
        { projection: { _id: 0, uid: 1 }, sort: { uid: 1 } },
      ),
      // Every distinct flag of the mailbox's messages (distinct looks into the arrays).
      this.ctx.messages.distinct("flags", filter) as Promise<string[]>,
    ]);
    const uids = new Uint32Array(docs.length);
    for (let i = 0; i < docs.length; i++) uids[i] = docs[i].uid;
    return {
      uids,
      firstUnseenUid: firstUnseen?.uid ?? null,
      keywords: flags.filter((f) => !f.startsWith("\\")).sort(),
    };
  }

  async listByUid(
    userId: string,
    mailboxId: string,
    range: UidRange,
    options: { limit: number; meta?: boolean },
  ): Promise<MessageWithMeta[]> {
    const docs = await this.ctx.messages
      .find<MessageSummaryDoc & Pick<MessageDoc, "meta" | "metaJson">>(
        { mailbox: mailboxId, uid: { $gte: range.from, $lte: range.to }, user: userId },
        { projection: options.meta ? { ...SUMMARY_PROJECTION, meta: 1, metaJson: 1 } : SUMMARY_PROJECTION },
      )
      .sort({ uid: 1 })
      .limit(options.limit)
      .toArray();
    return docs.map((d) => ({
      message: toMessage(d),
      meta: !options.meta
        ? null
        : d.metaJson !== undefined
          ? (JSON.parse(d.metaJson) as unknown)
          : (d.meta ?? null),
    }));
  }

  async search(userId: string, query: SearchQuery, options: ListMessagesOptions): Promise<MessageRecord[]> {
    const docs = await this.ctx.messages
      .find<MessageSummaryDoc>(buildSearchFilter(userId, query, options.after), {
        projection: SUMMARY_PROJECTION,
      })
      .sort(LISTING_SORT)
      .limit(options.limit)
      .toArray();
    return docs.map(toMessage);
  }

  async searchUids(
    userId: string,
    mailboxId: string,
    query: MessageQuery,
    order: ColumnOrder[] = [],
  ): Promise<number[]> {
    const docs = await this.ctx.messages
      .find<Pick<MessageDoc, "uid">>(
        { mailbox: mailboxId, user: userId, ...andOf(buildMailboxFilter(query)) },
        { projection: { _id: 0, uid: 1 } },
      )
      .sort(buildMailboxSort(order))
      .toArray();
    return docs.map((d) => d.uid);
  }

  async searchFields(
    userId: string,
    mailboxId: string,
    query: MessageQuery,
    options: { references?: boolean } = {},
  ): Promise<SortFields[]> {
    type FieldsDoc = Pick<
      MessageDoc,
      | "uid"
      | "modseq"
      | "internalDate"
      | "sentDate"
      | "size"
      | "subject"
      | "from"
      | "to"
      | "cc"
      | "msgid"
      | "meta"
      | "metaJson"
    >;
    const docs = await this.ctx.messages
      .find<FieldsDoc>(
        { mailbox: mailboxId, user: userId, ...andOf(buildMailboxFilter(query)) },
        {
          projection: {
            _id: 0,
            uid: 1,
            modseq: 1,
            internalDate: 1,
            sentDate: 1,
            size: 1,
            subject: 1,
            from: 1,
            to: 1,
            cc: 1,
            msgid: 1,
            ...(options.references ? { meta: 1, metaJson: 1 } : {}),
          },
        },
      )
      .sort({ uid: 1 })
      .toArray();
    return docs.map((d) => {
      const meta: unknown = d.metaJson !== undefined ? JSON.parse(d.metaJson) : (d.meta ?? null);
      const headers = (meta as { headers?: { inReplyTo?: unknown; references?: unknown } } | null)?.headers;
      return {
        uid: d.uid,
        modseq: d.modseq,
        internalDate: d.internalDate,
        sentDate: d.sentDate,
        size: d.size,
        subject: d.subject,
        from: d.from,
        to: d.to,
        cc: d.cc,
        messageIdHeader: d.msgid,
        inReplyTo: typeof headers?.inReplyTo === "string" ? headers.inReplyTo : null,
        references: Array.isArray(headers?.references)
          ? headers.references.filter((r): r is string => typeof r === "string")
          : [],
      };
    });
  }

  async countByThread(userId: string, threadIds: string[]): Promise<Map<string, number>> {
    const unique = [...new Set(threadIds)];
    const counts = await Promise.all(
      unique.map((thread) => this.ctx.messages.countDocuments({ user: userId, thread })),
    );
    const out = new Map<string, number>();
    unique.forEach((thread, i) => counts[i] > 0 && out.set(thread, counts[i]));
    return out;
  }

  async updateFlags(userId: string, ids: string[], change: FlagChange): Promise<FlagUpdate[]> {
    return (await this.changeFlags(userId, ids, change, null, undefined)).updated;
  }

  async updateFlagsInMailbox(
    userId: string,
    mailboxId: string,
    ids: string[],
    change: FlagChange,
    options: ConditionalFlagOptions = {},
  ): Promise<ConditionalFlagResult> {
    return this.changeFlags(userId, ids, change, mailboxId, options.unchangedSince);
  }

  /**
   * Reads the messages, computes each new flag set, takes one modseq per changed message (a range, one
   * `$inc`), and writes them in one bulk of compare-and-sets on the modseq each was read with. A message
   * changed meanwhile (it does not carry the modseq we gave it) is read again and gets a fresh modseq.
   * With `mailboxId`, only messages still in it; with `unchangedSince`, a message whose modseq (as read for
   * its compare-and-set) is above it is left alone and reported as modified.
   */
  private async changeFlags(
    userId: string,
    ids: string[],
    change: FlagChange,
    mailboxId: string | null,
    unchangedSince: number | undefined,
  ): Promise<ConditionalFlagResult> {
    const { ctx } = this;
    const modified: string[] = [];
    const planned = (await findInOrder<FlagsDoc>(ctx, userId, ids, FLAGS_PROJECTION))
      .filter((d) => mailboxId === null || d.mailbox === mailboxId)
      .filter((d) => {
        const fails = unchangedSince !== undefined && d.modseq > unchangedSince;
        if (fails) modified.push(d._id);
        return !fails;
      })
      .map((d) => ({ d, flags: applyFlagChange(d.flags, change) }))
      .filter(({ d, flags }) => !sameFlags(d.flags, flags));
    if (planned.length === 0) return { updated: [], modified };
    const first = await ctx.takeModseqs(userId, planned.length);
    const writes: FlagUpdate[] = planned.map(({ d, flags }, i) => ({
      id: d._id,
      mailboxId: d.mailbox,
      uid: d.uid,
      modseq: first + i,
      flags,
    }));
    const { matchedCount } = await ctx.messages.bulkWrite(
      planned.map(({ d }, i) => ({
        updateOne: {
          filter: { _id: d._id, user: userId, modseq: d.modseq },
          update: { $set: { flags: writes[i].flags, modseq: writes[i].modseq } },
        },
      })),
      { ordered: false },
    );
    let updates: Array<FlagUpdate | "modified" | null> = writes;
    if (matchedCount < writes.length) {
      const now = new Map(
        (await findInOrder<FlagsDoc>(ctx, userId, ids, { _id: 1, modseq: 1 })).map((d) => [d._id, d.modseq]),
      );
      updates = await Promise.all(
        writes.map((w) =>
          now.get(w.id) === w.modseq ? w : this.retryFlags(userId, w.id, change, mailboxId, unchangedSince),
        ),
      );
    }
    updates.forEach((u, i) => u === "modified" && modified.push(writes[i].id));
    const applied = updates.filter((u): u is FlagUpdate => u !== null && u !== "modified");
    const modseqs = await ctx.writeJournal(
      userId,
      applied.map((u) => ({
        modseq: u.modseq,
        mailbox: u.mailboxId,
        kind: "flags",
        message: u.id,
        uid: u.uid,
      })),
    );
    return { updated: applied.map((u, i) => ({ ...u, modseq: modseqs[i] })), modified };
  }

  /**
   * Applies a flag change to one message that changed under a batch: read, check the condition, fresh
   * modseq, compare-and-set. Null when it is gone (or left the mailbox) or needs no change.
   */
  private async retryFlags(
    userId: string,
    id: string,
    change: FlagChange,
    mailboxId: string | null,
    unchangedSince: number | undefined,
  ): Promise<FlagUpdate | "modified" | null> {
    for (let attempt = 1; ; attempt++) {
      const d = await this.ctx.messages.findOne<FlagsDoc>(
        { _id: id, user: userId },
        { projection: FLAGS_PROJECTION },
      );
      if (!d || (mailboxId !== null && d.mailbox !== mailboxId)) return null;
      if (unchangedSince !== undefined && d.modseq > unchangedSince) return "modified";
      const flags = applyFlagChange(d.flags, change);
      if (sameFlags(d.flags, flags)) return null;
      const modseq = await this.ctx.takeModseqs(userId, 1);
      const { matchedCount } = await this.ctx.messages.updateOne(
        { _id: id, user: userId, modseq: d.modseq },
        { $set: { flags, modseq } },
      );
      if (matchedCount === 1) return { id, mailboxId: d.mailbox, uid: d.uid, modseq, flags };
      if (attempt >= MAX_IDENTITY_RETRIES)
        throw new Error(`Message ${id} kept changing while its flags were set.`);
    }
  }

  /**
   * Each message keeps its id and document; one update moves it to its new mailbox and UID (the unique
   * `{mailbox, uid}` index guards the UID), then "expunge" in the source and "exists" in the target.
   */
  async move(userId: string, ids: string[], targetMailboxId: string): Promise<MovedMessage[]> {
    const { ctx } = this;
    const docs = (await findInOrder<FlagsDoc>(ctx, userId, ids, FLAGS_PROJECTION)).filter(
      (d) => d.mailbox !== targetMailboxId,
    );
    if (docs.length === 0) return [];
    const firstUid = await ctx.takeUids(userId, targetMailboxId, docs.length);
    const firstModseq = await ctx.takeModseqs(userId, 2 * docs.length);
    const placed = await Promise.all(
      docs.map((d, i) => this.relocate(userId, d, targetMailboxId, firstUid + i, firstModseq + 2 * i + 1)),
    );
    const moved = docs.flatMap((d, i) =>
      placed[i] === null ? [] : [{ d, uid: placed[i]!, modseq: firstModseq + 2 * i + 1 }],
    );
    const modseqs = await ctx.writeJournal(
      userId,
      moved.flatMap(({ d, uid, modseq }) => [
        { modseq: modseq - 1, mailbox: d.mailbox, kind: "expunge" as const, message: d._id, uid: d.uid },
        { modseq, mailbox: targetMailboxId, kind: "exists" as const, message: d._id, uid },
      ]),
    );
    return moved.map(({ d, uid }, i) => ({
      id: d._id,
      fromMailboxId: d.mailbox,
      fromUid: d.uid,
      expungeModseq: modseqs[2 * i],
      toMailboxId: targetMailboxId,
      uid,
      modseq: modseqs[2 * i + 1],
    }));
  }

  /** Moves one document where it was read; returns its new UID, or null if it is no longer there. */
  private async relocate(
    userId: string,
    d: FlagsDoc,
    target: string,
    uid: number,
    modseq: number,
  ): Promise<number | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { matchedCount } = await this.ctx.messages.updateOne(
          { _id: d._id, user: userId, mailbox: d.mailbox, uid: d.uid },
          { $set: { mailbox: target, uid, modseq } },
        );
        return matchedCount === 1 ? uid : null;
      } catch (err) {
        if (!isDuplicateKey(err) || attempt >= MAX_IDENTITY_RETRIES) throw err;
        await this.ctx.resyncUidNext(target);
        uid = await this.ctx.takeUids(userId, target, 1);
      }
    }
  }

  /** Copies under new ids and UIDs, in the same order as `append`: refs, placement, quota, journal. */
  async copy(
    userId: string,
    pairs: Array<{ id: string; newId: string }>,
    targetMailboxId: string,
  ): Promise<MessageRecord[]> {
    const { ctx } = this;
    const sources = new Map(
      (
        await findInOrder<MessageDoc>(
          ctx,
          userId,
          pairs.map((p) => p.id),
        )
      ).map((d) => [d._id, d]),
    );
    const found = pairs.filter((p) => sources.has(p.id));
    if (found.length === 0) return [];
    if (!(await ctx.mailboxes.findOne({ _id: targetMailboxId, user: userId }, { projection: { _id: 1 } }))) {
      throw new Error(`Mailbox ${targetMailboxId} does not belong to user ${userId}.`);
    }
    const taken = await ctx.messages.findOne(
      { _id: { $in: found.map((p) => p.newId) } },
      { projection: { _id: 1 } },
    );
    if (taken) throw new Error(`Message ${taken._id} already exists.`);
    const copies: UnplacedDoc[] = found.map((p) => ({
      ...withoutPlacement(sources.get(p.id)!),
      _id: p.newId,
    }));
    const refs = copies.flatMap((c) => c.blobRefs);
    const adding = copies.reduce((sum, c) => sum + c.size, 0);
    await ctx.reserveStorage(userId, adding);
    await ctx.addBlobRefs(refs);
    const placed = await withStorageGivenBackOnFailure(ctx, userId, adding, () =>
      withRefsTakenBackOnFailure(ctx, refs, () => insertPlaced(ctx, userId, targetMailboxId, copies)),
    );
    const modseqs = await ctx.writeJournal(
      userId,
      placed.map((d) => ({
        modseq: d.modseq,
        mailbox: targetMailboxId,
        kind: "exists",
        message: d._id,
        uid: d.uid,
      })),
    );
    return placed.map((d, i) => toMessage({ ...d, modseq: modseqs[i] }));
  }

  async remove(userId: string, ids: string[]): Promise<RemovedMessage[]> {
    return removeMessages(
      this.ctx,
      userId,
      await findInOrder<RemovableDoc>(this.ctx, userId, ids, REMOVAL_PROJECTION),
    );
  }
}

/** The user's documents among `ids`, in the order of `ids`. */
async function findInOrder<T extends { _id: string }>(
  ctx: MongoContext,
  userId: string,
  ids: string[],
  projection?: Record<string, 1>,
): Promise<T[]> {
  const byId = new Map<string, T>();
  for (const chunk of chunks([...new Set(ids)])) {
    for (const d of await ctx.messages
      .find<T>({ _id: { $in: chunk }, user: userId }, { projection })
      .toArray()) {
      byId.set(d._id, d);
    }
  }
  return [...new Set(ids)].flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
}

/** A query's filter beside the mailbox's own conditions: under $and, so its keys cannot replace them. */
function andOf(filter: Filter<MessageDoc>): Filter<MessageDoc> {
  return Object.keys(filter).length === 0 ? {} : { $and: [filter] };
}

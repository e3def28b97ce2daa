import {
  GridFSBucket,
  MongoBulkWriteError,
  type AnyBulkWriteOperation,
  type Collection,
  type Db,
  type MongoClient,
} from "mongodb";
import type { JournalKind } from "../ports.js";
import { StoreQuotaError } from "../ports.js";
import { isDuplicateKey } from "./constraint-errors.js";
import {
  type AddressDoc,
  type AuthLogDoc,
  type BlobDoc,
  type FilterDoc,
  type DeliveredIdDoc,
  type DeliveryDoc,
  type JournalDoc,
  type MailboxDoc,
  type MessageDoc,
  type SessionDoc,
  type ThreadDoc,
  type ThreadRefDoc,
  type UserDoc,
} from "./records.js";

/**
 * How often a write that lost its UID or modseq to a unique index takes a new one. On MongoDB `$inc` is
 * atomic and this never happens; a server that loses concurrent updates (FerretDB v1) needs a few tries.
 */
export const MAX_IDENTITY_RETRIES = 8;

/** The GridFS bucket in the attachments database (WildDuck calls it "attachments" too). */
export const BLOB_BUCKET = "attachments";

/** The GridFS bucket of the outbound queue's message bytes (attachments database). */
export const OUTBOX_BUCKET = "outbox";

/** A journal entry as the parts write it; the context adds the user and the time. */
export interface JournalWrite {
  modseq: number;
  mailbox: string;
  kind: JournalKind;
  message: string | null;
  uid: number | null;
}

/** What the MongoDB store's parts share: the collections and the steps every logical change is made of. */
export class MongoContext {
  readonly users: Collection<UserDoc>;
  readonly addresses: Collection<AddressDoc>;
  readonly mailboxes: Collection<MailboxDoc>;
  readonly messages: Collection<MessageDoc>;
  readonly blobs: Collection<BlobDoc>;
  readonly journal: Collection<JournalDoc>;
  readonly threads: Collection<ThreadDoc>;
  readonly threadRefs: Collection<ThreadRefDoc>;
  readonly sessions: Collection<SessionDoc>;
  readonly filters: Collection<FilterDoc>;
  readonly deliveries: Collection<DeliveryDoc>;
  readonly deliveredIds: Collection<DeliveredIdDoc>;
  readonly authLog: Collection<AuthLogDoc>;
  readonly bucket: GridFSBucket;

  constructor(
    readonly client: MongoClient,
    readonly db: Db,
    readonly blobDb: Db,
  ) {
    this.users = db.collection("users");
    this.addresses = db.collection("addresses");
    this.mailboxes = db.collection("mailboxes");
    this.messages = db.collection("messages");
    this.blobs = db.collection("blobs");
    this.journal = db.collection("journal");
    this.threads = db.collection("threads");
    this.threadRefs = db.collection("threadrefs");
    this.sessions = db.collection("sessions");
    this.filters = db.collection("filters");
    this.deliveries = db.collection("deliveries");
    this.deliveredIds = db.collection("deliveredids");
    this.authLog = db.collection("authlog");
    this.bucket = new GridFSBucket(blobDb, { bucketName: BLOB_BUCKET });
  }

  /** Reserves `n` account modseqs with one `$inc` on the user document and returns the first. */
  async takeModseqs(userId: string, n: number): Promise<number> {
    const before = await this.users.findOneAndUpdate(
      { _id: userId },
      { $inc: { modseq: n } },
      { returnDocument: "before" },
    );
    if (!before) throw new Error(`User ${userId} does not exist.`);
    return before.modseq + 1;
  }

  /**
   * Reserves `n` UIDVALIDITY values for new mailboxes, each above any the user had (so a mailbox deleted and
   * created again in the same second still gets a new one; RFC 3501 §2.3.1.1), and at least `atLeast`.
   */
  async takeUidValidities(userId: string, n: number, atLeast: number): Promise<number> {
    await this.users.updateOne({ _id: userId }, { $max: { lastUidValidity: atLeast - 1 } });
    const after = await this.users.findOneAndUpdate(
      { _id: userId },
      { $inc: { lastUidValidity: n } },
      { returnDocument: "after" },
    );
    if (!after) throw new Error(`User ${userId} does not exist.`);
    return after.lastUidValidity! - n + 1;
  }

  /** Reserves `n` UIDs with one `$inc` on the mailbox document and returns the first. */
  async takeUids(userId: string, mailboxId: string, n: number): Promise<number> {
    const before = await this.mailboxes.findOneAndUpdate(
      { _id: mailboxId, user: userId },
      { $inc: { uidNext: n } },
      { returnDocument: "before" },
    );
    if (!before) throw new Error(`Mailbox ${mailboxId} does not belong to user ${userId}.`);
    return before.uidNext;
  }

  /** After a UID collision: moves the mailbox's counter past the highest UID in use. */
  async resyncUidNext(mailboxId: string): Promise<void> {
    const top = await this.messages.findOne(
      { mailbox: mailboxId },
      { sort: { uid: -1 }, projection: { uid: 1 } },
    );
    if (top) await this.mailboxes.updateOne({ _id: mailboxId }, { $max: { uidNext: top.uid + 1 } });
  }

  /** After a modseq collision: moves the account's counter past the highest modseq journaled. */
  async resyncModseq(userId: string): Promise<void> {
    const top = await this.journal.findOne(
      { user: userId },
      { sort: { modseq: -1 }, projection: { modseq: 1 } },
    );
    if (top) await this.users.updateOne({ _id: userId }, { $max: { modseq: top.modseq } });
  }

  /**
   * Adds one reference per listed hash (a hash listed twice gets two). Every blob must have been put:
   * if one is missing, the references just added are taken back and the call throws.
   */
  async addBlobRefs(hashes: string[]): Promise<void> {
    const counts = countHashes(hashes);
    if (counts.size === 0) return;
    const now = new Date();
    const result = await this.blobs.bulkWrite(
      [...counts].map(([hash, n]) => ({
        updateOne: { filter: { _id: hash }, update: { $inc: { refs: n }, $max: { touchedAt: now } } },
      })),
      { ordered: false },
    );
    if (result.matchedCount === counts.size) return;
    const found = new Set(
      (await this.blobs.find({ _id: { $in: [...counts.keys()] } }, { projection: { _id: 1 } }).toArray()).map(
        (b) => b._id,
      ),
    );
    const missing = [...counts.keys()].filter((h) => !found.has(h));
    await this.dropBlobRefs(hashes.filter((h) => found.has(h)));
    throw new Error(`Blob ${missing[0]} was not stored before it was referenced.`);
  }

  /** Drops one reference per listed hash. A blob at zero stays until `repair()` removes it. */
  async dropBlobRefs(hashes: string[]): Promise<void> {
    const counts = countHashes(hashes);
    if (counts.size === 0) return;
    await this.blobs.bulkWrite(
      [...counts].map(([hash, n]) => ({
        updateOne: { filter: { _id: hash }, update: { $inc: { refs: -n } } },
      })),
      { ordered: false },
    );
  }

  /**
   * Adds usage unless it would pass the user's quota (0: none), as one conditional update: on MongoDB two
   * racing reservations cannot both pass. Call before the documents are written.
   */
  async reserveStorage(userId: string, adding: number): Promise<void> {
    const user = await this.users.findOne({ _id: userId }, { projection: { quotaBytes: 1 } });
    if (!user) throw new Error(`User ${userId} does not exist.`);
    const filter =
      user.quotaBytes > 0
        ? { _id: userId, quotaBytes: user.quotaBytes, storageUsed: { $lte: user.quotaBytes - adding } }
        : { _id: userId, quotaBytes: 0 };
    const { matchedCount } = await this.users.updateOne(filter, {
      $inc: { storageUsed: adding },
      $set: { usageTouchedAt: new Date() },
    });
    if (matchedCount === 0) throw new StoreQuotaError(userId, adding);
  }

  async changeStorage(userId: string, delta: number): Promise<void> {
    if (delta !== 0)
      await this.users.updateOne(
        { _id: userId },
        { $inc: { storageUsed: delta }, $set: { usageTouchedAt: new Date() } },
      );
  }

  /**
   * Marks the user's usage as changing before a step that changes it later (a removal deletes documents, then
   * lowers usage): the usage reconcile leaves the user alone until the change has settled.
   */
  async touchUsage(userId: string): Promise<void> {
    await this.users.updateOne({ _id: userId }, { $set: { usageTouchedAt: new Date() } });
  }

  /**
   * Writes journal entries, then raises each mailbox's highestModseq with `$max`. The unique
   * `{user, modseq}` index guards each number: an entry that finds its modseq taken (only possible where
   * counter updates get lost) takes a new one, and an "exists" or "flags" entry carries it over to its
   * message. Returns the modseqs as written, in the order of `entries`.
   */
  async writeJournal(userId: string, entries: JournalWrite[]): Promise<number[]> {
    if (entries.length === 0) return [];
    const at = new Date();
    const modseqs = entries.map((e) => e.modseq);
    let failed: number[] = [];
    try {
      await this.journal.insertMany(
        entries.map((e) => ({ user: userId, ...e, at })),
        { ordered: false },
      );
    } catch (err) {
      if (!(err instanceof MongoBulkWriteError) || !isAllDuplicates(err)) throw err;
      failed = (Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors]).map((w) => w.index);
    }
    for (const i of failed) modseqs[i] = await this.renumberJournal(userId, entries[i], at);
    const highest = new Map<string, number>();
    entries.forEach((e, i) => highest.set(e.mailbox, Math.max(highest.get(e.mailbox) ?? 0, modseqs[i])));
    await this.mailboxes.bulkWrite(
      [...highest].map(([mailbox, modseq]): AnyBulkWriteOperation<MailboxDoc> => ({
        updateOne: { filter: { _id: mailbox, user: userId }, update: { $max: { highestModseq: modseq } } },
      })),
      { ordered: false },
    );
    return modseqs;
  }

  private async renumberJournal(userId: string, entry: JournalWrite, at: Date): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      await this.resyncModseq(userId);
      const modseq = await this.takeModseqs(userId, 1);
      try {
        await this.journal.insertOne({ user: userId, ...entry, modseq, at });
      } catch (err) {
        if (isDuplicateKey(err) && attempt < MAX_IDENTITY_RETRIES) continue;
        throw err;
      }
      if (entry.message !== null && (entry.kind === "exists" || entry.kind === "flags")) {
        await this.messages.updateOne(
          { _id: entry.message, user: userId, modseq: entry.modseq },
          { $set: { modseq } },
        );
      }
      return modseq;
    }
  }
}

function countHashes(hashes: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const h of hashes) counts.set(h, (counts.get(h) ?? 0) + 1);
  return counts;
}

function isAllDuplicates(err: MongoBulkWriteError): boolean {
  const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
  return errors.length > 0 && errors.every((w) => w.code === 11000);
}

/** Splits ids into `$in` lists of a bounded length. */
export function chunks<T>(items: T[], size = 1000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

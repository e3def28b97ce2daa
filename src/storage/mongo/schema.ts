import type { Collection, IndexDescription } from "mongodb";
import { OUTBOX_BUCKET, type MongoContext } from "./context.js";

/**
 * Every index the store relies on, created at open (idempotent). The unique ones are the identities the
 * store guards without transactions: one UID per mailbox, one modseq per account, one owner per address.
 */
export const INDEXES: Record<string, IndexDescription[]> = {
  users: [{ key: { username: 1 }, name: "username", unique: true }],
  addresses: [
    { key: { normalized: 1 }, name: "normalized", unique: true },
    { key: { user: 1 }, name: "user" },
  ],
  mailboxes: [{ key: { user: 1, path: 1 }, name: "user_path", unique: true }],
  messages: [
    { key: { mailbox: 1, uid: 1 }, name: "mailbox_uid", unique: true },
    { key: { mailbox: 1, internalDate: -1, _id: -1 }, name: "mailbox_date" },
    // IMAP SORT (DATE) in the store.
    { key: { mailbox: 1, sentDate: 1 }, name: "mailbox_sent" },
    { key: { user: 1, thread: 1 }, name: "user_thread" },
    { key: { user: 1, internalDate: -1, _id: -1 }, name: "user_date" },
  ],
  journal: [{ key: { user: 1, modseq: 1 }, name: "user_modseq", unique: true }],
  threads: [{ key: { user: 1 }, name: "user" }],
  threadrefs: [{ key: { user: 1, ref: 1 }, name: "user_ref", unique: true }],
  sessions: [{ key: { user: 1 }, name: "user" }],
  autoreplysent: [
    { key: { user: 1, sender: 1 }, name: "user_sender", unique: true },
    { key: { sentAt: 1 }, name: "sent_at" },
  ],
  filters: [{ key: { user: 1, position: 1, _id: 1 }, name: "user_position" }],
  deliveries: [
    { key: { user: 1, at: -1, _id: -1 }, name: "user_at" },
    { key: { at: -1, _id: -1 }, name: "at" },
  ],
  deliveredids: [
    { key: { at: 1 }, name: "at" },
    { key: { user: 1 }, name: "user" },
  ],
  authlog: [
    { key: { at: -1, _id: -1 }, name: "at" },
    { key: { user: 1, at: -1, _id: -1 }, name: "user_at" },
    { key: { ip: 1, at: -1, _id: -1 }, name: "ip_at" },
  ],
  blobs: [{ key: { refs: 1, touchedAt: 1 }, name: "refs_touched" }],
  outbox: [
    { key: { user: 1, _id: -1 }, name: "user_id" },
    { key: { dueAt: 1 }, name: "due_at" },
    { key: { finishedAt: 1 }, name: "finished_at" },
  ],
  // One claim per number: concurrent claimers of an entry race on this index, and exactly one wins.
  outboxclaims: [{ key: { entry: 1, seq: 1 }, name: "entry_seq", unique: true }],
};

/** The GridFS indexes, made up front rather than on the first upload (the driver's own names). */
const BUCKET_INDEXES: Record<string, IndexDescription[]> = {
  files: [{ key: { filename: 1, uploadDate: 1 }, name: "filename_1_uploadDate_1" }],
  chunks: [{ key: { files_id: 1, n: 1 }, name: "files_id_1_n_1", unique: true }],
};

/** Removes expired sessions on MongoDB. Optional: a server without TTL indexes (FerretDB v1) keeps them. */
const SESSION_TTL_INDEX: IndexDescription = { key: { expiresAt: 1 }, name: "expires", expireAfterSeconds: 0 };

/** MongoDB's NotImplemented error code. */
const NOT_IMPLEMENTED = 238;

/**
 * Creates the missing indexes at start, one collection after another. Asking first costs one round trip per
 * collection; it also spares FerretDB v1, whose SQLite handler panics ("slice bounds out of range") when asked
 * to create indexes that already exist, or several collections of a new database at once.
 */
export async function createIndexes(ctx: MongoContext, bucketName: string): Promise<void> {
  await ensureIndexes(ctx.sessions, [SESSION_TTL_INDEX]).catch((err: { code?: number }) => {
    if (err.code !== NOT_IMPLEMENTED) throw err;
  });
  for (const [name, specs] of Object.entries(INDEXES)) await ensureIndexes(ctx.db.collection(name), specs);
  for (const bucket of [bucketName, OUTBOX_BUCKET]) {
    for (const [suffix, specs] of Object.entries(BUCKET_INDEXES)) {
      await ensureIndexes(ctx.blobDb.collection(`${bucket}.${suffix}`), specs);
    }
  }
}

async function ensureIndexes(collection: Collection<any>, specs: IndexDescription[]): Promise<void> {
  const existing = new Set(
    await collection
      .listIndexes()
      .toArray()
      .then(
        (list) => list.map((i) => i.name as string),
        (err: { code?: number }) => {
          if (err.code === NAMESPACE_NOT_FOUND) return [];
          throw err;
        },
      ),
  );
  const missing = specs.filter((s) => !existing.has(s.name!));
  if (missing.length > 0) await collection.createIndexes(missing);
}

/** MongoDB's NamespaceNotFound: listIndexes on a collection that does not exist yet. */
const NAMESPACE_NOT_FOUND = 26;

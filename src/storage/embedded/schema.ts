import type { Database } from "better-sqlite3";

// One schema version for now; a later change adds numbered migrations under `user_version`.
const SCHEMA_VERSION = 1;

const DDL = `
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  quota_bytes INTEGER NOT NULL DEFAULT 0,
  storage_used INTEGER NOT NULL DEFAULT 0,
  modseq INTEGER NOT NULL DEFAULT 0,
  journal_floor INTEGER NOT NULL DEFAULT 0,
  last_uid_validity INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS addresses (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  address TEXT NOT NULL,
  normalized TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS addresses_user ON addresses (user_id);
CREATE TABLE IF NOT EXISTS mailboxes (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  path TEXT NOT NULL,
  special_use TEXT,
  subscribed INTEGER NOT NULL,
  uid_validity INTEGER NOT NULL,
  uid_next INTEGER NOT NULL DEFAULT 1,
  highest_modseq INTEGER NOT NULL DEFAULT 0,
  -- Counters kept in the same transaction as each change, so listing mailboxes never scans messages.
  total_count INTEGER NOT NULL DEFAULT 0,
  unseen_count INTEGER NOT NULL DEFAULT 0,
  total_size INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  UNIQUE (user_id, path)
);
CREATE TABLE IF NOT EXISTS messages (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  mailbox_id TEXT NOT NULL,
  uid INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  flags TEXT NOT NULL,
  seen INTEGER NOT NULL,
  internal_date INTEGER NOT NULL,
  sent_date INTEGER NOT NULL,
  size INTEGER NOT NULL,
  thread_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  addr_from TEXT NOT NULL,
  addr_to TEXT NOT NULL,
  addr_cc TEXT NOT NULL,
  addr_bcc TEXT NOT NULL,
  msgid TEXT,
  has_attachments INTEGER NOT NULL,
  preview TEXT NOT NULL,
  -- IMAP SEARCH: decoded header lines, lower-cased, and the Date header's day as written (days since 1970).
  -- Before search_text and body, so reading them does not walk a large row's overflow pages.
  search_headers TEXT NOT NULL DEFAULT '',
  sent_day INTEGER,
  search_text TEXT NOT NULL,
  blob_refs TEXT NOT NULL,
  body BLOB NOT NULL,
  segments TEXT NOT NULL,
  meta TEXT NOT NULL,
  UNIQUE (mailbox_id, uid)
);
CREATE INDEX IF NOT EXISTS messages_mailbox_date ON messages (mailbox_id, internal_date DESC, id DESC);
CREATE INDEX IF NOT EXISTS messages_user_date ON messages (user_id, internal_date DESC, id DESC);
CREATE INDEX IF NOT EXISTS messages_user_thread ON messages (user_id, thread_id);
-- IMAP SELECT, and SEARCH / SORT by flags, dates, sizes and modseq, read this index alone (it covers them): a
-- message row holds its content, so reading 100,000 rows for their flags reads the whole mailbox's pages.
DROP INDEX IF EXISTS messages_mailbox_sent;
CREATE INDEX IF NOT EXISTS messages_mailbox_scan ON messages
  (mailbox_id, uid, user_id, id, modseq, seen, size, internal_date, sent_date, sent_day, flags);
CREATE TABLE IF NOT EXISTS blobs (
  hash TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  refs INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS journal (
  user_id TEXT NOT NULL,
  modseq INTEGER NOT NULL,
  mailbox_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  message_id TEXT,
  uid INTEGER,
  at INTEGER NOT NULL,
  PRIMARY KEY (user_id, modseq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS journal_at ON journal (at);
CREATE TABLE IF NOT EXISTS threads (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  subject_key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS thread_refs (
  user_id TEXT NOT NULL,
  ref TEXT NOT NULL,
  thread_id TEXT NOT NULL,
  PRIMARY KEY (user_id, ref)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);
CREATE TABLE IF NOT EXISTS autoreplies (
  user_id TEXT PRIMARY KEY,
  enabled INTEGER NOT NULL,
  starts_at INTEGER,
  ends_at INTEGER,
  subject TEXT,
  text TEXT NOT NULL,
  html TEXT,
  updated_at INTEGER NOT NULL
);
-- Whom each user's autoreply answered and when: one row per (user, sender), so a sender is answered once a period.
CREATE TABLE IF NOT EXISTS autoreply_sent (
  user_id TEXT NOT NULL,
  sender TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, sender)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS autoreply_sent_at ON autoreply_sent (sent_at);
CREATE TABLE IF NOT EXISTS filters (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  enabled INTEGER NOT NULL,
  conditions TEXT NOT NULL,
  actions TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS filters_user ON filters (user_id, position, id);
CREATE TABLE IF NOT EXISTS deliveries (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  via TEXT NOT NULL,
  client_ip TEXT,
  client_name TEXT,
  mail_from TEXT NOT NULL,
  addr_from TEXT NOT NULL,
  recipient TEXT NOT NULL,
  msgid TEXT,
  subject TEXT NOT NULL,
  size INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  status TEXT NOT NULL,
  detail TEXT NOT NULL,
  mailbox_id TEXT,
  uid INTEGER,
  message_id TEXT,
  verdict TEXT,
  matched_filters TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_user_at ON deliveries (user_id, at DESC, id DESC);
CREATE INDEX IF NOT EXISTS deliveries_at ON deliveries (at DESC, id DESC);
-- One row per (mailbox, Message-ID): the key that makes a concurrent second delivery find the first.
CREATE TABLE IF NOT EXISTS delivered_ids (
  mailbox_id TEXT NOT NULL,
  msgid TEXT NOT NULL,
  user_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  uid INTEGER NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (mailbox_id, msgid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS delivered_ids_at ON delivered_ids (at);
CREATE INDEX IF NOT EXISTS delivered_ids_user ON delivered_ids (user_id);
CREATE TABLE IF NOT EXISTS auth_log (
  id TEXT PRIMARY KEY,
  at INTEGER NOT NULL,
  username TEXT NOT NULL,
  user_id TEXT,
  ip TEXT NOT NULL,
  protocol TEXT NOT NULL,
  result TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS auth_log_at ON auth_log (at DESC, id DESC);
CREATE INDEX IF NOT EXISTS auth_log_user ON auth_log (user_id, at DESC, id DESC);
CREATE INDEX IF NOT EXISTS auth_log_ip ON auth_log (ip, at DESC, id DESC);
-- The outbound queue: one row per message leaving the server, its bytes in outbox_raw (same transaction).
-- due_at: when a runner next looks at it (release, next attempt, the end of a lease); null once finished.
CREATE TABLE IF NOT EXISTS outbox (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  mail_from TEXT NOT NULL,
  recipients TEXT NOT NULL,
  state TEXT NOT NULL,
  subject TEXT NOT NULL,
  msgid TEXT,
  size INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  release_at INTEGER NOT NULL,
  next_attempt_at INTEGER,
  last_response TEXT,
  sent_copy_id TEXT,
  draft_id TEXT,
  updated_at INTEGER NOT NULL,
  due_at INTEGER,
  finished_at INTEGER,
  claim INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_until INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_user ON outbox (user_id, id DESC);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS outbox_finished ON outbox (finished_at) WHERE finished_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS outbox_raw (
  id TEXT PRIMARY KEY,
  data BLOB NOT NULL
);
-- A sending domain's DKIM key (the private key as PEM): one per domain.
CREATE TABLE IF NOT EXISTS dkim_keys (
  domain TEXT PRIMARY KEY,
  selector TEXT NOT NULL,
  algorithm TEXT NOT NULL,
  private_key TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
`;

/** Columns added to existing tables since version 1, added to a database made before them. */
const ADDED_COLUMNS: Array<{ table: string; column: string; definition: string }> = [
  { table: "users", column: "spam_level", definition: "REAL" },
  { table: "users", column: "send_hold_seconds", definition: "INTEGER NOT NULL DEFAULT 0" },
  { table: "users", column: "recipients_per_day", definition: "INTEGER" },
  { table: "deliveries", column: "spam", definition: "INTEGER" },
  { table: "deliveries", column: "spam_score", definition: "REAL" },
  { table: "deliveries", column: "spam_reason", definition: "TEXT" },
  // Messages stored before these have no search headers (SUBJECT and the address keys match their columns
  // instead, other HEADER fields nothing) and fall back to their sent date's UTC day for SENT* (README.md).
  { table: "messages", column: "search_headers", definition: "TEXT NOT NULL DEFAULT ''" },
  { table: "messages", column: "sent_day", definition: "INTEGER" },
];

/** How much of the database file reads map (1 GiB; pages past it are read as before). */
export const MMAP_BYTES = 1024 * 1024 * 1024;

/**
 * Creates the tables on a new database. WAL; a commit does not wait for the disk itself (NORMAL: SQLite syncs
 * only at checkpoints), because EmbeddedContext syncs the WAL in the thread pool after each group commit and
 * acknowledges a change only then, so a committed change still survives a crash or a power cut.
 */
export function migrate(db: Database): void {
  configureConnection(db);
  db.exec(DDL);
  for (const { table, column, definition } of ADDED_COLUMNS) {
    const columns = db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>;
    if (!columns.some((c) => c.name === column))
      db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
  }
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}

/** The settings of each connection (the event loop's and the write thread's); see migrate. */
export function configureConnection(db: Database): void {
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  // Each change of a group commit runs in its own savepoint, whose undo pages SQLite keeps in a temporary file
  // by default: about 60 kB of file writes per LMTP delivery. In memory they cost a copy, and nothing is lost,
  // since they serve only to roll one savepoint back while the process lives.
  db.pragma("temp_store = MEMORY");
  // Reads through a memory map instead of a pread per page: a message row spans overflow pages (search text, then
  // the body), so IMAP `FETCH 1:* (BODY.PEEK[])` of 2,000 messages read ~6,000 pages one syscall each (store read
  // ~50 ms, ~25 ms mapped). Address space only; the pages touched are the OS's file cache, shared and evictable.
  db.pragma(`mmap_size = ${MMAP_BYTES}`);
}

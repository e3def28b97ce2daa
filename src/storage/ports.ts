// The storage port: what the core needs from a store, as logical changes. Each mutating call is one
// logical change: the embedded store runs it in one SQLite transaction; the MongoDB store runs it as
// ordered, idempotent steps whose identities are guarded by unique indexes (a crash may leave a gap
// in UIDs or a blob reference too many, never two messages with one UID; `repair()` fixes the rest).
// Authorization is the core's job: every call here already carries the owner's userId and stores
// must filter by it, so a wrong id finds nothing rather than another user's row.

/** One piece of a stored message; concatenating all pieces in order gives the original bytes. */
export type ContentSegment = { kind: "inline"; data: Buffer } | { kind: "blob"; hash: string; size: number };

export interface AddressValue {
  name: string;
  address: string;
}

export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
  disabled: boolean;
  /** Quota in bytes; 0 means unlimited. */
  quotaBytes: number;
  /** Sum of the sizes of the user's messages (invariant 4). */
  storageUsed: number;
  /** The account's change counter: every change to a mailbox or message takes the next value (JMAP state). */
  modseq: number;
  /** The spam score from which the user's mail goes to Junk; null: the configured default. */
  spamLevel: number | null;
  /** Undo send: how long the user's outgoing mail is held before it leaves, 0-30 s (0: none). */
  sendHoldSeconds: number;
  /** Envelope recipients the user may send to per day; null: the configured default. */
  recipientsPerDay: number | null;
  createdAt: Date;
}

export interface NewUser {
  id: string;
  username: string;
  passwordHash: string;
  quotaBytes: number;
  createdAt: Date;
}

export interface UserPatch {
  passwordHash?: string;
  disabled?: boolean;
  quotaBytes?: number;
  /** null clears it (back to the configured default). */
  spamLevel?: number | null;
  sendHoldSeconds?: number;
  /** null clears it (back to the configured default). */
  recipientsPerDay?: number | null;
}

export interface AddressRecord {
  id: string;
  userId: string;
  /** As the admin typed it (Unicode form). */
  address: string;
  /** The look-up key (see core/addresses); unique across the system. */
  normalized: string;
  createdAt: Date;
}

export interface MailboxRecord {
  id: string;
  userId: string;
  path: string;
  specialUse: string | null;
  subscribed: boolean;
  uidValidity: number;
  uidNext: number;
  /** The highest modseq of any change in this mailbox. */
  highestModseq: number;
  createdAt: Date;
}

export interface NewMailbox {
  id: string;
  userId: string;
  path: string;
  specialUse: string | null;
  subscribed: boolean;
  /** At least this; the store raises it above every UIDVALIDITY the user's mailboxes had (RFC 3501 §2.3.1.1). */
  uidValidity: number;
  createdAt: Date;
}

export interface MailboxCounts {
  mailboxId: string;
  total: number;
  unseen: number;
  size: number;
}

/** The summary row of a message: what lists, search and IMAP FETCH of flags need, without content. */
export interface MessageRecord {
  id: string;
  userId: string;
  mailboxId: string;
  uid: number;
  modseq: number;
  flags: string[];
  internalDate: Date;
  /** The Date header, or the internal date when the header is missing or invalid. */
  sentDate: Date;
  size: number;
  threadId: string;
  subject: string;
  from: AddressValue[];
  to: AddressValue[];
  cc: AddressValue[];
  messageIdHeader: string | null;
  hasAttachments: boolean;
  preview: string;
}

/** The stored content of a message: the segments to rebuild it and the parsed metadata (opaque JSON to the store). */
/** One message's stored bytes, for reading many in UID order. */
export interface StoredRaw {
  id: string;
  uid: number;
  size: number;
  internalDate: Date;
  segments: ContentSegment[];
}

export interface MessageContent {
  segments: ContentSegment[];
  meta: unknown;
}

export interface NewMessage {
  id: string;
  userId: string;
  mailboxId: string;
  flags: string[];
  internalDate: Date;
  sentDate: Date;
  size: number;
  /** The thread to file it under; with `thread`, the id a new thread gets when no existing one matches. */
  threadId: string;
  /** When given, the store resolves the thread in the same change (see ThreadStore.resolve). */
  thread?: { refs: string[]; subjectKey: string };
  subject: string;
  from: AddressValue[];
  to: AddressValue[];
  cc: AddressValue[];
  bcc: AddressValue[];
  messageIdHeader: string | null;
  hasAttachments: boolean;
  preview: string;
  /** Plain text for body search, lower-cased by the core. */
  searchText: string;
  /** The decoded header lines (`name: value`, one a line), lower-cased, for IMAP SEARCH; "" when not known. */
  searchHeaders?: string;
  /** The day the Date header names as written (days since 1970-01-01), for SENT*; absent: sentDate's UTC day. */
  sentDay?: number | null;
  content: MessageContent;
  /** The blob hashes the content references (each once per reference). The blobs must already be put. */
  blobRefs: string[];
}

export type FlagChange = { op: "add" | "remove" | "set"; flags: string[] };

export interface FlagUpdate {
  id: string;
  mailboxId: string;
  uid: number;
  modseq: number;
  flags: string[];
}

/** Inclusive UID bounds within one mailbox. */
export interface UidRange {
  from: number;
  to: number;
}

/** One message of a mailbox's UID list (IMAP SELECT, POP3 STAT/LIST): no content, no headers. */
export interface UidEntry {
  id: string;
  uid: number;
  modseq: number;
  flags: string[];
  size: number;
}

/**
 * What IMAP SELECT reads of a mailbox: its UIDs packed, no row per message, and the two facts of the answer
 * beyond EXISTS (the first unseen message, the keywords in use for FLAGS).
 */
export interface UidListing {
  /** Every UID of the mailbox, ascending. */
  uids: Uint32Array;
  /** The lowest UID of a message without \\Seen, or null when every message is seen. */
  firstUnseenUid: number | null;
  /** The keywords (flags without a leading backslash) set on any message of the mailbox, sorted. */
  keywords: string[];
}

/** A summary row with the parsed metadata stored beside it (null when not asked for). */
export interface MessageWithMeta {
  message: MessageRecord;
  meta: unknown;
}

export interface ConditionalFlagOptions {
  /** RFC 7162 UNCHANGEDSINCE: a message whose modseq is above this is left alone and reported as modified. */
  unchangedSince?: number;
}

export interface ConditionalFlagResult {
  updated: FlagUpdate[];
  /** Ids of the messages that failed the UNCHANGEDSINCE condition. */
  modified: string[];
}

export interface MovedMessage {
  id: string;
  fromMailboxId: string;
  fromUid: number;
  /** The modseq of the "expunge" journaled in the source mailbox. */
  expungeModseq: number;
  toMailboxId: string;
  uid: number;
  modseq: number;
}

export interface RemovedMessage {
  id: string;
  mailboxId: string;
  uid: number;
  modseq: number;
  size: number;
}

export type JournalKind =
  "exists" | "expunge" | "flags" | "mailbox-create" | "mailbox-update" | "mailbox-delete";

/** One change, numbered by the account's modseq (unique per user). */
export interface JournalEntry {
  userId: string;
  modseq: number;
  mailboxId: string;
  kind: JournalKind;
  messageId: string | null;
  uid: number | null;
  at: Date;
}

/** Listing order: newest first by internal date, ties by id; the cursor is the last row's key. */
export interface MessageCursor {
  internalDate: Date;
  id: string;
}

export interface ListMessagesOptions {
  limit: number;
  after?: MessageCursor;
}

export interface SearchQuery {
  mailboxId?: string;
  from?: string;
  to?: string;
  cc?: string;
  subject?: string;
  /** Matched against the body text and the subject. */
  text?: string;
  /** internalDate >= since */
  since?: Date;
  /** internalDate < before */
  before?: Date;
  /** All of these flags set. */
  flags?: string[];
  /** None of these flags set. */
  notFlags?: string[];
  minSize?: number;
  maxSize?: number;
  hasAttachment?: boolean;
  threadId?: string;
}

/**
 * IMAP SEARCH criteria (RFC 3501 §6.4.4) as a tree each store evaluates itself, within one mailbox. Text keys
 * are case-insensitive substring matches: `value` is lower-cased by the core and matched against the stored
 * lower-cased header lines (`header`: within the named field's lines) or body text (`body`; `text` is both).
 */
export type MessageQuery =
  | { kind: "all" }
  | { kind: "and"; of: MessageQuery[] }
  | { kind: "or"; of: MessageQuery[] }
  | { kind: "not"; of: MessageQuery }
  /** Messages whose UID is in one of the ranges. */
  | { kind: "uid"; ranges: UidRange[] }
  /** Messages with the flag (system flag or keyword, as stored). */
  | { kind: "flag"; flag: string }
  /** `name` is a lower-case field name; "" value: any message with the field. */
  | { kind: "header"; name: string; value: string }
  | { kind: "body"; value: string }
  | { kind: "text"; value: string }
  /** internalDate < at ("before") or >= at ("since"). */
  | { kind: "internalDate"; op: "before" | "since"; at: Date }
  /** The day the Date header names (days since 1970-01-01) is before / on / at or after `day`. */
  | { kind: "sentDay"; op: "before" | "on" | "since"; day: number }
  /** size > bytes ("larger") or size < bytes ("smaller"). */
  | { kind: "size"; op: "larger" | "smaller"; bytes: number }
  /** modseq >= min (RFC 7162 SEARCH MODSEQ). */
  | { kind: "modseq"; min: number };

/** A sort key a store orders by itself (RFC 5256 ARRIVAL, DATE, SIZE); ties go by UID, ascending. */
export interface ColumnOrder {
  key: "arrival" | "date" | "size";
  reverse: boolean;
}

/** What SORT and THREAD (RFC 5256) read of each matching message, no content. */
export interface SortFields {
  uid: number;
  modseq: number;
  internalDate: Date;
  sentDate: Date;
  size: number;
  subject: string;
  from: AddressValue[];
  to: AddressValue[];
  cc: AddressValue[];
  messageIdHeader: string | null;
  inReplyTo: string | null;
  references: string[];
}

export interface BlobInfo {
  hash: string;
  size: number;
  refs: number;
}

export interface RepairReport {
  blobRefsFixed: number;
  blobsRemoved: number;
  quotaFixed: number;
  /** Temp files of blob writes that a crash or a failed write left behind (embedded store; 0 on MongoDB). */
  tempFilesRemoved: number;
}

export interface SessionRecord {
  tokenHash: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
}

/** A user's automatic reply (vacation): one per user, replaced whole. */
export interface AutoreplyRecord {
  userId: string;
  enabled: boolean;
  /** Replies go out only at or after this (null: at once). */
  startsAt: Date | null;
  /** ... and before this (null: until disabled). */
  endsAt: Date | null;
  /** null: "Auto: " followed by the original subject. */
  subject: string | null;
  text: string;
  /** An HTML alternative to `text`; null: text only. */
  html: string | null;
  updatedAt: Date;
}

export interface AutoreplyStore {
  get(userId: string): Promise<AutoreplyRecord | null>;
  /** Replaces the user's setting and forgets whom it answered, so a new setting answers everyone once again. */
  set(record: AutoreplyRecord): Promise<void>;
  /**
   * Records that `sender` is answered at `at`, unless it was answered after `notBefore`: true when this caller
   * may send the reply. Of concurrent claims for one (user, sender) exactly one wins, in any number of
   * processes (a unique key arbitrates; an expired record is dropped first).
   */
  claimReply(userId: string, sender: string, at: Date, notBefore: Date): Promise<boolean>;
  /** Withdraws the claim made at `at` (its reply could not be sent), so the sender's next message is answered. */
  releaseReply(userId: string, sender: string, at: Date): Promise<void>;
  /** Drops the records of replies sent before `before` (they no longer hold anything back); returns how many. */
  pruneReplies(before: Date): Promise<number>;
}

/** A sending domain's DKIM key (RFC 6376): one per domain, the private key held as PEM (PKCS #8). */
export interface DkimKeyRecord {
  /** Lower case, A-label form: the store's key. */
  domain: string;
  selector: string;
  algorithm: "rsa-sha256" | "ed25519-sha256";
  privateKeyPem: string;
  createdAt: Date;
}

export interface DkimKeyStore {
  /** Adds the domain's key; StoreConflictError (field "domain") when the domain has one. */
  create(record: DkimKeyRecord): Promise<void>;
  /** Adds the domain's key or replaces the one it has (a key rotation). */
  replace(record: DkimKeyRecord): Promise<void>;
  get(domain: string): Promise<DkimKeyRecord | null>;
  /** The keys of whichever of `domains` have one (the signer asks for a domain and its parents at once). */
  findAny(domains: readonly string[]): Promise<DkimKeyRecord[]>;
  /** Every key, by domain. */
  list(): Promise<DkimKeyRecord[]>;
  /** True when there was a key to delete. */
  delete(domain: string): Promise<boolean>;
}

/** Flat name -> value pairs (no arrays, no nesting: FerretDB-safe), opaque to the store. */
export type FlatDocument = Record<string, string | number | boolean>;

/** One of a user's delivery filters; the core gives `conditions` and `actions` their meaning. */
export interface FilterRecord {
  id: string;
  userId: string;
  name: string;
  /** Order of application: lower first; ties by id. */
  position: number;
  enabled: boolean;
  conditions: FlatDocument;
  actions: FlatDocument;
  createdAt: Date;
  updatedAt: Date;
}

export interface FilterPatch {
  name?: string;
  enabled?: boolean;
  conditions?: FlatDocument;
  actions?: FlatDocument;
  updatedAt: Date;
}

export interface FilterStore {
  create(filter: FilterRecord): Promise<void>;
  get(userId: string, id: string): Promise<FilterRecord | null>;
  /** The user's filters in order (position, then id). */
  list(userId: string): Promise<FilterRecord[]>;
  update(userId: string, id: string, patch: FilterPatch): Promise<FilterRecord | null>;
  delete(userId: string, id: string): Promise<boolean>;
  /** Gives each listed filter of the user its index in `ids` as its position (others are left alone). */
  setPositions(userId: string, ids: string[]): Promise<void>;
}

/** One password check, as the auth log keeps it. */
export interface AuthLogRecord {
  /** A new id (time first), which also orders entries of the same millisecond. */
  id: string;
  at: Date;
  /** The name as the client sent it (cut short by the core). */
  username: string;
  /** The account the name belongs to, when there is one. */
  userId: string | null;
  ip: string;
  protocol: string;
  result: "success" | "failure" | "limited";
  reason: string;
}

/** Which entries of the auth log to read: newest first, strictly older than `before` (a page's last entry). */
export interface AuthLogQuery {
  userId?: string;
  ip?: string;
  before?: { at: Date; id: string };
}

export interface AuthLogStore {
  append(entry: AuthLogRecord): Promise<void>;
  /** Entries matching the query, newest first (by time, then id), at most `limit`. */
  list(query: AuthLogQuery, limit: number): Promise<AuthLogRecord[]>;
  /** Drops entries older than `before`; returns how many went. */
  prune(before: Date): Promise<number>;
}

export interface UserStore {
  create(user: NewUser, mailboxes: NewMailbox[]): Promise<UserRecord>;
  get(id: string): Promise<UserRecord | null>;
  getByName(username: string): Promise<UserRecord | null>;
  list(limit: number, afterUsername?: string): Promise<UserRecord[]>;
  update(id: string, patch: UserPatch): Promise<UserRecord | null>;
  /** Deletes the user and everything it owns, dropping its blob references. */
  delete(id: string): Promise<boolean>;
}

export interface AddressStore {
  /** Throws a StoreConflictError when the normalized form is taken. */
  add(address: AddressRecord): Promise<void>;
  remove(userId: string, id: string): Promise<boolean>;
  findByNormalized(normalized: string): Promise<AddressRecord | null>;
  listForUser(userId: string): Promise<AddressRecord[]>;
  /** The distinct domains of every address (the part after the last `@` of the normalized form), sorted; a scan. */
  listDomains(): Promise<string[]>;
}

export interface MailboxStore {
  /** Throws a StoreConflictError when the path exists for that user. Journals "mailbox-create". */
  create(mailbox: NewMailbox): Promise<MailboxRecord>;
  get(userId: string, id: string): Promise<MailboxRecord | null>;
  getByPath(userId: string, path: string): Promise<MailboxRecord | null>;
  list(userId: string): Promise<MailboxRecord[]>;
  getMany(userId: string, ids: string[]): Promise<MailboxRecord[]>;
  /**
   * Rename and/or (un)subscribe. Throws StoreConflictError on a taken path. Journals "mailbox-update" and
   * returns that entry's modseq (null when the patch changed nothing), which the change's event must carry.
   */
  update(
    userId: string,
    id: string,
    patch: { path?: string; subscribed?: boolean },
  ): Promise<{ mailbox: MailboxRecord; modseq: number | null } | null>;
  /**
   * Deletes the mailbox and its messages (dropping blob refs and quota). Journals "mailbox-delete" and returns
   * that entry's modseq (null when a concurrent delete journaled it).
   */
  delete(userId: string, id: string): Promise<{ removed: RemovedMessage[]; modseq: number | null } | null>;
  counts(userId: string, ids: string[]): Promise<MailboxCounts[]>;
}

export interface MessageStore {
  /**
   * Takes the mailbox's next UID and the account's next modseq, stores the row and content, adds blob refs and
   * usage, journals "exists". Throws StoreQuotaError, storing nothing, when the usage would pass a set quota.
   */
  append(message: NewMessage): Promise<MessageRecord>;
  get(userId: string, id: string): Promise<MessageRecord | null>;
  getMany(userId: string, ids: string[]): Promise<MessageRecord[]>;
  getByUid(userId: string, mailboxId: string, uid: number): Promise<MessageRecord | null>;
  getContent(userId: string, id: string): Promise<MessageContent | null>;
  /**
   * The segments (no meta) of a mailbox's messages with a UID in `range`, in UID order, at most `limit`:
   * many messages' raw bytes (IMAP FETCH 1:* BODY[], export), read in batches by raising `range.from`.
   */
  listContents(
    userId: string,
    mailboxId: string,
    range: UidRange,
    options: { limit: number },
  ): Promise<StoredRaw[]>;
  list(userId: string, mailboxId: string, options: ListMessagesOptions): Promise<MessageRecord[]>;
  /** All messages of a mailbox in UID order (for IMAP); small rows only. */
  listUids(userId: string, mailboxId: string): Promise<UidEntry[]>;
  /** IMAP SELECT: the mailbox's UIDs as one packed array, its first unseen UID and its keywords. */
  uidListing(userId: string, mailboxId: string): Promise<UidListing>;
  /**
   * The messages of a mailbox with a UID in `range`, in UID order, at most `limit`; with their stored
   * metadata when `meta` is set (never the content). Batches are read by raising `range.from`.
   */
  listByUid(
    userId: string,
    mailboxId: string,
    range: UidRange,
    options: { limit: number; meta?: boolean },
  ): Promise<MessageWithMeta[]>;
  search(userId: string, query: SearchQuery, options: ListMessagesOptions): Promise<MessageRecord[]>;
  /**
   * IMAP SEARCH and SORT: the UIDs of the mailbox's messages that match `query`, evaluated in the store;
   * ascending, or in `order` (key by key, ties by UID ascending).
   */
  searchUids(
    userId: string,
    mailboxId: string,
    query: MessageQuery,
    order?: ColumnOrder[],
  ): Promise<number[]>;
  /**
   * SORT by keys the store has no column for, and THREAD: the fields of the matching messages, in UID order.
   * `inReplyTo` and `references` come from the stored metadata, read only with `references` (THREAD); else
   * null and [].
   */
  searchFields(
    userId: string,
    mailboxId: string,
    query: MessageQuery,
    options?: { references?: boolean },
  ): Promise<SortFields[]>;
  countByThread(userId: string, threadIds: string[]): Promise<Map<string, number>>;
  /** Each changed message gets its own new modseq; unchanged ones are left alone. Journals "flags". */
  updateFlags(userId: string, ids: string[], change: FlagChange): Promise<FlagUpdate[]>;
  /**
   * As updateFlags, for the messages among `ids` that are in `mailboxId`; with `unchangedSince`, each
   * message's condition is checked and its flags set in one atomic step (RFC 7162 §3.2), and those whose
   * modseq is above it are left alone and reported in `modified`.
   */
  updateFlagsInMailbox(
    userId: string,
    mailboxId: string,
    ids: string[],
    change: FlagChange,
    options?: ConditionalFlagOptions,
  ): Promise<ConditionalFlagResult>;
  /** Keeps each message's id; new UID in the target; journals "expunge" in the source and "exists" in the target. */
  move(userId: string, ids: string[], targetMailboxId: string): Promise<MovedMessage[]>;
  /** New ids (given in pairs) and UIDs in the target; adds blob refs and usage (StoreQuotaError as append); journals "exists". */
  copy(
    userId: string,
    pairs: Array<{ id: string; newId: string }>,
    targetMailboxId: string,
  ): Promise<MessageRecord[]>;
  /** Drops blob refs and quota; journals "expunge". */
  remove(userId: string, ids: string[]): Promise<RemovedMessage[]>;
}

export interface BlobStore {
  /** Stores the bytes under their sha256 hash if absent (durably); references are counted by message calls. */
  put(hash: string, data: Buffer): Promise<void>;
  /**
   * The bytes whole. `size`, the size the message records for it, lets a store read a small blob its
   * cheapest way (the embedded store: one synchronous read up to SYNC_READ_BYTES, as SQLite reads rows).
   */
  read(hash: string, size?: number): Promise<Buffer>;
  /** The bytes as a stream, read as the consumer takes them (large blobs are never held whole). */
  open(hash: string): Promise<NodeJS.ReadableStream>;
  info(hash: string): Promise<BlobInfo | null>;
}

export interface JournalStore {
  /** Entries with modseq > since, oldest first, at most limit. */
  since(userId: string, since: number, limit: number): Promise<JournalEntry[]>;
  /**
   * The UIDs expunged from (or moved out of) one mailbox by entries with modseq > since, ascending (IMAP
   * QRESYNC's VANISHED (EARLIER)). The caller checks `floor` first: pruned entries are not reported.
   */
  expungedSince(userId: string, mailboxId: string, since: number): Promise<number[]>;
  /** The oldest state changes can be calculated from: entries at or below it were pruned (0 when none were). */
  floor(userId: string): Promise<number>;
  /** Drops entries written before `before`, raising each affected user's floor first. Returns how many went. */
  prune(before: Date): Promise<number>;
}

export interface ThreadStore {
  /**
   * Finds the thread that holds any of `refs` (message ids) with the same normalized subject, or
   * creates `newThreadId`; then files `refs` under it. Returns the thread id.
   */
  resolve(userId: string, refs: string[], subjectKey: string, newThreadId: string): Promise<string>;
}

export interface SessionStore {
  create(session: SessionRecord): Promise<void>;
  get(tokenHash: string): Promise<SessionRecord | null>;
  delete(tokenHash: string): Promise<boolean>;
  /** Deletes every session of a user but the one named by `keepTokenHash`; returns how many went. */
  deleteForUser(userId: string, keepTokenHash?: string): Promise<number>;
}

/** Through what a message arrived. */
export type DeliveryVia = "lmtp" | "mx" | "submission" | "import";

/** What became of one delivered message for one user. */
export type DeliveryOutcome = "stored" | "duplicate" | "discarded" | "refused";

/** One entry of the delivery log: a message as it reached one user (per recipient user, not per address). */
export interface DeliveryRecord {
  id: string;
  userId: string;
  at: Date;
  via: DeliveryVia;
  /** The connecting client's IP and HELO/LHLO name, when the route has a client. */
  clientIp: string | null;
  clientName: string | null;
  /** The envelope sender (MAIL FROM); "" for the null reverse-path. */
  mailFrom: string;
  /** The From header's addresses (empty when the message was not parsed). */
  from: AddressValue[];
  /** The first of the user's recipient addresses, as the client gave it. */
  recipient: string;
  messageIdHeader: string | null;
  subject: string;
  size: number;
  outcome: DeliveryOutcome;
  /** The delivery status ("stored", "over-quota", "disabled", ...) and its sentence. */
  status: string;
  detail: string;
  /** Where the copy is (for "stored", and for "duplicate": the copy stored before). */
  mailboxId: string | null;
  uid: number | null;
  messageId: string | null;
  /** The routing verdict: "inbox", "mailbox", "junk", "discarded"; null when it was not routed. */
  verdict: string | null;
  matchedFilters: Array<{ id: string; name: string }>;
  /** What the trusted spam headers said (against the user's level); null when the message was not judged. */
  spam: DeliverySpam | null;
}

export interface DeliverySpam {
  spam: boolean;
  /** The score a trusted header gave, when one did. */
  score: number | null;
  /** The header that decided, as "Name: value". */
  reason: string | null;
}

/** Delivery log order: newest first by time, ties by id; the cursor is the last row's key. */
export interface DeliveryCursor {
  at: Date;
  id: string;
}

export interface DeliveryLogStore {
  append(entries: DeliveryRecord[]): Promise<void>;
  /** Newest first; one user's when `userId` is given, else everyone's. */
  list(options: { userId?: string; limit: number; after?: DeliveryCursor }): Promise<DeliveryRecord[]>;
  /** Drops entries older than `before`; returns how many went. */
  prune(before: Date): Promise<number>;
}

/** The last delivery of a Message-ID into a mailbox, for duplicate suppression: one per (mailbox, Message-ID). */
export interface DeliveredIdRecord {
  userId: string;
  mailboxId: string;
  messageIdHeader: string;
  /** The stored copy. */
  messageId: string;
  uid: number;
  at: Date;
}

export interface DeliveredIdStore {
  find(userId: string, mailboxId: string, messageIdHeader: string): Promise<DeliveredIdRecord | null>;
  /** Records (or replaces) the one entry of its mailbox and Message-ID. */
  record(entry: DeliveredIdRecord): Promise<void>;
  /** Drops entries recorded before `before`; returns how many went. */
  prune(before: Date): Promise<number>;
}

/** Where an outbound message is (the core's OutboxState; see core/outbox/types.ts). */
export type OutboxRecordState = "held" | "queued" | "deferred" | "sent" | "bounced" | "cancelled";

/** One envelope recipient of an outbound message: a flat sub-document (no arrays inside, FerretDB-safe). */
export interface OutboxRecipientRecord {
  address: string;
  state: "pending" | "deferred" | "sent" | "bounced" | "cancelled";
  response: string | null;
  attempts: number;
  updatedAt: Date;
}

/** The outbound queue's row of one message; its bytes are kept beside it (`OutboxStore.readRaw`). */
export interface OutboxRecord {
  id: string;
  userId: string;
  mailFrom: string;
  recipients: OutboxRecipientRecord[];
  state: OutboxRecordState;
  subject: string;
  messageIdHeader: string | null;
  size: number;
  createdAt: Date;
  releaseAt: Date;
  nextAttemptAt: Date | null;
  lastResponse: string | null;
  sentCopyId: string | null;
  draftId: string | null;
  updatedAt: Date;
  /** When a runner should next look at it (release, next attempt, a lease's end); null once it is finished. */
  dueAt: Date | null;
  /** When it finished (sent, bounced, cancelled), for pruning; null while it is not. */
  finishedAt: Date | null;
  /** The number of the last claim made on it (0: none yet). */
  claim: number;
  /** Who holds the current claim, and until when; null when nobody does. */
  leaseOwner: string | null;
  leaseUntil: Date | null;
}

/** What a claim's holder writes when its attempt ends (the lease ends with it). */
export type OutboxPatch = Partial<
  Pick<
    OutboxRecord,
    "recipients" | "state" | "size" | "nextAttemptAt" | "lastResponse" | "sentCopyId" | "dueAt" | "finishedAt"
  >
> & { updatedAt: Date };

export interface OutboxClaimOptions {
  /** Who claims (a runner's id); stored with the lease. */
  owner: string;
  now: Date;
  /** The lease ends then: after it, another claimer may take the entry (its holder was killed mid-send). */
  until: Date;
  /** Claim only when the entry's `dueAt` is at or before this (a runner); absent: whenever unfinished (cancel). */
  dueBy?: Date;
}

export interface OutboxStore {
  /** Stores the entry and its bytes as one logical change (both or neither). */
  add(record: OutboxRecord, raw: Buffer): Promise<void>;
  get(id: string): Promise<OutboxRecord | null>;
  /** A user's entries, newest first (by id, which starts with the time); `after` is the last id of a page. */
  list(
    userId: string,
    options: { states?: OutboxRecordState[]; limit: number; after?: string },
  ): Promise<OutboxRecord[]>;
  /** The entry's bytes (unsigned while held; what is sent afterwards); null once it is gone. */
  readRaw(id: string): Promise<Buffer | null>;
  /** Unfinished entries with `dueAt` at or before `now`, soonest first, at most `limit`. */
  due(now: Date, limit: number): Promise<OutboxRecord[]>;
  /** The earliest `dueAt` of any unfinished entry; null when none is. */
  nextDueAt(): Promise<Date | null>;
  /**
   * Takes the entry under a lease: its `claim` goes up by one, `leaseOwner`/`leaseUntil` are set and `dueAt`
   * becomes the lease's end. Null when it is finished, not due by `dueBy`, or leased by someone else until after
   * `now`. Of concurrent claims exactly one wins, in any number of processes.
   */
  claim(id: string, options: OutboxClaimOptions): Promise<OutboxRecord | null>;
  /**
   * Moves the end of claim number `claim`'s lease (and the entry's `dueAt`) to `until`, while an attempt is still
   * under way; false when a later claim has been made or the claim has ended.
   */
  renew(id: string, claim: number, until: Date): Promise<boolean>;
  /**
   * Ends claim number `claim` with `patch` (and, when given, new bytes), unless a later claim has been made
   * (the lease expired and someone else took it): then nothing is written and the answer is null.
   */
  settle(id: string, claim: number, patch: OutboxPatch, raw?: Buffer): Promise<OutboxRecord | null>;
  /** Removes entries finished before `before`, with their bytes and claims; returns how many went. */
  prune(before: Date): Promise<number>;
}

/** A store: the sum of its parts, opened and closed as one. */
export interface Store {
  readonly kind: "embedded" | "mongo";
  users: UserStore;
  addresses: AddressStore;
  mailboxes: MailboxStore;
  messages: MessageStore;
  blobs: BlobStore;
  journal: JournalStore;
  threads: ThreadStore;
  sessions: SessionStore;
  autoreplies: AutoreplyStore;
  filters: FilterStore;
  deliveries: DeliveryLogStore;
  deliveredIds: DeliveredIdStore;
  authLog: AuthLogStore;
  /** The outbound queue (mail leaving this server). */
  outbox: OutboxStore;
  dkimKeys: DkimKeyStore;
  /**
   * Recounts blob references and quota usage from the messages, and removes blobs nobody references
   * that are older than `graceMs` (default 15 minutes, so a blob put just before its message is kept).
   * With `dryRun`, changes nothing and reports what it would fix.
   */
  repair(options?: { graceMs?: number; dryRun?: boolean }): Promise<RepairReport>;
  /**
   * Recounts `storageUsed` from the messages for the users whose usage changed in the window (every user when
   * `since` is absent) and sets each one that differs; returns how many it fixed. Safe while writers run: a
   * user whose usage changed at or after `settledBefore` (a write may be between its usage and its documents)
   * is left for a later run, and a fix is a compare-and-set that loses to any concurrent change.
   */
  reconcileUsage(window: { since?: Date; settledBefore: Date }): Promise<number>;
  /** A cheap round trip, for /health and doctor. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The change would take the user past its quota; checked in the same step that adds the usage. */
export class StoreQuotaError extends Error {
  override readonly name = "StoreQuotaError";
  constructor(
    readonly userId: string,
    readonly adding: number,
  ) {
    super(`Adding ${adding} bytes would exceed the quota of user ${userId}.`);
  }
}

/** A unique constraint refused the write (a path, an address or a username that already exists). */
export class StoreConflictError extends Error {
  override readonly name = "StoreConflictError";
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** Error codes of a full disk or quota: the file system's, SQLite's, and MongoDB's OutOfDiskSpace (14031). */
const STORAGE_FULL_CODES = new Set<unknown>(["ENOSPC", "EDQUOT", "SQLITE_FULL", 14031, "OutOfDiskSpace"]);

/** Whether a store failed because its disk (or the user's file system quota) is full; looks through causes. */
export function isStorageFull(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const { code, codeName, cause } = e as { code?: unknown; codeName?: unknown; cause?: unknown };
    if (STORAGE_FULL_CODES.has(code) || STORAGE_FULL_CODES.has(codeName)) return true;
    e = cause;
  }
  return false;
}

import { Binary, type ObjectId } from "mongodb";
import type {
  AddressValue,
  ContentSegment,
  FilterRecord,
  FlatDocument,
  DeliveryOutcome,
  DeliverySpam,
  DeliveryVia,
  JournalKind,
  MailboxRecord,
  MessageContent,
  MessageRecord,
  UserRecord,
} from "../ports.js";

// The document shapes of each collection and their conversion to records. Every list is an array of
// strings or of sub-documents, never an array of arrays (FerretDB cannot store those).

export interface UserDoc {
  _id: string;
  username: string;
  passwordHash: string;
  disabled: boolean;
  quotaBytes: number;
  storageUsed: number;
  /** When `storageUsed` last changed or a change of it began (a removal), for the usage reconcile's window. */
  usageTouchedAt?: Date;
  modseq: number;
  /** Journal entries at or below this modseq were pruned. */
  journalFloor?: number;
  /** The last UIDVALIDITY given to one of the user's mailboxes. */
  lastUidValidity?: number;
  /** Absent or null: the configured default. */
  spamLevel?: number | null;
  /** Absent: 0 (no undo-send hold). */
  sendHoldSeconds?: number;
  /** Absent or null: the configured default. */
  recipientsPerDay?: number | null;
  createdAt: Date;
}

export interface AddressDoc {
  _id: string;
  user: string;
  address: string;
  normalized: string;
  createdAt: Date;
}

export interface MailboxDoc {
  _id: string;
  user: string;
  path: string;
  specialUse: string | null;
  subscribed: boolean;
  uidValidity: number;
  uidNext: number;
  highestModseq: number;
  createdAt: Date;
}

/** An inline piece of the message (`d`) or a reference to a blob (`h` = sha256, `s` = size). */
export type SegmentDoc = { d: Binary } | { h: string; s: number };

export interface MessageDoc {
  _id: string;
  user: string;
  mailbox: string;
  uid: number;
  modseq: number;
  flags: string[];
  internalDate: Date;
  sentDate: Date;
  size: number;
  thread: string;
  subject: string;
  from: AddressValue[];
  to: AddressValue[];
  cc: AddressValue[];
  bcc: AddressValue[];
  msgid: string | null;
  hasAttachments: boolean;
  preview: string;
  searchText: string;
  /** IMAP SEARCH: the decoded header lines, lower-cased (absent on documents stored before it). */
  searchHeaders?: string;
  /** The day the Date header names as written, days since 1970 (absent on documents stored before it). */
  sentDay?: number;
  blobRefs: string[];
  segments: SegmentDoc[];
  /** The parsed metadata as a sub-document, when it fits in one (see `packMeta`)... */
  meta?: unknown;
  /** ...or else as JSON text. */
  metaJson?: string;
}

export interface BlobDoc {
  _id: string;
  size: number;
  refs: number;
  /** The GridFS file that holds the bytes. */
  file: ObjectId;
  createdAt: Date;
  /** Raised by every put and every new reference; repair leaves a blob alone until this is older than its grace. */
  touchedAt: Date;
}

export interface JournalDoc {
  user: string;
  modseq: number;
  mailbox: string;
  kind: JournalKind;
  message: string | null;
  uid: number | null;
  at: Date;
}

export interface ThreadDoc {
  _id: string;
  user: string;
  subjectKey: string;
}

export interface ThreadRefDoc {
  user: string;
  ref: string;
  thread: string;
}

/** Conditions and actions are flat sub-documents (no arrays, no nesting). */
export interface FilterDoc {
  _id: string;
  user: string;
  name: string;
  position: number;
  enabled: boolean;
  conditions: FlatDocument;
  actions: FlatDocument;
  createdAt: Date;
  updatedAt: Date;
}

export function toFilter(d: FilterDoc): FilterRecord {
  return {
    id: d._id,
    userId: d.user,
    name: d.name,
    position: d.position,
    enabled: d.enabled,
    conditions: d.conditions,
    actions: d.actions,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

export interface AuthLogDoc {
  _id: string;
  at: Date;
  username: string;
  user: string | null;
  ip: string;
  protocol: string;
  result: "success" | "failure" | "limited";
  reason: string;
}

export interface SessionDoc {
  _id: string;
  user: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface DeliveryDoc {
  _id: string;
  user: string;
  at: Date;
  via: DeliveryVia;
  clientIp: string | null;
  clientName: string | null;
  mailFrom: string;
  from: AddressValue[];
  recipient: string;
  msgid: string | null;
  subject: string;
  size: number;
  outcome: DeliveryOutcome;
  status: string;
  detail: string;
  mailbox: string | null;
  uid: number | null;
  message: string | null;
  verdict: string | null;
  matchedFilters: Array<{ id: string; name: string }>;
  spam: DeliverySpam | null;
}

/** `_id` is the mailbox and a hash of the Message-ID: one document per pair, whatever the header's length. */
export interface DeliveredIdDoc {
  _id: string;
  user: string;
  mailbox: string;
  msgid: string;
  message: string;
  uid: number;
  at: Date;
}

/** The fields of a message summary: lists and search never read segments, meta or search text. */
export const SUMMARY_PROJECTION = {
  user: 1,
  mailbox: 1,
  uid: 1,
  modseq: 1,
  flags: 1,
  internalDate: 1,
  sentDate: 1,
  size: 1,
  thread: 1,
  subject: 1,
  from: 1,
  to: 1,
  cc: 1,
  msgid: 1,
  hasAttachments: 1,
  preview: 1,
} as const;

export type MessageSummaryDoc = Pick<MessageDoc, "_id" | keyof typeof SUMMARY_PROJECTION>;

export function toUser(d: UserDoc): UserRecord {
  return {
    id: d._id,
    username: d.username,
    passwordHash: d.passwordHash,
    disabled: d.disabled,
    quotaBytes: d.quotaBytes,
    storageUsed: d.storageUsed,
    modseq: d.modseq,
    spamLevel: d.spamLevel ?? null,
    sendHoldSeconds: d.sendHoldSeconds ?? 0,
    recipientsPerDay: d.recipientsPerDay ?? null,
    createdAt: d.createdAt,
  };
}

export function toMailbox(d: MailboxDoc): MailboxRecord {
  return {
    id: d._id,
    userId: d.user,
    path: d.path,
    specialUse: d.specialUse,
    subscribed: d.subscribed,
    uidValidity: d.uidValidity,
    uidNext: d.uidNext,
    highestModseq: d.highestModseq,
    createdAt: d.createdAt,
  };
}

export function toMessage(d: MessageSummaryDoc): MessageRecord {
  return {
    id: d._id,
    userId: d.user,
    mailboxId: d.mailbox,
    uid: d.uid,
    modseq: d.modseq,
    flags: d.flags,
    internalDate: d.internalDate,
    sentDate: d.sentDate,
    size: d.size,
    threadId: d.thread,
    subject: d.subject,
    from: d.from,
    to: d.to,
    cc: d.cc,
    messageIdHeader: d.msgid,
    hasAttachments: d.hasAttachments,
    preview: d.preview,
  };
}

export function packSegments(segments: ContentSegment[]): SegmentDoc[] {
  return segments.map((s) => (s.kind === "inline" ? { d: new Binary(s.data) } : { h: s.hash, s: s.size }));
}

export function unpackContent(d: Pick<MessageDoc, "segments" | "meta" | "metaJson">): MessageContent {
  const meta = d.metaJson !== undefined ? JSON.parse(d.metaJson) : (d.meta ?? null);
  return { segments: unpackSegments(d.segments), meta };
}

/** Inline pieces come back as views into the driver's buffers, without a copy. */
export function unpackSegments(docs: SegmentDoc[]): ContentSegment[] {
  return docs.map((s) => {
    if ("d" in s) {
      const bytes = s.d.value();
      return { kind: "inline", data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
    }
    return { kind: "blob", hash: s.h, size: s.s };
  });
}

/**
 * The metadata goes through JSON first, so it reads back exactly as from the embedded store. It is kept
 * as a sub-document when every document database accepts it as one: no array directly inside an array,
 * no key with a "." or a leading "$". Otherwise it is stored as JSON text.
 */
export function packMeta(meta: unknown): { meta: unknown } | { metaJson: string } {
  const json = JSON.stringify(meta ?? null);
  const value: unknown = JSON.parse(json);
  return isStorableValue(value, false, 0) ? { meta: value } : { metaJson: json };
}

/** BSON nesting is capped at 100 levels; stay well below, the message document itself adds two. */
const MAX_META_DEPTH = 64;

function isStorableValue(value: unknown, insideArray: boolean, depth: number): boolean {
  if (depth > MAX_META_DEPTH) return false;
  if (Array.isArray(value)) return !insideArray && value.every((v) => isStorableValue(v, true, depth + 1));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).every(
      ([k, v]) => k !== "" && !k.includes(".") && !k.startsWith("$") && isStorableValue(v, false, depth + 1),
    );
  }
  return true;
}

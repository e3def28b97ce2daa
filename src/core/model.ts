// The records front ends see (GraphQL, HTTP, the command line, the sidecars). They are the store's rows today;
// front ends import them from here so they never depend on `storage/` or `mime/` (a lint rule keeps it so),
// and the core may change a row without changing a front end.
import type { AttachmentInfo, BodyParts, ImapMeta } from "../mime/index.js";
import type { AddressValue } from "../storage/ports.js";

export type {
  AddressRecord,
  AddressValue,
  ContentSegment,
  DeliveryCursor,
  DeliveryOutcome,
  DeliveryRecord,
  DeliverySpam,
  DeliveryVia,
  FlagChange,
  JournalEntry,
  JournalKind,
  MailboxCounts,
  MailboxRecord,
  MessageCursor,
  MessageRecord,
  SearchQuery,
  UserRecord,
} from "../storage/ports.js";
export type {
  AttachmentInfo,
  BodyDisposition,
  BodyParts,
  BodyRange,
  BodyStructure,
  Envelope,
  EnvelopeAddress,
  ExtractedPart,
  ImapMeta,
  MessageView,
  MimeNode,
  MultipartBody,
  RawParam,
  SinglePartBody,
} from "../mime/index.js";

/**
 * What delivery parsed once and keeps beside the bytes (as JSON, opaque to the store), so reading needs no
 * parser: the IMAP tree, ENVELOPE and BODYSTRUCTURE, the attachment list, where the bodies are and the reply
 * headers.
 */
export interface MessageMeta {
  imap: ImapMeta;
  attachments: AttachmentInfo[];
  /** Where the display text and HTML are in the stored bytes; absent on messages stored before it existed. */
  body?: BodyParts;
  headers: {
    replyTo: AddressValue[];
    inReplyTo: string | null;
    references: string[];
  };
}

/** The parts of a running installation, each checked with one cheap round trip (`/health`, `eider doctor`). */
export interface HealthReport {
  /** True when every part answered. */
  ok: boolean;
  store: { kind: "embedded" | "mongo"; ok: boolean; error?: string };
  bus: { kind: "memory" | "redis"; ok: boolean; error?: string };
}

/**
 * The stored metadata as the core reads it: the store keeps it opaque, so this is the one place that says what
 * it is. Every field may be missing on a message stored by an older version (or a damaged row): readers fall
 * back (a parser, an empty tree) rather than trust a cast.
 */
export function readMeta(meta: unknown): Partial<MessageMeta> {
  return meta !== null && typeof meta === "object" && !Array.isArray(meta)
    ? (meta as Partial<MessageMeta>)
    : {};
}

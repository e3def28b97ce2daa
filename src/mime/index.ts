// src/mime: raw RFC 822 messages in, stored segments and parsed metadata out, exact bytes back. Pure functions:
// no storage, no sockets. See README.md for the partId scheme and the JSON forms of ENVELOPE and BODYSTRUCTURE.

// Delivery: parse once, store segments and blobs.
export { parseMessage, type ParseOptions, type ParsedMessage, type ImapMeta } from "./parse-message.js";
export { MessageTooLargeError, BlobMismatchError } from "./errors.js";
export type { ParsedHeaders } from "./message-headers.js";
export { firstHeader, type HeaderField } from "./header-block.js";
export { decodeWords } from "./charset.js";
export type { MailAddress } from "./address.js";
export type { AttachmentInfo } from "./attachments.js";
export type { BodyParts, BodyRange } from "./body-parts.js";

// Stored bytes: rebuild and stream.
export {
  rebuildMessage,
  readRange,
  inlineBytes,
  segmentsSize,
  streamMessage,
  messageChunks,
  sha256Hex,
  type Segment,
  type BlobPayload,
  type BlobReader,
} from "./segments.js";

// IMAP: tree, envelope, body structure, sections.
export type { MimeNode } from "./split.js";
export type { Envelope, EnvelopeAddress } from "./envelope.js";
export type { BodyStructure, MultipartBody, SinglePartBody, BodyDisposition } from "./body-structure.js";
export type { RawParam } from "./params.js";
export { resolveSection, selectHeaderFields, type ByteRange, type SectionText } from "./section.js";

// The API: display view and attachment downloads.
export {
  viewStoredMessage,
  viewMessage,
  hasBodyParts,
  type MessageView,
  type ViewMeta,
  type StoredContent,
} from "./view.js";
export { extractPart, extractStoredPart, findPart, type ExtractedPart } from "./extract-part.js";

// Threading.
export { normalizeSubject } from "./subject.js";
export { baseSubject, type BaseSubject } from "./base-subject.js";
export { composeMessage, type NewMessageParts } from "./compose.js";
export {
  headerBlockEnd,
  readTopHeaders,
  hasHeaderField,
  removeHeaderField,
  prependHeaderLines,
  insertHeaderLinesAfterTrace,
} from "./top-headers.js";

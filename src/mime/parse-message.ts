// Delivery-time parsing: one pass over the message gives what the store keeps and what IMAP and the API need.
import { hasRealAttachments, listAttachments, type AttachmentInfo } from "./attachments.js";
import { buildBodyStructure, type BodyStructure } from "./body-structure.js";
import { extractBodyText } from "./body-text.js";
import { selectBodyParts, type BodyParts } from "./body-parts.js";
import { buildEnvelope, type Envelope } from "./envelope.js";
import { MessageTooLargeError } from "./errors.js";
import { DEFAULT_BLOB_FLOOR_BYTES, DEFAULT_BLOB_THRESHOLD_BYTES } from "./limits.js";
import { firstHeader, type HeaderField } from "./header-block.js";
import { readParsedHeaders, type ParsedHeaders } from "./message-headers.js";
import { searchHeaders, writtenDay } from "./search-fields.js";
import { cutSegments, type BlobPayload, type Segment } from "./segments.js";
import { splitMessage, type MimeNode } from "./split.js";

export interface ParseOptions {
  /** Leaf bodies at least this many bytes go to blobs. Default 16 KiB; Infinity keeps text inline. */
  blobThreshold?: number;
  /** Non-text leaf bodies at least this many bytes go to blobs. Default 1 KiB; Infinity keeps them inline. */
  blobFloor?: number;
  /** Larger messages are refused with a MessageTooLargeError (code MESSAGE_TOO_LARGE). */
  maxSize?: number;
}

/** Everything IMAP needs, computed once at delivery. Plain JSON: objects, arrays, strings, numbers, null. */
export interface ImapMeta {
  envelope: Envelope;
  bodyStructure: BodyStructure;
  tree: MimeNode;
}

export interface ParsedMessage {
  /** Byte length of the raw message. */
  size: number;
  /** Concatenated in order they are the raw message. */
  segments: Segment[];
  /** Unique by hash: the payloads the store must keep. */
  blobs: BlobPayload[];
  headers: ParsedHeaders;
  /** The top-level header fields as written (unfolded, not decoded), for rules that read any header (spam, lists). */
  headerFields: HeaderField[];
  imap: ImapMeta;
  hasAttachments: boolean;
  attachments: AttachmentInfo[];
  /** Where the display text and HTML are, so that reading a body needs no parser. Store it in the meta as `body`. */
  body: BodyParts;
  /** The first 200 characters of the text, whitespace collapsed. */
  preview: string;
  /** The text for body search, at most 64 Ki characters, not lower-cased. */
  searchText: string;
  /** The decoded header lines for IMAP SEARCH (HEADER, FROM, SUBJECT, TEXT...), lower-cased. */
  searchHeaders: string;
  /** The day the Date header names as written (days since 1970-01-01), for SENT*; null without a readable Date. */
  sentDay: number | null;
}

/**
 * Parses a raw RFC 822 message. Never throws on bad MIME (what is not valid MIME is kept as given);
 * throws MessageTooLargeError only when `maxSize` is exceeded.
 */
export async function parseMessage(raw: Buffer, options: ParseOptions = {}): Promise<ParsedMessage> {
  if (options.maxSize !== undefined && raw.length > options.maxSize)
    throw new MessageTooLargeError(raw.length, options.maxSize);
  const { tree, headers } = splitMessage(raw);
  const fields = headers.get(tree)?.fields ?? [];
  const { segments, blobs } = cutSegments(raw, tree, {
    blobThreshold: options.blobThreshold ?? DEFAULT_BLOB_THRESHOLD_BYTES,
    blobFloor: options.blobFloor ?? DEFAULT_BLOB_FLOOR_BYTES,
  });
  const attachments = listAttachments(raw, tree);
  const { preview, searchText } = extractBodyText(raw, tree);
  return {
    size: raw.length,
    segments,
    blobs,
    headers: readParsedHeaders(fields),
    headerFields: fields,
    imap: { envelope: buildEnvelope(fields), bodyStructure: buildBodyStructure(tree, headers), tree },
    hasAttachments: hasRealAttachments(attachments),
    attachments,
    body: selectBodyParts(tree),
    preview,
    searchText,
    searchHeaders: searchHeaders(fields),
    sentDay: writtenDay(firstHeader(fields, "date")),
  };
}

// What the API shows for one message. Messages stored with their body parts (`BodyParts`, chosen at delivery)
// are read by slicing and decoding those bytes; older ones fall back to mailparser, loaded only then.
import type { ParsedMail } from "mailparser";
import { listAttachments, type AttachmentInfo } from "./attachments.js";
import { extractBodyText } from "./body-text.js";
import type { BodyParts, BodyRange } from "./body-parts.js";
import { decodeCharset, decodeWords } from "./charset.js";
import { decodeHeaderBytes, parseHeaderFields, type HeaderField } from "./header-block.js";
import { unflow } from "./flowed.js";
import { htmlToText } from "./html-text.js";
import { MAX_PARSED_HEADER_BYTES, VIEW_MAX_BYTES } from "./limits.js";
import { readRange, rebuildMessage, type BlobReader, type Segment } from "./segments.js";
import { splitMessage, type MimeNode } from "./split.js";
import { textToHtml } from "./text-html.js";
import { decodeTransferEncoding } from "./transfer-encoding.js";

export interface MessageView {
  text: string | null;
  /** As in the message, cid: references kept; sanitising is the client's job. */
  html: string | null;
  textAsHtml: string | null;
  attachments: AttachmentInfo[];
  /** Top-level header fields in order: lower-case key, value unfolded and RFC 2047 decoded. */
  headers: Array<{ key: string; value: string }>;
  /** The text or HTML was cut at VIEW_MAX_BYTES (encoded): the whole message is in its raw bytes. */
  truncated: boolean;
}

/** The parts of the stored meta the view reads. `body` is missing on messages stored before it existed. */
export interface ViewMeta {
  imap: { tree: MimeNode };
  attachments: AttachmentInfo[];
  body?: BodyParts;
}

/** A stored message: its segments and the meta written at delivery. */
export interface StoredContent {
  segments: Segment[];
  meta: unknown;
}

/** Whether the stored meta carries what a parser-free view needs. */
export function hasBodyParts(meta: unknown): meta is ViewMeta & { body: BodyParts } {
  const m = meta as Partial<ViewMeta> | null;
  return (
    !!m &&
    typeof m === "object" &&
    !!m.body &&
    Array.isArray(m.body.text) &&
    Array.isArray(m.body.html) &&
    Array.isArray(m.attachments) &&
    !!m.imap?.tree
  );
}

/**
 * The view of a stored message, reading only the header, the display parts and the blobs they live in.
 * Never throws on bad MIME; throws BlobMismatchError when a blob is not what the segments say.
 */
export async function viewStoredMessage(content: StoredContent, readBlob: BlobReader): Promise<MessageView> {
  const { segments, meta } = content;
  if (!hasBodyParts(meta)) return viewMessage(await rebuildMessage(segments, (hash) => readBlob(hash)));
  const tree = meta.imap.tree;
  const read = (r: { start: number; end: number }) => readRange(segments, r.start, r.end, readBlob);
  const headerEnd = Math.min(tree.headerEnd, tree.headerStart + MAX_PARSED_HEADER_BYTES);
  const textParts = clip(meta.body.text);
  const htmlParts = clip(meta.body.html);
  const [header, texts, htmls] = await Promise.all([
    read({ start: tree.headerStart, end: headerEnd }),
    Promise.all(textParts.ranges.map(async (r) => decodeRange(await read(r), r))),
    Promise.all(htmlParts.ranges.map(async (r) => decodeRange(await read(r), r))),
  ]);
  const html = htmls.length > 0 ? htmls.join("\n") : null;
  const text =
    texts.length > 0
      ? texts.join("\n").replace(/\r\n?/g, "\n")
      : html !== null
        ? htmlToText(html).trim()
        : null;
  // textAsHtml is made when first read: most readers ask for text or html, and linking costs more than slicing.
  let asHtml: string | null | undefined;
  return {
    text,
    html,
    get textAsHtml() {
      return (asHtml ??= text === null ? null : textToHtml(text));
    },
    attachments: meta.attachments,
    headers: viewHeaders(parseHeaderFields(decodeHeaderBytes(header, 0, header.length).text)),
    truncated: textParts.truncated || htmlParts.truncated,
  };
}

/** The ranges cut to VIEW_MAX_BYTES in all (a quoted-printable or base64 unit cut in half decodes leniently). */
function clip(ranges: readonly BodyRange[]): { ranges: BodyRange[]; truncated: boolean } {
  const out: BodyRange[] = [];
  let budget = VIEW_MAX_BYTES;
  for (const r of ranges) {
    if (budget <= 0) return { ranges: out, truncated: true };
    const size = r.end - r.start;
    out.push(size <= budget ? r : { ...r, end: r.start + budget });
    budget -= size;
  }
  return { ranges: out, truncated: budget < 0 };
}

function decodeRange(body: Buffer, range: BodyRange): string {
  const text = decodeCharset(decodeTransferEncoding(body, range.encoding), range.charset);
  return range.flowed ? unflow(text, range.flowed.delsp) : text;
}

function viewHeaders(fields: readonly HeaderField[]): MessageView["headers"] {
  return fields.map((field) => ({ key: field.name, value: decodeWords(field.value.trim()) }));
}

/** How many views this process made with mailparser: messages stored without body parts (tests, metrics). */
export const parserViews = { count: 0 };

/**
 * Parses a whole message for display with mailparser: for messages stored without their body parts.
 * Never throws on bad MIME: where mailparser fails, the text comes from our own decoder.
 */
export async function viewMessage(raw: Buffer): Promise<MessageView> {
  const { tree, headers } = splitMessage(raw);
  let parsed: ParsedMail | null = null;
  try {
    // Loaded on first use: mailparser and its dependencies cost about 30 MB of memory in a process that never needs them.
    const { simpleParser } = await import("mailparser");
    parserViews.count++;
    parsed = await simpleParser(raw, { keepCidLinks: true, skipImageLinks: true });
  } catch {
    parsed = null;
  }
  const html = parsed?.html || null;
  // mailparser finds no text in MIME it cannot split (a boundary that never shows up); ours reads it as plain text.
  const text = parsed?.text ?? (html ? null : extractBodyText(raw, tree).searchText || null);
  return {
    text,
    html,
    textAsHtml: parsed?.textAsHtml ?? null,
    attachments: listAttachments(raw, tree),
    headers: viewHeaders(headers.get(tree)?.fields ?? []),
    truncated: false,
  };
}

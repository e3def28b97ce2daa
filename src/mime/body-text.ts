// The message text for previews and search: the readable parts, transfer- and charset-decoded.
import { isBodyText } from "./attachments.js";
import { decodeCharset } from "./charset.js";
import { htmlToText } from "./html-text.js";
import { PREVIEW_CHARS, SEARCH_TEXT_MAX_CHARS, TEXT_DECODE_MAX_BYTES } from "./limits.js";
import { isMessageType, type MimeNode } from "./split.js";
import { decodeTransferEncoding } from "./transfer-encoding.js";

export interface BodyText {
  /** The first PREVIEW_CHARS characters of the text, whitespace collapsed. */
  preview: string;
  /** All readable text (attached messages included), at most SEARCH_TEXT_MAX_CHARS characters. */
  searchText: string;
}

/**
 * The readable leaves in order: of an alternative, the plain one (else the richest); attached messages too.
 * A multipart whose boundary never shows up is read as plain text, as a mail client would show it.
 */
function collectTextParts(node: MimeNode, out: MimeNode[]): void {
  if (node.contentType.startsWith("multipart/") && node.children.length === 0) {
    out.push(node);
  } else if (node.contentType === "multipart/alternative") {
    const plain = node.children.find((child) => child.contentType === "text/plain" && isBodyText(child));
    collectTextParts(plain ?? node.children[node.children.length - 1], out);
  } else if (
    node.contentType.startsWith("multipart/") ||
    (isMessageType(node.contentType) && node.children.length > 0)
  ) {
    for (const child of node.children) collectTextParts(child, out);
  } else if (isBodyText(node)) {
    out.push(node);
  }
}

/** Decoded text of one text leaf (first TEXT_DECODE_MAX_BYTES bytes), HTML reduced to text. */
export function decodeTextPart(raw: Buffer, node: MimeNode): string {
  const body = raw.subarray(node.bodyStart, Math.min(node.bodyEnd, node.bodyStart + TEXT_DECODE_MAX_BYTES));
  const text = decodeCharset(decodeTransferEncoding(body, node.encoding), node.params.charset);
  return node.contentType === "text/html" ? htmlToText(text) : text;
}

/** Extracts preview and search text from a parsed message. */
export function extractBodyText(raw: Buffer, tree: MimeNode): BodyText {
  const parts: MimeNode[] = [];
  collectTextParts(tree, parts);
  let searchText = "";
  let preview = "";
  for (const part of parts) {
    if (searchText.length >= SEARCH_TEXT_MAX_CHARS) break;
    const text = decodeTextPart(raw, part);
    if (preview.length < PREVIEW_CHARS) preview = appendCollapsed(preview, text);
    searchText += (searchText ? "\n" : "") + text;
  }
  return { preview, searchText: searchText.slice(0, SEARCH_TEXT_MAX_CHARS) };
}

/** Appends `text` with whitespace runs collapsed to one space, up to PREVIEW_CHARS, reading no further than needed. */
function appendCollapsed(preview: string, text: string): string {
  let out = preview;
  let space = out.length > 0;
  for (let i = 0; i < text.length && out.length < PREVIEW_CHARS; i++) {
    const code = text.charCodeAt(i);
    if (code <= 32 || code === 0xa0 || code === 0x2028 || code === 0x2029 || code === 0xfeff) {
      space = out.length > 0;
      continue;
    }
    if (space) {
      out += " ";
      space = false;
      if (out.length >= PREVIEW_CHARS) break;
    }
    // Keep a surrogate pair whole, even if that makes the preview one code unit longer.
    out += code >= 0xd800 && code <= 0xdbff && i + 1 < text.length ? text[i] + text[++i] : text[i];
  }
  return out.trimEnd();
}

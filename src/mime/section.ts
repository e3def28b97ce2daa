// IMAP body sections (RFC 3501 §6.4.5 FETCH BODY[section]) resolved to byte ranges of the stored message.
import { isMessageType, type MimeNode } from "./split.js";

export type SectionText = "" | "HEADER" | "TEXT" | "MIME";

export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The bytes of BODY[part.text], e.g. ([], "") for BODY[], ([2, 1], "MIME") for BODY[2.1.MIME],
 * ([3], "HEADER") for BODY[3.HEADER]. HEADER.FIELDS is the HEADER range filtered with selectHeaderFields.
 * Null when the section does not exist (the server then returns an empty string, as Dovecot does).
 */
export function resolveSection(tree: MimeNode, part: readonly number[], text: SectionText): ByteRange | null {
  if (part.length === 0) {
    if (text === "") return { start: tree.headerStart, end: tree.bodyEnd };
    if (text === "HEADER") return { start: tree.headerStart, end: tree.bodyStart };
    if (text === "TEXT") return { start: tree.bodyStart, end: tree.bodyEnd };
    return null;
  }
  let node: MimeNode | null = tree;
  let atMessage = true;
  for (const n of part) {
    if (!node) return null;
    if (!atMessage && isMessageType(node.contentType) && node.children.length === 1) {
      node = node.children[0];
      atMessage = true;
    }
    if (node.contentType.startsWith("multipart/")) {
      node = node.children[n - 1] ?? null;
    } else if (!atMessage || n !== 1) {
      return null; // a single-part message has only part 1; a leaf has no parts
    }
    atMessage = false;
  }
  if (!node) return null;
  if (text === "") return { start: node.bodyStart, end: node.bodyEnd };
  if (text === "MIME") return { start: node.headerStart, end: node.bodyStart };
  const inner = isMessageType(node.contentType) ? node.children[0] : undefined;
  if (!inner) return null;
  return text === "HEADER"
    ? { start: inner.headerStart, end: inner.bodyStart }
    : { start: inner.bodyStart, end: inner.bodyEnd };
}

/**
 * HEADER.FIELDS / HEADER.FIELDS.NOT: the matching fields of a header block, bytes as stored, then the blank line.
 * `names` are compared case-insensitively.
 */
export function selectHeaderFields(header: Buffer, names: readonly string[], exclude: boolean): Buffer {
  const wanted = new Set(names.map((name) => name.toLowerCase()));
  const kept: Buffer[] = [];
  let keep = false;
  for (let pos = 0; pos < header.length;) {
    const lf = header.indexOf(10, pos);
    const next = lf < 0 ? header.length : lf + 1;
    const first = header[pos];
    if (first === 13 && (header[pos + 1] === 10 || pos + 1 === header.length)) break; // the blank line
    if (first === 10) break;
    if (first !== 32 && first !== 9) {
      const colon = header.indexOf(58, pos);
      const name =
        colon >= 0 && colon < next ? header.toString("latin1", pos, colon).trim().toLowerCase() : null;
      keep = name !== null && wanted.has(name) !== exclude;
    }
    if (keep) {
      kept.push(header.subarray(pos, next));
      if (lf < 0) kept.push(CRLF);
    }
    pos = next;
  }
  kept.push(CRLF);
  return Buffer.concat(kept);
}

const CRLF = Buffer.from("\r\n");

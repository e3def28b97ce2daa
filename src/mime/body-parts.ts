// Which byte ranges of a message are its display text and HTML, chosen once at delivery so that reading a
// body is a slice and a decode, never a parse.
import { isBodyText } from "./attachments.js";
import { isMessageType, type MimeNode } from "./split.js";

/** One text leaf's body as stored: raw[start, end), still transfer-encoded, in its declared charset. */
export interface BodyRange {
  start: number;
  end: number;
  /** Lower-case Content-Transfer-Encoding, null when absent. */
  encoding: string | null;
  /** The charset parameter as written, null when absent. */
  charset: string | null;
  /** text/plain; format=flowed (RFC 3676): soft line breaks are joined for display. `delsp` says how. */
  flowed?: { delsp: boolean };
}

/** The parts a mail client shows as the message: plain text and HTML, each in part order. Plain JSON. */
export interface BodyParts {
  text: BodyRange[];
  html: BodyRange[];
}

function range(node: MimeNode): BodyRange {
  const r: BodyRange = {
    start: node.bodyStart,
    end: node.bodyEnd,
    encoding: node.encoding,
    charset: node.params.charset ?? null,
  };
  if (node.contentType === "text/plain" && node.params.format?.toLowerCase() === "flowed")
    r.flowed = { delsp: node.params.delsp?.toLowerCase() === "yes" };
  return r;
}

/**
 * The displayed parts, as mail clients pick them: of a multipart/alternative, the plain child for the text and
 * the richest child's HTML; in other multiparts, every readable leaf in order. An attached message is an
 * attachment, not text. A multipart whose boundary never shows up is shown as plain text.
 */
export function selectBodyParts(tree: MimeNode): BodyParts {
  const parts: BodyParts = { text: [], html: [] };
  const walk = (node: MimeNode, want: { text: boolean; html: boolean }, top: boolean): void => {
    const type = node.contentType;
    if (type.startsWith("multipart/") && node.children.length === 0) {
      if (want.text) parts.text.push(range(node));
    } else if (type === "multipart/alternative") {
      const plain = node.children.find((c) => c.contentType === "text/plain" && isBodyText(c));
      if (plain && want.text) walk(plain, { text: true, html: false }, false);
      const rich = [...node.children].reverse().find((c) => c !== plain && containsHtml(c));
      if (rich) walk(rich, { text: want.text && !plain, html: want.html }, false);
      else if (!plain && node.children.length > 0) walk(node.children[node.children.length - 1], want, false);
    } else if (type.startsWith("multipart/") || (top && isMessageType(type) && node.children.length > 0)) {
      for (const child of node.children) walk(child, want, false);
    } else if (isBodyText(node)) {
      if (type === "text/html") {
        if (want.html) parts.html.push(range(node));
      } else if (want.text) {
        parts.text.push(range(node));
      }
    }
  };
  walk(tree, { text: true, html: true }, true);
  return parts;
}

function containsHtml(node: MimeNode): boolean {
  if (node.contentType === "text/html") return isBodyText(node);
  if (!node.contentType.startsWith("multipart/")) return false;
  return node.children.some(containsHtml);
}

// Which parts are attachments, the way mail clients (and mailparser) decide.
import { isMessageType, type MimeNode } from "./split.js";
import { estimateDecodedSize } from "./transfer-encoding.js";

export interface AttachmentInfo {
  /** IMAP section number, for extractPart and downloads. */
  partId: string;
  filename: string | null;
  contentType: string;
  disposition: "attachment" | "inline" | null;
  /** Content-ID as written, angle brackets included: html refers to it as cid:<id without brackets>. */
  contentId: string | null;
  /** Decoded bytes (base64 and quoted-printable estimated from the encoded body). */
  size: number;
  /** Inside a multipart/related: a resource of the HTML body (an inline image) rather than a file. */
  related: boolean;
}

/** A text/plain or text/html leaf that is part of the message text rather than a file. */
export function isBodyText(node: MimeNode): boolean {
  if (node.contentType !== "text/plain" && node.contentType !== "text/html") return false;
  if (node.disposition === "attachment") return false;
  return !node.filename || node.disposition === "inline";
}

/** The attachments of a message in part order. An attached message is one attachment; its parts are not listed. */
export function listAttachments(raw: Buffer, tree: MimeNode): AttachmentInfo[] {
  const out: AttachmentInfo[] = [];
  const walk = (node: MimeNode, related: boolean): void => {
    if (node.contentType.startsWith("multipart/")) {
      const inRelated = related || node.contentType === "multipart/related";
      for (const child of node.children) walk(child, inRelated);
      return;
    }
    if (!isMessageType(node.contentType) && isBodyText(node)) return;
    out.push({
      partId: node.partId,
      filename: node.filename,
      contentType: node.contentType,
      disposition:
        node.disposition === "attachment" || node.disposition === "inline" ? node.disposition : null,
      contentId: node.contentId,
      size: estimateDecodedSize(raw.subarray(node.bodyStart, node.bodyEnd), node.encoding),
      related,
    });
  };
  walk(tree, false);
  return out;
}

/** What the mail list shows as a paperclip: anything but the inline resources of an HTML body. */
export function hasRealAttachments(attachments: readonly AttachmentInfo[]): boolean {
  return attachments.some((a) => a.disposition === "attachment" || !a.related);
}

// One part's decoded bytes, for attachment downloads.
import { readRange, rebuildMessage, type Segment } from "./segments.js";
import { splitMessage, type MimeNode } from "./split.js";
import { decodeTransferEncoding } from "./transfer-encoding.js";

export interface ExtractedPart {
  contentType: string;
  filename: string | null;
  data: Buffer;
}

/** The decoded body of the part with that partId (see MimeNode), or null when there is none. */
export async function extractPart(raw: Buffer, partId: string): Promise<ExtractedPart | null> {
  const node = findPart(splitMessage(raw).tree, partId);
  if (!node) return null;
  const body = raw.subarray(node.bodyStart, node.bodyEnd);
  return {
    contentType: node.contentType,
    filename: node.filename,
    data: decodeTransferEncoding(body, node.encoding),
  };
}

/** The first node in part order with that partId: for a shared id, the message/rfc822 part rather than its message. */
export function findPart(tree: MimeNode, partId: string): MimeNode | null {
  if (tree.partId === partId) return tree;
  for (const child of tree.children) {
    const found = findPart(child, partId);
    if (found) return found;
  }
  return null;
}

/**
 * The decoded body of a stored message's part: found in the stored tree and read alone (only its blobs), or,
 * for a message stored without a tree, from the rebuilt message.
 */
export async function extractStoredPart(
  content: { segments: Segment[]; meta: unknown },
  partId: string,
  readBlob: (hash: string) => Promise<Buffer>,
): Promise<ExtractedPart | null> {
  const tree = (content.meta as { imap?: { tree?: MimeNode } } | null)?.imap?.tree;
  if (!tree) return extractPart(await rebuildMessage(content.segments, readBlob), partId);
  const node = findPart(tree, partId);
  if (!node) return null;
  const body = await readRange(content.segments, node.bodyStart, node.bodyEnd, readBlob);
  return {
    contentType: node.contentType,
    filename: node.filename,
    data: decodeTransferEncoding(body, node.encoding),
  };
}

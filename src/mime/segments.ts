// Cutting a message into stored segments and putting the bytes back together (design invariant 1).
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { BlobMismatchError } from "./errors.js";
import type { MimeNode } from "./split.js";

/** One piece of the stored message; concatenating all pieces in order gives back the original bytes. */
export type Segment = { kind: "inline"; data: Buffer } | { kind: "blob"; hash: string; size: number };

/** A leaf body cut out of the message, addressed by sha256 hex of its bytes (as in the message, still transfer-encoded). */
export interface BlobPayload {
  hash: string;
  size: number;
  data: Buffer;
}

export interface CutOptions {
  /** Leaf bodies at least this large become blobs. */
  blobThreshold: number;
  /** Non-text leaf bodies at least this large become blobs. */
  blobFloor: number;
}

export function sha256Hex(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Text stays inline (it rarely repeats across messages); message/* leaves are reports, also text. */
function isTextual(node: MimeNode): boolean {
  return node.contentType.startsWith("text/") || node.contentType.startsWith("message/");
}

/**
 * Cuts the message at its leaf bodies that should live in blobs. Inline segments are views into `raw`
 * (no copy); a store that keeps them past `raw`'s life copies them, as writing them anywhere does.
 */
export function cutSegments(
  raw: Buffer,
  tree: MimeNode,
  options: CutOptions,
): { segments: Segment[]; blobs: BlobPayload[] } {
  const segments: Segment[] = [];
  const blobs = new Map<string, BlobPayload>();
  let pos = 0;
  const visit = (node: MimeNode): void => {
    if (node.children.length > 0) {
      for (const child of node.children) visit(child);
      return;
    }
    const size = node.bodyEnd - node.bodyStart;
    if (size === 0 || (size < options.blobThreshold && (isTextual(node) || size < options.blobFloor))) return;
    const data = raw.subarray(node.bodyStart, node.bodyEnd);
    const hash = sha256Hex(data);
    if (!blobs.has(hash)) blobs.set(hash, { hash, size, data });
    if (node.bodyStart > pos) segments.push({ kind: "inline", data: raw.subarray(pos, node.bodyStart) });
    segments.push({ kind: "blob", hash, size });
    pos = node.bodyEnd;
  };
  visit(tree);
  if (pos < raw.length || segments.length === 0) segments.push({ kind: "inline", data: raw.subarray(pos) });
  return { segments, blobs: [...blobs.values()] };
}

/** The message's byte length from its segments. */
export function segmentsSize(segments: readonly Segment[]): number {
  let size = 0;
  for (const s of segments) size += s.kind === "inline" ? s.data.length : s.size;
  return size;
}

/** The bytes of a message kept together (no blobs): the one inline piece as is, no copy. Null when it has blobs. */
export function inlineBytes(segments: readonly Segment[]): Buffer | null {
  if (segments.length === 1 && segments[0].kind === "inline") return toBuffer(segments[0].data);
  if (segments.some((s) => s.kind === "blob")) return null;
  return Buffer.concat(segments.map((s) => toBuffer((s as { data: Buffer }).data)));
}

/** The original bytes from segments; blobs are read in parallel. Throws BlobMismatchError on a wrong-sized blob. */
export async function rebuildMessage(
  segments: Segment[],
  readBlob: (hash: string, size: number) => Promise<Buffer>,
): Promise<Buffer> {
  const together = inlineBytes(segments);
  if (together) return together;
  const pieces = await Promise.all(
    segments.map(async (segment) => {
      if (segment.kind === "inline") return toBuffer(segment.data);
      const data = await readBlob(segment.hash, segment.size);
      if (data.length !== segment.size) throw new BlobMismatchError(segment.hash, segment.size, data.length);
      return data;
    }),
  );
  return Buffer.concat(pieces);
}

/** Streams the original bytes in order, opening each blob only when the reader gets to it (backpressure respected). */
export function streamMessage(
  segments: Segment[],
  openBlob: (hash: string) => Promise<NodeJS.ReadableStream | Buffer>,
): NodeJS.ReadableStream {
  return Readable.from(messageChunks(segments, openBlob), { objectMode: false });
}

/**
 * The original bytes in order as an async iterable: inline pieces as views, each blob opened only when the
 * reader gets to it. Throws BlobMismatchError when a blob's size is not the one recorded.
 */
export function messageChunks(
  segments: Segment[],
  openBlob: (hash: string, size: number) => Promise<NodeJS.ReadableStream | Buffer>,
): AsyncGenerator<Buffer> {
  async function* pieces(): AsyncGenerator<Buffer> {
    for (const segment of segments) {
      if (segment.kind === "inline") {
        if (segment.data.length > 0) yield toBuffer(segment.data);
        continue;
      }
      const blob = await openBlob(segment.hash, segment.size);
      let seen = 0;
      if (Buffer.isBuffer(blob)) {
        seen = blob.length;
        if (seen === segment.size) yield blob;
      } else {
        for await (const chunk of blob as AsyncIterable<Buffer | string>) {
          const piece = typeof chunk === "string" ? Buffer.from(chunk, "latin1") : chunk;
          seen += piece.length;
          if (seen > segment.size) break;
          yield piece;
        }
      }
      if (seen !== segment.size) throw new BlobMismatchError(segment.hash, segment.size, seen);
    }
  }
  return pieces();
}

/** A store may hand inline data back as a plain Uint8Array; view it as a Buffer without copying. */
function toBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Reads a blob. With `prefix` (always less than the blob's size), only that many first bytes are needed: the
 * reader may stop there, or return the whole blob.
 */
export type BlobReader = (hash: string, prefix?: number) => Promise<Buffer>;

/**
 * The bytes raw[start, end) from segments, reading only the blobs that overlap the range (and of each only up
 * to where the range ends). A range inside one segment comes back as a view, without a copy.
 */
export async function readRange(
  segments: Segment[],
  start: number,
  end: number,
  readBlob: BlobReader,
): Promise<Buffer> {
  const pieces: Array<Buffer | Promise<Buffer>> = [];
  let pos = 0;
  for (const segment of segments) {
    const size = segment.kind === "inline" ? segment.data.length : segment.size;
    const from = Math.max(start, pos);
    const to = Math.min(end, pos + size);
    if (from < to) {
      if (segment.kind === "inline") pieces.push(toBuffer(segment.data).subarray(from - pos, to - pos));
      else {
        const offset = pos;
        const needed = to - offset;
        pieces.push(
          readBlob(segment.hash, needed < segment.size ? needed : undefined).then((data) => {
            // A reader may stop after the prefix asked for, but never give less, nor more than the blob.
            const short = data.length < needed || (needed === segment.size && data.length !== needed);
            if (short || data.length > segment.size)
              throw new BlobMismatchError(segment.hash, segment.size, data.length);
            return data.subarray(from - offset, to - offset);
          }),
        );
      }
    }
    pos += size;
    if (pos >= end) break;
  }
  const buffers = await Promise.all(pieces);
  return buffers.length === 1 ? buffers[0] : Buffer.concat(buffers);
}

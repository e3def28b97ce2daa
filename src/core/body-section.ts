// IMAP BODY[section]<partial> (RFC 3501 §6.4.5) from the stored message: the stored MIME tree gives the byte
// range, and only the segments that overlap it are read (a blob only when the range reaches into it).
import { Readable } from "node:stream";
import { readRange, resolveSection, selectHeaderFields } from "../mime/index.js";
import { readMeta } from "./model.js";
import type { ContentSegment } from "../storage/ports.js";
import { invalidInput } from "./errors.js";

export interface BodySection {
  /** Part numbers; [] is the whole message: BODY[2.1.MIME] is part [2, 1] with text "MIME". */
  part: number[];
  /** "" is the part's body (the whole message at the top). Default "". */
  text?: "" | "HEADER" | "TEXT" | "MIME" | "HEADER.FIELDS" | "HEADER.FIELDS.NOT";
  /** The field names of HEADER.FIELDS and HEADER.FIELDS.NOT. */
  fields?: string[];
  /** BODY[...]<offset.length>: the bytes from `offset`, at most `length`. */
  partial?: { offset: number; length: number };
}

/** The bytes of a section: their count first (an IMAP literal needs it), then the bytes as a stream. */
export interface SectionBytes {
  size: number;
  stream: Readable;
}

/** How the section reads blobs: whole (a slice of one) or as a stream (one the section covers entirely). */
export interface SectionBlobs {
  read(hash: string): Promise<Buffer>;
  open(hash: string): Promise<NodeJS.ReadableStream>;
}

/** Resolves a section against a stored message; a section that does not exist is empty (as Dovecot answers). */
export async function readSection(
  segments: ContentSegment[],
  meta: unknown,
  section: BodySection,
  blobs: SectionBlobs,
): Promise<SectionBytes> {
  const readBlob = (hash: string) => blobs.read(hash);
  const tree = readMeta(meta).imap?.tree;
  if (!tree) throw new Error("The stored message has no MIME tree.");
  for (const n of section.part)
    if (!Number.isInteger(n) || n < 1) throw invalidInput(`Section part number ${n} must be 1 or more.`);
  const text = section.text ?? "";
  if (text === "HEADER.FIELDS" || text === "HEADER.FIELDS.NOT") {
    const range = resolveSection(tree, section.part, "HEADER");
    const header = range ? await readRange(segments, range.start, range.end, readBlob) : Buffer.alloc(0);
    const selected = range
      ? selectHeaderFields(header, section.fields ?? [], text === "HEADER.FIELDS.NOT")
      : header;
    const bytes = sliceOf(selected.length, section.partial);
    const out = selected.subarray(bytes.start, bytes.end);
    return { size: out.length, stream: Readable.from([out]) };
  }
  const range = resolveSection(tree, section.part, text);
  if (!range) return { size: 0, stream: Readable.from([]) };
  const slice = sliceOf(range.end - range.start, section.partial);
  const start = range.start + slice.start;
  const end = range.start + slice.end;
  return { size: end - start, stream: Readable.from(rangePieces(segments, start, end, blobs)) };
}

/** The part of [0, size) that <offset.length> asks for: empty when the offset is past the end. */
function sliceOf(size: number, partial?: { offset: number; length: number }): { start: number; end: number } {
  if (!partial) return { start: 0, end: size };
  const { offset, length } = partial;
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0)
    throw invalidInput(`Partial <${offset}.${length}> must be two whole numbers, 0 or more.`);
  const start = Math.min(offset, size);
  return { start, end: Math.min(size, start + length) };
}

/**
 * The bytes [start, end) piece by piece, opening each blob only when the reader gets to it; a blob the range
 * covers whole is streamed (a large attachment is never held whole), a blob cut by the range is sliced.
 */
async function* rangePieces(
  segments: ContentSegment[],
  start: number,
  end: number,
  blobs: SectionBlobs,
): AsyncGenerator<Buffer> {
  let pos = 0;
  for (const segment of segments) {
    if (pos >= end) return;
    const size = segment.kind === "inline" ? segment.data.length : segment.size;
    const from = Math.max(start, pos);
    const to = Math.min(end, pos + size);
    if (from < to && segment.kind === "blob" && from === pos && to === pos + size) {
      let seen = 0;
      for await (const chunk of (await blobs.open(segment.hash)) as AsyncIterable<Buffer | string>) {
        const piece = typeof chunk === "string" ? Buffer.from(chunk, "latin1") : chunk;
        seen += piece.length;
        if (seen > size) break;
        yield piece;
      }
      if (seen !== size) throw new Error(`Blob ${segment.hash} has ${seen} bytes where ${size} were stored.`);
    } else if (from < to) {
      yield await readRange([segment], from - pos, to - pos, (hash) => blobs.read(hash));
    }
    pos += size;
  }
}

// The top-level header block of a message as bytes: where it ends, its decoded fields, and edits that change
// nothing but the field named (submission removes Bcc, RFC 5322 §3.6.3, and adds a missing Date or Message-ID,
// RFC 6409 §8), so every other byte of what a client submitted is what gets sent and signed.
import { decodeHeaderBytes, parseHeaderFields } from "./header-block.js";
import { readParsedHeaders, type ParsedHeaders } from "./message-headers.js";

/** The offset just past the header block's last line (before the empty line), or the length when there is no body. */
export function headerBlockEnd(raw: Buffer): number {
  let pos = 0;
  while (pos < raw.length) {
    const lf = raw.indexOf(10, pos);
    if (lf < 0) return raw.length;
    const lineLength = lf - pos - (lf > pos && raw[lf - 1] === 13 ? 1 : 0);
    if (lineLength === 0) return pos;
    pos = lf + 1;
  }
  return raw.length;
}

/** The decoded top-level headers (From, To, Cc, Bcc, Subject, Message-ID, In-Reply-To, References, ...). */
export function readTopHeaders(raw: Buffer): ParsedHeaders {
  const { text } = decodeHeaderBytes(raw, 0, headerBlockEnd(raw));
  return readParsedHeaders(parseHeaderFields(text));
}

/** Whether the header block has a field of that (case-insensitive) name. */
export function hasHeaderField(raw: Buffer, name: string): boolean {
  return fieldSpans(raw, name).length > 0;
}

/**
 * The message without every field of that name (each with its folded continuation lines); every other byte is
 * kept as it was. The same buffer when there is no such field.
 */
export function removeHeaderField(raw: Buffer, name: string): Buffer {
  const spans = fieldSpans(raw, name);
  if (spans.length === 0) return raw;
  const pieces: Buffer[] = [];
  let from = 0;
  for (const [start, end] of spans) {
    pieces.push(raw.subarray(from, start));
    from = end;
  }
  pieces.push(raw.subarray(from));
  return Buffer.concat(pieces);
}

/** The message with `lines` (whole header lines, each ending in CRLF) put before its first header line. */
export function prependHeaderLines(raw: Buffer, lines: string): Buffer {
  return lines ? Buffer.concat([Buffer.from(lines, "utf8"), raw]) : raw;
}

/** Trace fields a relay puts at the top of a message (RFC 5321 §4.4): fields added later go below them. */
const TRACE_FIELDS = new Set(["received", "return-path"]);

/**
 * The message with `lines` (whole header lines, each ending in CRLF) put after its leading trace fields (Received,
 * Return-Path, with their continuation lines), so the trace stays at the top; before the first line when there are
 * none.
 */
export function insertHeaderLinesAfterTrace(raw: Buffer, lines: string): Buffer {
  if (!lines) return raw;
  const end = headerBlockEnd(raw);
  let at = 0;
  let pos = 0;
  let inTrace = false;
  while (pos < end) {
    const lf = raw.indexOf(10, pos);
    const next = lf < 0 || lf >= end ? end : lf + 1;
    const first = raw[pos];
    if (first !== 32 && first !== 9) {
      const colon = raw.indexOf(58, pos);
      const field =
        colon >= 0 && colon < next ? raw.subarray(pos, colon).toString("latin1").trim().toLowerCase() : "";
      inTrace = TRACE_FIELDS.has(field);
      if (!inTrace) break;
    }
    if (inTrace) at = next;
    pos = next;
  }
  return Buffer.concat([raw.subarray(0, at), Buffer.from(lines, "utf8"), raw.subarray(at)]);
}

/** [start, end) of each field of that name, continuation lines and line ends included. */
function fieldSpans(raw: Buffer, name: string): Array<[number, number]> {
  const wanted = name.toLowerCase();
  const end = headerBlockEnd(raw);
  const spans: Array<[number, number]> = [];
  let open: [number, number] | null = null;
  let pos = 0;
  while (pos < end) {
    const lf = raw.indexOf(10, pos);
    const next = lf < 0 || lf >= end ? end : lf + 1;
    const first = raw[pos];
    if (first === 32 || first === 9) {
      if (open) open[1] = next;
    } else {
      open = null;
      const colon = raw.indexOf(58, pos);
      if (colon >= 0 && colon < next) {
        const field = raw.subarray(pos, colon).toString("latin1").trim().toLowerCase();
        if (field === wanted) {
          open = [pos, next];
          spans.push(open);
        }
      }
    }
    pos = next;
  }
  return spans;
}

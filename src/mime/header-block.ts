// Header blocks as field lists: RFC 5322 §2.2 (fields, folding), with the leniency real mail needs.
import { isAscii } from "node:buffer";

/** One header field: lower-case name, value with folding removed (RFC 5322 §2.2.3) but not trimmed or decoded. */
export interface HeaderField {
  name: string;
  value: string;
}

/** How header bytes were turned into text, so a value (a boundary) can be turned back into the same bytes. */
export type HeaderCharset = "latin1" | "utf8";

const UTF8_STRICT = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes raw header bytes: 7-bit as is, 8-bit as UTF-8 (RFC 6532) when valid, else as Latin-1 so no byte is lost.
 */
export function decodeHeaderBytes(
  raw: Buffer,
  start: number,
  end: number,
): { text: string; charset: HeaderCharset } {
  const bytes = raw.subarray(start, end);
  if (isAscii(bytes)) return { text: bytes.toString("latin1"), charset: "latin1" };
  try {
    return { text: UTF8_STRICT.decode(bytes), charset: "utf8" };
  } catch {
    return { text: bytes.toString("latin1"), charset: "latin1" };
  }
}

/** Splits a header block into fields. Lines that are neither a field nor a continuation are skipped. */
export function parseHeaderFields(text: string): HeaderField[] {
  const fields: HeaderField[] = [];
  let current: HeaderField | null = null;
  let pos = 0;
  const length = text.length;
  while (pos < length) {
    let lineEnd = text.indexOf("\n", pos);
    const next = lineEnd < 0 ? length : lineEnd + 1;
    if (lineEnd < 0) lineEnd = length;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    const first = text.charCodeAt(pos);
    if (first === 32 || first === 9) {
      if (current) current.value += text.slice(pos, lineEnd);
    } else {
      const colon = text.indexOf(":", pos);
      if (colon >= 0 && colon < lineEnd) {
        current = {
          name: text.slice(pos, colon).trim().toLowerCase(),
          value: text.slice(colon + 1, lineEnd),
        };
        fields.push(current);
      } else {
        current = null;
      }
    }
    pos = next;
  }
  return fields;
}

/** The first field of that (lower-case) name, trimmed, or null: RFC 2045 and IMAP use the first occurrence. */
export function firstHeader(fields: readonly HeaderField[], name: string): string | null {
  for (const field of fields) if (field.name === name) return field.value.trim();
  return null;
}

// Response data (RFC 3501 §4, §9): NIL, numbers, atoms, strings and parenthesised lists, written as bytes.
// A string goes out quoted when it can be, as a literal when it holds CR, LF, NUL, 8-bit bytes (unless
// UTF-8 is enabled) or is long.

import { isUtf8 } from "node:buffer";

export type ImapValue =
  | null
  | number
  | ImapValue[]
  /** A string: quoted or literal as its bytes need. */
  | string
  | Buffer
  /** Written as is: atoms, flags, `BODY[1.2]<0>` keys, response-code text. */
  | { atom: string }
  /** Always a literal (BODY[] data). */
  | { literal: Buffer };

/** Strings longer than this go out as literals (quoted strings must stay on one line; long lines hurt). */
const MAX_QUOTED_BYTES = 1024;

export interface FormatOptions {
  /** UTF8=ACCEPT enabled (RFC 6855): 8-bit UTF-8 may be quoted. */
  utf8?: boolean;
}

export const atom = (text: string): { atom: string } => ({ atom: text });

/** Serialises one value (and, for a list, everything in it) to bytes. */
export function formatValue(value: ImapValue, options: FormatOptions = {}): Buffer {
  const out: Buffer[] = [];
  write(value, out, options);
  return out.length === 1 ? out[0] : Buffer.concat(out);
}

/** Serialises values separated by spaces (the attributes of a FETCH response, say). */
export function formatValues(values: ImapValue[], options: FormatOptions = {}): Buffer {
  const out: Buffer[] = [];
  values.forEach((v, i) => {
    if (i > 0) out.push(SPACE);
    write(v, out, options);
  });
  return Buffer.concat(out);
}

const SPACE = Buffer.from(" ");
const NIL = Buffer.from("NIL");
const OPEN = Buffer.from("(");
const CLOSE = Buffer.from(")");

/** Appends one value's pieces to `out`: a caller building a larger response concatenates once at its end. */
export function writeValue(value: ImapValue, out: Buffer[], options: FormatOptions = {}): void {
  write(value, out, options);
}

function write(value: ImapValue, out: Buffer[], options: FormatOptions): void {
  if (value === null) out.push(NIL);
  else if (typeof value === "number") out.push(Buffer.from(String(value)));
  else if (Array.isArray(value)) {
    out.push(OPEN);
    value.forEach((v, i) => {
      if (i > 0) out.push(SPACE);
      write(v, out, options);
    });
    out.push(CLOSE);
  } else if (typeof value === "string") writeText(value, out, options);
  else if (Buffer.isBuffer(value)) writeString(value, out, options);
  else if ("atom" in value) out.push(Buffer.from(value.atom, "utf8"));
  else out.push(Buffer.from(`{${value.literal.length}}\r\n`), value.literal);
}

/**
 * A string of printable ASCII (most header fields) is quoted straight from the text: its bytes are its characters,
 * so it is quotable whatever the options, and the round trip through bytes (a FETCH ENVELOPE of 2,000 messages
 * writes ~30,000 strings) is skipped. Anything else goes through its UTF-8 bytes.
 */
function writeText(text: string, out: Buffer[], options: FormatOptions): void {
  if (text.length <= MAX_QUOTED_BYTES && isQuotableAscii(text))
    out.push(Buffer.from(`"${text.replace(/["\\]/g, "\\$&")}"`, "latin1"));
  else writeString(Buffer.from(text, "utf8"), out, options);
}

function isQuotableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0 || c === 0x0a || c === 0x0d || c >= 0x80) return false;
  }
  return true;
}

function writeString(bytes: Buffer, out: Buffer[], options: FormatOptions): void {
  if (quotable(bytes, options)) {
    const escaped = bytes.toString(options.utf8 ? "utf8" : "latin1").replace(/["\\]/g, "\\$&");
    out.push(Buffer.from(`"${escaped}"`, options.utf8 ? "utf8" : "latin1"));
  } else out.push(Buffer.from(`{${bytes.length}}\r\n`), bytes);
}

function quotable(bytes: Buffer, options: FormatOptions): boolean {
  if (bytes.length > MAX_QUOTED_BYTES) return false;
  if (options.utf8 && !isUtf8(bytes)) return false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0 || b === 0x0a || b === 0x0d) return false;
    if (b >= 0x80 && !options.utf8) return false;
  }
  return true;
}

// Text from bytes in a declared charset, and RFC 2047 encoded words, through libmime (iconv-lite underneath).
// Both never throw: a bad charset or encoded word in one message must not fail its delivery.
import libmime from "libmime";
import { decode as decodeWithCharset } from "libmime/lib/charset.js";

const UTF8_NAMES = /^(?:utf-?8|(?:us-)?ascii|7bit|8bit)$/i;
const LATIN1_NAMES = /^(?:iso[-_ ]?8859-1|latin-?1|l1|iso-ir-100|cp819)$/i;
const WINDOWS_1252_NAMES = /^(?:windows-1252|cp-?1252|x-cp1252)$/i;
// windows-1252 is Latin-1 but for 0x80-0x9F. Node 20's TextDecoder("windows-1252") returns those as C1
// controls, so they are mapped here (the five undefined bytes stay as they are, as WHATWG says).
const CP1252_HIGH =
  "\u20ac\x81\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\x8d\u017d\x8f" +
  "\x90\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\x9d\u017e\u0178";
const C1 = /[\x80-\x9f]/g;
function decodeWindows1252(data: Buffer): string {
  return data.toString("latin1").replace(C1, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]);
}

/** Bytes to text in the given charset (unknown or missing charset: UTF-8, invalid bytes become U+FFFD). */
export function decodeCharset(data: Buffer, charset: string | null | undefined): string {
  // The charsets most mail uses decode natively; iconv-lite's JavaScript decoders are several times slower.
  if (!charset || UTF8_NAMES.test(charset)) return data.toString("utf8");
  // ISO-8859-1 as windows-1252 (as browsers and iconv-lite read it): senders label cp1252 quotes and dashes so.
  if (LATIN1_NAMES.test(charset) || WINDOWS_1252_NAMES.test(charset)) return decodeWindows1252(data);
  try {
    return decodeWithCharset(data, charset);
  } catch {
    return data.toString("utf8");
  }
}

/** Decodes RFC 2047 encoded words in a header value; text without them is returned as is. */
export function decodeWords(value: string): string {
  if (!value.includes("=?")) return value;
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

// Text from bytes in a declared charset, and RFC 2047 encoded words, through libmime (iconv-lite underneath).
// Both never throw: a bad charset or encoded word in one message must not fail its delivery.
import libmime from "libmime";
import { decode as decodeWithCharset } from "libmime/lib/charset.js";

const UTF8_NAMES = /^(?:utf-?8|(?:us-)?ascii|7bit|8bit)$/i;
const LATIN1_NAMES = /^(?:iso[-_ ]?8859-1|latin-?1|l1|iso-ir-100|cp819)$/i;
const WINDOWS_1252_NAMES = /^(?:windows-1252|cp-?1252|x-cp1252)$/i;
const WINDOWS_1252 = new TextDecoder("windows-1252");

/** Bytes to text in the given charset (unknown or missing charset: UTF-8, invalid bytes become U+FFFD). */
export function decodeCharset(data: Buffer, charset: string | null | undefined): string {
  // The charsets most mail uses decode natively; iconv-lite's JavaScript decoders are several times slower.
  if (!charset || UTF8_NAMES.test(charset)) return data.toString("utf8");
  if (LATIN1_NAMES.test(charset)) return data.toString("latin1");
  if (WINDOWS_1252_NAMES.test(charset)) return WINDOWS_1252.decode(data);
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

// What IMAP SEARCH reads of a message's header, computed once at delivery (RFC 3501 §6.4.4): the decoded header
// lines for HEADER, FROM, TO, CC, BCC, SUBJECT and TEXT, and the day the Date header names for SENTBEFORE/ON/SINCE.
import { decodeWords } from "./charset.js";
import type { HeaderField } from "./header-block.js";
import { parseDate } from "./message-headers.js";

/** The search header text stops here (a header block of Received lines can be large; matches past it are lost). */
export const SEARCH_HEADERS_MAX_CHARS = 64 * 1024;

const DAY_MS = 86_400_000;

/**
 * Every top-level field as `name: decoded value`, one per line, lower-cased: the store matches a lower-cased
 * needle against it as a substring, within one field's line for HEADER and the address keys.
 */
export function searchHeaders(fields: readonly HeaderField[]): string {
  let out = "";
  for (const field of fields) {
    if (out.length >= SEARCH_HEADERS_MAX_CHARS) break;
    const value = decodeWords(field.value)
      .replace(/[\r\n]+/g, " ")
      .trim();
    out += `${out ? "\n" : ""}${field.name}: ${value}`;
  }
  return out.slice(0, SEARCH_HEADERS_MAX_CHARS).toLowerCase();
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/**
 * The date a Date header names, disregarding its time and zone (RFC 3501 SENT*), as days since 1970-01-01: the
 * day, month and year as written; when they cannot be read, the UTC day of the parsed time; null when neither.
 */
export function writtenDay(value: string | null): number | null {
  if (!value) return null;
  const m = /(\d{1,2})\s+([a-z]{3})[a-z]*\s+(\d{2,4})\b/i.exec(value.replace(/\([^)]*\)/g, " "));
  if (m) {
    const month = MONTHS.indexOf(m[2].toLowerCase());
    let year = Number(m[3]);
    // RFC 5322 §4.3: two-digit years below 50 are 20xx, others 19xx; three digits add 1900.
    if (m[3].length === 2) year += year < 50 ? 2000 : 1900;
    else if (m[3].length === 3) year += 1900;
    const day = Number(m[1]);
    if (month >= 0 && day >= 1 && day <= 31) return Math.floor(Date.UTC(year, month, day) / DAY_MS);
  }
  const parsed = parseDate(value);
  return parsed ? Math.floor(parsed.getTime() / DAY_MS) : null;
}

// IMAP SEARCH / SORT criteria (ports.ts MessageQuery) as SQL over the messages table of one mailbox.
import type { Database } from "better-sqlite3";
import type { ColumnOrder, MessageQuery, UidRange } from "../ports.js";

const DAY_MS = 86_400_000;
/** More UID ranges than this go to SQLite as one JSON parameter (a statement takes at most 32,766). */
const INLINE_RANGES = 32;

/** The columns that stand in for a field's header lines on rows stored before search_headers existed. */
const LEGACY_COLUMNS: Record<string, string> = {
  subject: "subject",
  from: "addr_from",
  to: "addr_to",
  cc: "addr_cc",
  bcc: "addr_bcc",
};

const ORDER_COLUMNS: Record<ColumnOrder["key"], string> = {
  arrival: "internal_date",
  date: "sent_date",
  size: "size",
};

/** The WHERE clause (without the mailbox) and its values. */
export function buildMailboxQuery(q: MessageQuery): { where: string; values: unknown[] } {
  const values: unknown[] = [];
  const where = clause(q, values);
  return { where, values };
}

/** ORDER BY for SORT's column keys; equal keys go by UID, ascending (RFC 5256 §3: by sequence number). */
export function buildOrder(order: readonly ColumnOrder[]): string {
  return [...order.map((o) => `${ORDER_COLUMNS[o.key]}${o.reverse ? " DESC" : ""}`), "uid"].join(", ");
}

/** Registers the SQL functions the clauses call; once per connection. */
export function registerQueryFunctions(db: Database): void {
  db.function("imap_header_has", { deterministic: true }, (headers, name, needle) =>
    headerHas(String(headers ?? ""), String(name), String(needle)) ? 1 : 0,
  );
}

/** Whether one of the `name:` lines of the lower-cased header text holds `needle` after its colon. */
export function headerHas(headers: string, name: string, needle: string): boolean {
  const prefix = `${name}: `;
  for (let at = 0; at < headers.length;) {
    const end = headers.indexOf("\n", at);
    const lineEnd = end < 0 ? headers.length : end;
    if (headers.startsWith(prefix, at)) {
      const value = headers.slice(at + prefix.length, lineEnd);
      if (value.includes(needle)) return true;
    }
    at = lineEnd + 1;
  }
  return false;
}

function clause(q: MessageQuery, values: unknown[]): string {
  switch (q.kind) {
    case "all":
      return "1";
    case "and":
      return q.of.length === 0 ? "1" : `(${q.of.map((c) => clause(c, values)).join(" AND ")})`;
    case "or":
      return q.of.length === 0 ? "0" : `(${q.of.map((c) => clause(c, values)).join(" OR ")})`;
    case "not":
      return `NOT ${clause(q.of, values)}`;
    case "uid":
      return uidClause(q.ranges, values);
    case "flag":
      if (q.flag === "\\Seen") return "seen = 1";
      // Flags are stored as a JSON array of strings: the flag's JSON form, quotes included, is found only as itself.
      values.push(JSON.stringify(q.flag));
      return "instr(flags, ?) > 0";
    case "header": {
      values.push(q.name, q.value);
      const column = LEGACY_COLUMNS[q.name];
      if (!column) return "imap_header_has(search_headers, ?, ?)";
      // A row stored before search_headers existed has '': its subject and address columns stand in.
      values.push(q.value);
      return `(imap_header_has(search_headers, ?, ?) OR (search_headers = '' AND instr(lower(${column}), ?) > 0))`;
    }
    case "body":
      values.push(q.value);
      return "instr(search_text, ?) > 0";
    case "text": {
      values.push(q.value, q.value, ...Object.values(LEGACY_COLUMNS).map(() => q.value));
      const legacy = Object.values(LEGACY_COLUMNS)
        .map((c) => `instr(lower(${c}), ?) > 0`)
        .join(" OR ");
      return `(instr(search_headers, ?) > 0 OR instr(search_text, ?) > 0 OR (search_headers = '' AND (${legacy})))`;
    }
    case "internalDate":
      values.push(q.at.getTime());
      return q.op === "before" ? "internal_date < ?" : "internal_date >= ?";
    case "sentDay": {
      values.push(q.day);
      // Rows stored before sent_day existed fall back to the UTC day of their sent date.
      const day = `coalesce(sent_day, sent_date / ${DAY_MS})`;
      return `${day} ${q.op === "before" ? "<" : q.op === "on" ? "=" : ">="} ?`;
    }
    case "size":
      values.push(q.bytes);
      return q.op === "larger" ? "size > ?" : "size < ?";
    case "modseq":
      values.push(q.min);
      return "modseq >= ?";
  }
}

function uidClause(ranges: readonly UidRange[], values: unknown[]): string {
  if (ranges.length === 0) return "0";
  if (ranges.length <= INLINE_RANGES) {
    for (const r of ranges) values.push(r.from, r.to);
    return `(${ranges.map(() => "uid BETWEEN ? AND ?").join(" OR ")})`;
  }
  values.push(JSON.stringify(ranges.map((r) => [r.from, r.to])));
  return "EXISTS (SELECT 1 FROM json_each(?) AS r WHERE uid BETWEEN r.value ->> 0 AND r.value ->> 1)";
}

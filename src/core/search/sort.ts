// RFC 5256 §3 SORT: the order of messages by a list of keys, each ascending or REVERSE; messages equal on
// every key keep mailbox order (UID ascending, which is sequence-number order).
import { baseSubject } from "../../mime/index.js";
import type { AddressValue, ColumnOrder, SortFields } from "../../storage/ports.js";

export type SortKey = "arrival" | "cc" | "date" | "from" | "size" | "subject" | "to";

export interface SortCriterion {
  key: SortKey;
  reverse: boolean;
}

const COLUMN_KEYS = new Set<SortKey>(["arrival", "date", "size"]);

/** The criteria as the store's column order, when every key is a column the store sorts by itself. */
export function columnOrder(criteria: readonly SortCriterion[]): ColumnOrder[] | null {
  if (!criteria.every((c) => COLUMN_KEYS.has(c.key))) return null;
  return criteria.map((c) => ({ key: c.key as ColumnOrder["key"], reverse: c.reverse }));
}

/** The UIDs of `rows` in the criteria's order (for keys the store has no column for). */
export function sortRows(rows: readonly SortFields[], criteria: readonly SortCriterion[]): number[] {
  const keyed = rows.map((row) => ({ uid: row.uid, keys: criteria.map((c) => sortValue(row, c.key)) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < criteria.length; i++) {
      const d = compare(a.keys[i], b.keys[i]);
      if (d !== 0) return criteria[i].reverse ? -d : d;
    }
    return a.uid - b.uid;
  });
  return keyed.map((k) => k.uid);
}

function sortValue(row: SortFields, key: SortKey): string | number {
  switch (key) {
    case "arrival":
      return row.internalDate.getTime();
    case "date":
      return row.sentDate.getTime();
    case "size":
      return row.size;
    case "subject":
      return baseSubject(row.subject).key;
    case "from":
      return mailboxPart(row.from);
    case "to":
      return mailboxPart(row.to);
    case "cc":
      return mailboxPart(row.cc);
  }
}

/**
 * RFC 5256: the addr-mailbox (local part) of the first address, compared with i;ascii-casemap (ASCII letters
 * folded, then octet order); "" when there is none.
 */
function mailboxPart(addresses: readonly AddressValue[]): string {
  const address = addresses.find((a) => a.address)?.address ?? "";
  const at = address.lastIndexOf("@");
  return (at >= 0 ? address.slice(0, at) : address).replace(/[a-z]+/g, (s) => s.toUpperCase());
}

function compare(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

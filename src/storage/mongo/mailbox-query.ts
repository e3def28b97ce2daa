// IMAP SEARCH / SORT criteria (ports.ts MessageQuery) as a MongoDB filter over one mailbox's messages. Only
// operators FerretDB v1 has too: $and, $or, $nor, comparisons, and $regex on escaped input.
import type { Filter } from "mongodb";
import type { ColumnOrder, MessageQuery } from "../ports.js";
import type { MessageDoc } from "./records.js";
import { escapeRegex } from "./search.js";

const DAY_MS = 86_400_000;
/** Matches nothing (an empty OR): no message has UID 0. */
const NOTHING: Filter<MessageDoc> = { uid: { $lt: 1 } };

/** Documents stored before searchHeaders existed (or stored without it). */
const WITHOUT_HEADERS: Filter<MessageDoc> = {
  $or: [{ searchHeaders: { $exists: false } }, { searchHeaders: "" }],
};
const LEGACY_FIELDS = ["subject", "from", "to", "cc", "bcc"] as const;

/** On a document without search headers, the subject or address fields stand in for the field's header lines. */
function legacyMatch(name: string, value: string): Filter<MessageDoc> | null {
  const re = { $regex: escapeRegex(value), $options: "i" };
  if (name === "subject") return { subject: re };
  if (name === "from" || name === "to" || name === "cc" || name === "bcc")
    return { $or: [{ [`${name}.address`]: re }, { [`${name}.name`]: re }] };
  return null;
}

const ORDER_FIELDS: Record<ColumnOrder["key"], string> = {
  arrival: "internalDate",
  date: "sentDate",
  size: "size",
};

export function buildMailboxFilter(q: MessageQuery): Filter<MessageDoc> {
  switch (q.kind) {
    case "all":
      return {};
    case "and":
      return q.of.length === 0 ? {} : { $and: q.of.map(buildMailboxFilter) };
    case "or":
      return q.of.length === 0 ? NOTHING : { $or: q.of.map(buildMailboxFilter) };
    case "not":
      return { $nor: [buildMailboxFilter(q.of)] };
    case "uid":
      return q.ranges.length === 0
        ? NOTHING
        : { $or: q.ranges.map((r) => ({ uid: { $gte: r.from, $lte: r.to } })) };
    case "flag":
      return { flags: q.flag };
    case "header": {
      // The stored header text is lower-cased, one `name: value` a line; the needle must follow the name's colon.
      const lines = {
        searchHeaders: { $regex: `(^|\n)${escapeRegex(q.name)}: [^\n]*${escapeRegex(q.value)}` },
      };
      const legacy = legacyMatch(q.name, q.value);
      return legacy ? { $or: [lines, { $and: [WITHOUT_HEADERS, legacy] }] } : lines;
    }
    case "body":
      return { searchText: { $regex: escapeRegex(q.value) } };
    case "text":
      return {
        $or: [
          { searchHeaders: { $regex: escapeRegex(q.value) } },
          { searchText: { $regex: escapeRegex(q.value) } },
          { $and: [WITHOUT_HEADERS, { $or: LEGACY_FIELDS.map((name) => legacyMatch(name, q.value)!) }] },
        ],
      };
    case "internalDate":
      return { internalDate: q.op === "before" ? { $lt: q.at } : { $gte: q.at } };
    case "sentDay": {
      const op = q.op === "before" ? "$lt" : q.op === "on" ? "$eq" : "$gte";
      // Documents stored before sentDay existed fall back to the UTC day of their sent date.
      const start = new Date(q.day * DAY_MS);
      const end = new Date((q.day + 1) * DAY_MS);
      const bySentDate =
        q.op === "before"
          ? { sentDate: { $lt: start } }
          : q.op === "on"
            ? { sentDate: { $gte: start, $lt: end } }
            : { sentDate: { $gte: start } };
      return { $or: [{ sentDay: { [op]: q.day } }, { sentDay: { $exists: false }, ...bySentDate }] };
    }
    case "size":
      return { size: q.op === "larger" ? { $gt: q.bytes } : { $lt: q.bytes } };
    case "modseq":
      return { modseq: { $gte: q.min } };
  }
}

/** The sort document for SORT's column keys; equal keys go by UID, ascending. */
export function buildMailboxSort(order: readonly ColumnOrder[]): Record<string, 1 | -1> {
  const sort: Record<string, 1 | -1> = {};
  for (const o of order) if (!(ORDER_FIELDS[o.key] in sort)) sort[ORDER_FIELDS[o.key]] = o.reverse ? -1 : 1;
  sort.uid = 1;
  return sort;
}

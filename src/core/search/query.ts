// The search criteria tree as the core takes it from a front end (IMAP SEARCH, SORT, THREAD): checked and
// put in the form the stores evaluate (text needles lower-cased, UID ranges merged).
import type { MessageQuery, UidRange } from "../../storage/ports.js";
import { invalidInput } from "../errors.js";

export type { MessageQuery };

/**
 * Deeper trees are refused, counted after nested ANDs in an AND (ORs in an OR) are flattened: each level is two
 * levels of a MongoDB filter document, which may nest at most 100.
 */
export const MAX_QUERY_DEPTH = 32;
/** Keys in one query, counting every node. */
export const MAX_QUERY_NODES = 1000;
/** UID ranges in one query, over all its UID keys. */
export const MAX_QUERY_RANGES = 100_000;
/** A text key's string, in characters. */
export const MAX_QUERY_TEXT = 1000;
const MAX_UID = 2 ** 32 - 1;

/** A checked copy of the query, as the stores take it; an invalid one throws INVALID_INPUT. */
export function normalizeQuery(query: MessageQuery): MessageQuery {
  const budget = { nodes: 0, ranges: 0 };
  return normalize(query, 0, budget);
}

function normalize(q: MessageQuery, depth: number, budget: { nodes: number; ranges: number }): MessageQuery {
  if (depth > MAX_QUERY_DEPTH)
    throw invalidInput(`The search is nested deeper than ${MAX_QUERY_DEPTH} levels.`);
  if (++budget.nodes > MAX_QUERY_NODES)
    throw invalidInput(`The search has more than ${MAX_QUERY_NODES} keys.`);
  switch (q.kind) {
    case "all":
    case "flag":
      return q;
    case "and":
    case "or": {
      // An OR chain (OR a OR b c) is one OR of three: as deep as the client wrote it, not as IMAP nests it.
      const of: MessageQuery[] = [];
      for (const c of q.of) {
        const n = normalize(c, c.kind === q.kind ? depth : depth + 1, budget);
        if (n.kind === q.kind) of.push(...n.of);
        else of.push(n);
      }
      return { kind: q.kind, of };
    }
    case "not":
      return { kind: "not", of: normalize(q.of, depth + 1, budget) };
    case "uid": {
      budget.ranges += q.ranges.length;
      if (budget.ranges > MAX_QUERY_RANGES)
        throw invalidInput(`The search names more than ${MAX_QUERY_RANGES} UID ranges.`);
      return { kind: "uid", ranges: mergeRanges(q.ranges) };
    }
    case "header":
      if (!/^[\x21-\x39\x3b-\x7e]+$/.test(q.name))
        throw invalidInput(`"${q.name}" is not a header field name.`);
      return { kind: "header", name: q.name.toLowerCase(), value: needle(q.value) };
    case "body":
    case "text":
      return { kind: q.kind, value: needle(q.value) };
    case "internalDate":
      if (Number.isNaN(q.at.getTime())) throw invalidInput("The search date is not a valid date.");
      return q;
    case "sentDay":
      if (!Number.isSafeInteger(q.day)) throw invalidInput(`Day ${q.day} is not a whole number.`);
      return q;
    case "size":
      if (!Number.isSafeInteger(q.bytes) || q.bytes < 0)
        throw invalidInput(`Size ${q.bytes} is not a whole number of bytes.`);
      return q;
    case "modseq":
      if (!Number.isSafeInteger(q.min) || q.min < 0)
        throw invalidInput(`Modseq ${q.min} is not a whole number.`);
      return q;
  }
}

function needle(value: string): string {
  if (value.length > MAX_QUERY_TEXT)
    throw invalidInput(
      `The search string is ${value.length} characters long; at most ${MAX_QUERY_TEXT} are allowed.`,
    );
  return value.toLowerCase();
}

/** Sorted, overlapping and adjacent ranges joined, each checked. */
export function mergeRanges(ranges: readonly UidRange[]): UidRange[] {
  const sorted = ranges
    .map((r) => {
      for (const uid of [r.from, r.to])
        if (!Number.isInteger(uid) || uid < 1 || uid > MAX_UID)
          throw invalidInput(`UID ${uid} is not a whole number from 1 to ${MAX_UID}.`);
      return r.from <= r.to ? { from: r.from, to: r.to } : { from: r.to, to: r.from };
    })
    .sort((a, b) => a.from - b.from);
  const merged: UidRange[] = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else merged.push(r);
  }
  return merged;
}

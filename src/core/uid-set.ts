// UID sets as the core takes them: the IMAP session resolves `*` and sequence numbers, the core sees UIDs only.
import type { UidRange } from "../storage/ports.js";
import { invalidInput } from "./errors.js";

export type { UidRange };

/** Single UIDs and inclusive ranges, in any order, overlapping or not (`1,3:5,4:9`). */
export type UidSet = ReadonlyArray<number | UidRange>;

/** The most separate ranges one call takes (a set like 1,3,5,... is one range per UID). */
export const MAX_UID_SET_RANGES = 10_000;
const MAX_UID = 2 ** 32 - 1; // RFC 3501 §2.3.1.1: a UID is a 32-bit number

/** Sorted, merged ranges (adjacent ones joined); refuses UID 0, non-integers and UIDs past 2^32-1. */
export function normalizeUidSet(set: UidSet): UidRange[] {
  if (set.length > MAX_UID_SET_RANGES)
    throw invalidInput(`The UID set has ${set.length} ranges; at most ${MAX_UID_SET_RANGES} are allowed.`);
  const ranges = set.map((item) => {
    const r = typeof item === "number" ? { from: item, to: item } : item;
    for (const uid of [r.from, r.to])
      if (!Number.isInteger(uid) || uid < 1 || uid > MAX_UID)
        throw invalidInput(`UID ${uid} is not a whole number from 1 to ${MAX_UID}.`);
    return r.from <= r.to ? { from: r.from, to: r.to } : { from: r.to, to: r.from };
  });
  ranges.sort((a, b) => a.from - b.from);
  const merged: UidRange[] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else merged.push({ ...r });
  }
  return merged;
}

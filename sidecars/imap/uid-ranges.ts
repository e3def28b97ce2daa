// UID lists as IMAP writes them (`1:3,7,9:12`, RFC 3501 sequence-set) and as the core takes them (ranges).
import type { UidRange } from "../../src/core/index.js";

/** Ascending UIDs as runs of consecutive numbers. */
export function uidRuns(uids: readonly number[]): UidRange[] {
  const runs: UidRange[] = [];
  for (const uid of uids) {
    const last = runs[runs.length - 1];
    if (last && uid === last.to + 1) last.to = uid;
    else runs.push({ from: uid, to: uid });
  }
  return runs;
}

/** Ascending UIDs as a sequence-set: `1:3,7` (COPYUID, VANISHED, MODIFIED). */
export function compactUidSet(uids: readonly number[]): string {
  return uidRuns(uids)
    .map((r) => (r.from === r.to ? String(r.from) : `${r.from}:${r.to}`))
    .join(",");
}

/** At most this many ranges per core call (the core's MAX_UID_SET_RANGES). */
const MAX_RANGES_PER_CALL = 10_000;

/** Ascending UIDs as UID sets the core takes, each within its cap on ranges. */
export function uidChunks(uids: readonly number[]): UidRange[][] {
  const runs = uidRuns(uids);
  const out: UidRange[][] = [];
  for (let i = 0; i < runs.length; i += MAX_RANGES_PER_CALL) out.push(runs.slice(i, i + MAX_RANGES_PER_CALL));
  return out;
}

/**
 * The UIDs of `ranges` up to `last` that are not in `present` (ascending), as a sequence-set, or "" when none:
 * QRESYNC's VANISHED (EARLIER) when the journal no longer reaches back (RFC 7162 §3.2.5.2). Works on ranges, so
 * a client's `1:4294967295` costs no more than the mailbox's size.
 */
export function missingUidSet(ranges: readonly UidRange[], present: readonly number[], last: number): string {
  const merged: UidRange[] = [];
  for (const r of ranges
    .map((r) => ({ from: Math.min(r.from, r.to), to: Math.min(Math.max(r.from, r.to), last) }))
    .filter((r) => r.from <= r.to)
    .sort((a, b) => a.from - b.from)) {
    const top = merged[merged.length - 1];
    if (top && r.from <= top.to + 1) top.to = Math.max(top.to, r.to);
    else merged.push(r);
  }
  const parts: string[] = [];
  let p = 0;
  for (const r of merged) {
    let from = r.from;
    while (p < present.length && present[p] < from) p++;
    while (from <= r.to) {
      const stop = p < present.length && present[p] <= r.to ? present[p] - 1 : r.to;
      if (stop >= from) parts.push(stop === from ? String(from) : `${from}:${stop}`);
      from = stop + 2;
      if (p < present.length && present[p] <= r.to) p++;
    }
  }
  return parts.join(",");
}

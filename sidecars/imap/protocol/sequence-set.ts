// RFC 3501 sequence-set (`1:3,5,7:*`, RFC 9051 §9): parsed once, resolved against the selected mailbox.
// A sequence-number set names positions; a UID set names UIDs, and `*` is the largest one in the mailbox.
import { BadArguments } from "./request.js";

/** One range as sent; `null` is `*`. `from` may be larger than `to` (`5:2` is `2:5`). */
export interface SetRange {
  from: number | null;
  to: number | null;
}

const MAX_NUMBER = 2 ** 32 - 1;
/** The most ranges one set may have (a client listing every other UID of a 100,000 mailbox stays under). */
export const MAX_SET_RANGES = 100_000;

export function parseSequenceSet(text: string): SetRange[] {
  const parts = text.split(",");
  if (parts.length > MAX_SET_RANGES)
    throw new BadArguments(
      `The sequence set has ${parts.length} ranges; at most ${MAX_SET_RANGES} are allowed.`,
    );
  return parts.map((part) => {
    const bounds = part.split(":");
    if (bounds.length > 2) throw new BadArguments(`Bad sequence set "${text}".`);
    const from = bound(bounds[0], text);
    return { from, to: bounds.length === 2 ? bound(bounds[1], text) : from };
  });
}

function bound(text: string, whole: string): number | null {
  if (text === "*") return null;
  if (!/^[1-9]\d{0,9}$/.test(text) || Number(text) > MAX_NUMBER)
    throw new BadArguments(`Bad sequence set "${whole}": "${text}" is not a number from 1 to ${MAX_NUMBER}.`);
  return Number(text);
}

/** Whether the text looks like a sequence set (SEARCH tells a set key from other keys by it). */
export function isSequenceSet(text: string): boolean {
  return /^(\d+|\*)(:(\d+|\*))?(,(\d+|\*)(:(\d+|\*))?)*$/.test(text);
}

/**
 * The positions (1-based, ascending, no repeats) a sequence-number set names in a mailbox of `count`
 * messages. RFC 3501 §6.4.8 makes a number past the end an error: `outOfRange` tells the caller (BAD).
 */
export function resolveSequenceNumbers(
  set: SetRange[],
  count: number,
): { seqs: number[]; outOfRange: boolean } {
  let outOfRange = false;
  const wanted = new Set<number>();
  for (const r of set) {
    const a = r.from ?? count;
    const b = r.to ?? count;
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    if (hi > count) outOfRange = true;
    for (let n = Math.max(lo, 1); n <= Math.min(hi, count); n++) wanted.add(n);
  }
  return { seqs: [...wanted].sort((x, y) => x - y), outOfRange };
}

/**
 * The UIDs a UID set names among `uids` (ascending, the mailbox's UIDs). `*` is the largest UID, so `N:*`
 * names the last message even when N is above it (RFC 3501 §6.4.8). UIDs that do not exist are skipped.
 */
export function resolveUids(set: SetRange[], uids: readonly number[]): number[] {
  const last = uids.length > 0 ? uids[uids.length - 1] : 0;
  const ranges = set
    .map((r) => {
      const a = r.from ?? last;
      const b = r.to ?? last;
      return { lo: Math.min(a, b), hi: Math.max(a, b) };
    })
    .sort((x, y) => x.lo - y.lo);
  const out: number[] = [];
  let next = 0; // uids before this index are already taken
  for (const r of ranges) {
    let i = Math.max(next, lowerBound(uids, r.lo));
    for (; i < uids.length && uids[i] <= r.hi; i++) out.push(uids[i]);
    next = Math.max(next, i);
  }
  return out;
}

/** The first index whose UID is at least `uid`. */
function lowerBound(uids: readonly number[], uid: number): number {
  let lo = 0;
  let hi = uids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (uids[mid] < uid) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

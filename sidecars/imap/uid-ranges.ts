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

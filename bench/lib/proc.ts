// What /proc says about a server under test: its memory and the CPU time it has used, for one process or a
// process tree (Dovecot runs one process per session).
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc's CPU times (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** A process's resident set (VmRSS) in MB. */
export function rssMB(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return kb ? Math.round(Number(kb[1]) / 102.4) / 10 : 0;
}

/** The summed PSS of processes in MB: shared pages count once, split between those sharing them. */
export function pssMB(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      kb += Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return Math.round(kb / 102.4) / 10;
}

/**
 * CPU seconds (user + system) used by `pid` and everything under it: the live processes' own time plus what
 * their exited children left to them (cutime + cstime), so a session process that ended still counts.
 */
export function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of descendants(pid)) {
    const f = statFields(p);
    if (f) ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  }
  return ticks / TICKS_PER_SECOND;
}

/** `pid` and all its descendants. */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(Number(entry));
    if (f) parentOf.set(Number(entry), Number(f[1]));
  }
  const all = [pid];
  for (let i = 0; i < all.length; i++)
    for (const [child, parent] of parentOf) if (parent === all[i]) all.push(child);
  return all;
}

/** /proc/PID/stat's fields after the command name (field 3, the state, is [0]), or null when it is gone. */
function statFields(pid: number): string[] | null {
  try {
    // The command name in parentheses may hold spaces: the fields after its closing one are fixed.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** The summed RSS of processes in MB (shared pages counted once per process that maps them). */
export function rssSumMB(pids: number[]): number {
  let mb = 0;
  for (const pid of pids) {
    try {
      mb += rssMB(pid);
    } catch {
      // gone meanwhile
    }
  }
  return Math.round(mb * 10) / 10;
}

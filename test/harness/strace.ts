// Reads the output of `strace -f -y -o FILE`: one record per system call, with where it started and where it
// finished in the trace (a call another thread interrupted is split into "<unfinished ...>" and "resumed"
// lines), so a test can check the order in which a process made its calls.
import { spawnSync } from "node:child_process";

export interface Syscall {
  pid: number;
  name: string;
  /** The arguments as strace printed them; with -y every fd carries its path: `7</data/eider.sqlite-wal>`. */
  args: string;
  result: string;
  /** Line numbers of the call's start and of its completion (equal unless it was interrupted). */
  start: number;
  end: number;
}

const COMPLETE = /^(\d+)\s+(\w+)\((.*)\)\s+=\s+(.*)$/;
const UNFINISHED = /^(\d+)\s+(\w+)\((.*) <unfinished \.\.\.>$/;
const RESUMED = /^(\d+)\s+<\.\.\. (\w+) resumed>(.*)\)\s+=\s+(.*)$/;

export function parseStrace(text: string): Syscall[] {
  const calls: Syscall[] = [];
  const pending = new Map<string, { args: string; start: number }>();
  text.split("\n").forEach((line, i) => {
    let m = UNFINISHED.exec(line);
    if (m) {
      pending.set(`${m[1]} ${m[2]}`, { args: m[3], start: i });
      return;
    }
    m = RESUMED.exec(line);
    if (m) {
      const key = `${m[1]} ${m[2]}`;
      const begun = pending.get(key);
      pending.delete(key);
      calls.push({
        pid: Number(m[1]),
        name: m[2],
        args: (begun?.args ?? "") + m[3],
        result: m[4],
        start: begun?.start ?? i,
        end: i,
      });
      return;
    }
    m = COMPLETE.exec(line);
    if (m) calls.push({ pid: Number(m[1]), name: m[2], args: m[3], result: m[4], start: i, end: i });
  });
  return calls;
}

/** Whether `strace` is installed and may trace here (ptrace can be forbidden in containers). */
export function straceWorks(): boolean {
  const r = spawnSync("strace", ["-f", "-qq", "-e", "trace=fsync", "-o", "/dev/null", "true"]);
  return r.status === 0;
}

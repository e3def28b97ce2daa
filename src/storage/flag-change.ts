import type { FlagChange } from "./ports.js";

/** The flag set after a change (both adapters compute it the same way, then store it). */
export function applyFlagChange(before: string[], change: FlagChange): string[] {
  if (change.op === "set") return [...new Set(change.flags)];
  if (change.op === "add") return [...new Set([...before, ...change.flags])];
  const drop = new Set(change.flags);
  return before.filter((f) => !drop.has(f));
}

export function sameFlags(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((f) => set.has(f));
}

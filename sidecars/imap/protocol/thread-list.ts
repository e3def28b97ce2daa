// The THREAD response's data (RFC 5256 §4): `(1)(2 3 (4)(5))((6)(7))`.
import type { ThreadNode } from "../../../src/core/index.js";

/**
 * Threads as RFC 5256 `thread-list`s. A message with one child continues its list (`2 3`); one with several
 * opens a nested list for each (`3 (4)(5)`); a dummy parent (`uid: null`) is only its children's lists.
 * `number` turns a UID into what the client asked for (a sequence number for THREAD, the UID for UID THREAD).
 */
export function formatThreads(threads: readonly ThreadNode[], number: (uid: number) => number): string {
  const members = (node: ThreadNode): string => {
    const nested = node.children.map((c) => `(${members(c)})`).join("");
    if (node.uid === null) return nested;
    const own = String(number(node.uid));
    if (node.children.length === 0) return own;
    if (node.children.length === 1) return `${own} ${members(node.children[0])}`;
    return `${own} ${nested}`;
  };
  return threads.map((t) => `(${members(t)})`).join("");
}

// Tests only: a command's arguments written as text, turned into the tree the receiver would make.
import type { ImapArg } from "../request.js";

/** The argument tree of a line's arguments: atoms, "quoted" strings, {n}-less literals as [[text]], lists. */
export function args(line: string): ImapArg[] {
  const stack: ImapArg[][] = [[]];
  const re = /\s*(?:(\()|(\))|"((?:[^"\\]|\\.)*)"|\[\[([^\]]*)\]\]|([^\s()"]+))/gy;
  for (let m = re.exec(line); m && m[0] !== ""; m = re.exec(line)) {
    const top = stack[stack.length - 1];
    if (m[1]) stack.push([]);
    else if (m[2]) {
      const items = stack.pop()!;
      stack[stack.length - 1].push({ type: "list", items });
    } else if (m[3] !== undefined)
      top.push({ type: "string", value: Buffer.from(m[3].replace(/\\(.)/g, "$1")), literal: false });
    else if (m[4] !== undefined) top.push({ type: "string", value: Buffer.from(m[4]), literal: true });
    else top.push({ type: "atom", value: m[5] });
  }
  return stack[0];
}

// STORE / UID STORE arguments (RFC 3501 §6.4.6, RFC 7162 §3.1.3):
// sequence-set [(UNCHANGEDSINCE modseq)] (FLAGS | +FLAGS | -FLAGS)[.SILENT] (flag-list | flag *(SP flag)).
import { atomOf, BadArguments, numberOf, type ImapArg } from "../request.js";
import { parseSequenceSet, type SetRange } from "../sequence-set.js";
import { MAX_MODSEQ } from "./select.js";

export interface StoreArguments {
  set: SetRange[];
  unchangedSince: number | null;
  op: "set" | "add" | "remove";
  silent: boolean;
  flags: string[];
}

const ITEMS: Record<string, StoreArguments["op"]> = { FLAGS: "set", "+FLAGS": "add", "-FLAGS": "remove" };
/** Flags a client may store (RFC 3501 §2.3.2); \Recent is the server's alone. */
const SYSTEM_FLAGS = new Map(
  ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"].map((f) => [f.toUpperCase(), f]),
);

export function parseStoreArguments(args: ImapArg[]): StoreArguments {
  const set = parseSequenceSet(atomOf(args[0], "a sequence set"));
  let i = 1;
  let unchangedSince: number | null = null;
  if (args[i]?.type === "list") {
    const modifiers = (args[i++] as { items: ImapArg[] }).items;
    for (let m = 0; m < modifiers.length; m += 2) {
      const name = atomOf(modifiers[m], "a STORE modifier").toUpperCase();
      if (name !== "UNCHANGEDSINCE" || unchangedSince !== null)
        throw new BadArguments(`Unknown or repeated STORE modifier "${name}".`);
      unchangedSince = numberOf(modifiers[m + 1], "UNCHANGEDSINCE", MAX_MODSEQ);
    }
  }
  const item = atomOf(args[i++], "FLAGS, +FLAGS or -FLAGS").toUpperCase();
  const silent = item.endsWith(".SILENT");
  const op = ITEMS[silent ? item.slice(0, -".SILENT".length) : item];
  if (!op) throw new BadArguments(`Unknown STORE item "${item}": expected FLAGS, +FLAGS or -FLAGS.`);
  const values = args.slice(i);
  const raw = values.length === 1 && values[0].type === "list" ? values[0].items : values;
  if (values.length === 0) throw new BadArguments("Expected the flags to store.");
  return { set, unchangedSince, op, silent, flags: raw.map((f) => flagOf(f)) };
}

function flagOf(arg: ImapArg): string {
  const text = atomOf(arg, "a flag");
  if (!text.startsWith("\\")) return text;
  const system = SYSTEM_FLAGS.get(text.toUpperCase());
  if (system) return system;
  if (text.toUpperCase() === "\\RECENT")
    throw new BadArguments("\\Recent is set by the server; it cannot be stored.");
  throw new BadArguments(`"${text}" is not a system flag (\\Answered \\Flagged \\Deleted \\Seen \\Draft).`);
}

// LIST's arguments: RFC 3501 `LIST reference pattern`, and RFC 5258's extended form with selection options,
// several patterns and return options (RFC 6154 SPECIAL-USE, RFC 5819 STATUS, RFC 3348 CHILDREN).
import { decodeMailboxName } from "../mailbox-name.js";
import { BadArguments, atomOf, type ImapArg } from "../request.js";
import { astringBytesOf } from "./mailbox.js";
import { parseStatusItems, type StatusItem } from "./status-items.js";

export type ListSelection = "SUBSCRIBED" | "REMOTE" | "RECURSIVEMATCH" | "SPECIAL-USE";

export interface ListReturn {
  subscribed: boolean;
  children: boolean;
  specialUse: boolean;
  /** RETURN (STATUS (...)): the items of a STATUS response after each selectable mailbox. */
  status: StatusItem[] | null;
}

export interface ListArgs {
  /** Selection options, RETURN options or several patterns were given (RFC 5258 §3). */
  extended: boolean;
  selection: Set<ListSelection>;
  returns: ListReturn;
  reference: string;
  patterns: string[];
}

const SELECTIONS: readonly ListSelection[] = ["SUBSCRIBED", "REMOTE", "RECURSIVEMATCH", "SPECIAL-USE"];

export function parseList(args: ImapArg[], utf8Enabled: boolean): ListArgs {
  let i = 0;
  const selection = new Set<ListSelection>();
  let extended = false;
  if (args[i]?.type === "list") {
    extended = true;
    for (const option of (args[i++] as { items: ImapArg[] }).items) {
      const name = atomOf(option, "a LIST selection option").toUpperCase();
      if (!(SELECTIONS as readonly string[]).includes(name))
        throw new BadArguments(`Unknown LIST selection option "${atomOf(option, "")}".`);
      selection.add(name as ListSelection);
    }
    // RFC 5258 §3.1: RECURSIVEMATCH refines another selection option; SUBSCRIBED is the one CHILDINFO names.
    if (selection.has("RECURSIVEMATCH") && !selection.has("SUBSCRIBED"))
      throw new BadArguments("RECURSIVEMATCH needs the SUBSCRIBED selection option beside it.");
  }
  const reference = decodeMailboxName(astringBytesOf(args[i++], "a reference name"), utf8Enabled);
  const patternArg = args[i++];
  let patterns: string[];
  if (patternArg?.type === "list") {
    extended = true;
    if (patternArg.items.length === 0) throw new BadArguments("Expected at least one mailbox pattern.");
    patterns = patternArg.items.map((p) =>
      decodeMailboxName(astringBytesOf(p, "a mailbox pattern"), utf8Enabled),
    );
  } else patterns = [decodeMailboxName(astringBytesOf(patternArg, "a mailbox pattern"), utf8Enabled)];

  const returns: ListReturn = { subscribed: false, children: false, specialUse: false, status: null };
  if (i < args.length) {
    if (atomOf(args[i++], "RETURN").toUpperCase() !== "RETURN")
      throw new BadArguments(`Expected RETURN after the mailbox pattern, not "${atomOf(args[i - 1], "")}".`);
    extended = true;
    const options = args[i++];
    if (options?.type !== "list") throw new BadArguments("Expected the RETURN options in parentheses.");
    for (let j = 0; j < options.items.length; j++) {
      const name = atomOf(options.items[j], "a LIST return option").toUpperCase();
      if (name === "SUBSCRIBED") returns.subscribed = true;
      else if (name === "CHILDREN") returns.children = true;
      else if (name === "SPECIAL-USE") returns.specialUse = true;
      else if (name === "STATUS") returns.status = parseStatusItems(options.items[++j]);
      else throw new BadArguments(`Unknown LIST return option "${atomOf(options.items[j], "")}".`);
    }
  }
  if (i < args.length) throw new BadArguments("LIST has arguments after its RETURN options.");
  // RFC 5258 §3.1: the SUBSCRIBED selection implies the SUBSCRIBED return option.
  if (selection.has("SUBSCRIBED")) returns.subscribed = true;
  return { extended, selection, returns, reference, patterns };
}

/** LSUB reference pattern (RFC 3501 §6.3.9). */
export function parseLsub(args: ImapArg[], utf8Enabled: boolean): { reference: string; pattern: string } {
  if (args.length !== 2) throw new BadArguments("LSUB takes a reference name and a mailbox pattern.");
  return {
    reference: decodeMailboxName(astringBytesOf(args[0], "a reference name"), utf8Enabled),
    pattern: decodeMailboxName(astringBytesOf(args[1], "a mailbox pattern"), utf8Enabled),
  };
}

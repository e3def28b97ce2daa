// SEARCH, SORT and THREAD arguments (RFC 3501 §6.4.4 and §9 `search`, RFC 4731 RETURN, RFC 5032 OLDER/YOUNGER,
// RFC 7162 §3.1.5 MODSEQ, RFC 5256 `sort` and `thread`): a typed key tree, still in IMAP's terms (sequence
// sets, days); commands/search.ts turns it into the core's query against the session's view.
import { BadArguments, astringOf, atomIs, atomOf, listOf, numberOf, type ImapArg } from "../request.js";
import { isSequenceSet, parseSequenceSet, type SetRange } from "../sequence-set.js";

export type SearchKey =
  | { kind: "all" }
  | { kind: "and"; of: SearchKey[] }
  | { kind: "or"; of: [SearchKey, SearchKey] }
  | { kind: "not"; of: SearchKey }
  /** A system flag (`\Seen`) or a keyword, as stored. */
  | { kind: "flag"; flag: string }
  /** Eider sets no \Recent: RECENT and NEW match nothing, OLD everything (see commands/search.ts). */
  | { kind: "recent" }
  | { kind: "sequence"; set: SetRange[] }
  | { kind: "uid"; set: SetRange[] }
  /** `name` as sent; value "" matches any message with the field. */
  | { kind: "header"; name: string; value: string }
  | { kind: "body"; value: string }
  | { kind: "text"; value: string }
  /** `day`: days since 1970-01-01 of the date sent. */
  | { kind: "date"; field: "internal" | "sent"; op: "before" | "on" | "since"; day: number }
  /** RFC 5032: internal date more than / at most `seconds` ago. */
  | { kind: "age"; op: "older" | "younger"; seconds: number }
  | { kind: "size"; op: "larger" | "smaller"; bytes: number }
  | { kind: "modseq"; min: number };

export type SearchReturn = "MIN" | "MAX" | "ALL" | "COUNT";

export interface SearchArgs {
  /** RFC 4731 RETURN options (`RETURN ()` is ALL); null without RETURN (a plain `* SEARCH` answer). */
  returns: SearchReturn[] | null;
  /** The CHARSET named, upper-cased; null when none was. */
  charset: string | null;
  key: SearchKey;
}

export type SortKeyName = "ARRIVAL" | "CC" | "DATE" | "FROM" | "SIZE" | "SUBJECT" | "TO";

export interface SortArgs {
  criteria: Array<{ key: SortKeyName; reverse: boolean }>;
  charset: string;
  key: SearchKey;
}

export interface ThreadArgs {
  algorithm: "REFERENCES" | "ORDEREDSUBJECT";
  charset: string;
  key: SearchKey;
}

/** The charsets a search string may be in (RFC 3501: US-ASCII at least; RFC 9051: UTF-8). */
export const SEARCH_CHARSETS = ["UTF-8", "US-ASCII"] as const;
/** Parentheses, NOT and OR nest at most this deep. */
export const MAX_SEARCH_DEPTH = 100;
/** Keys in one command, counting every nested one. */
export const MAX_SEARCH_KEYS = 1000;
const MAX_MODSEQ = Number.MAX_SAFE_INTEGER;

const FLAG_KEYS: Record<string, { flag: string; set: boolean }> = {
  ANSWERED: { flag: "\\Answered", set: true },
  DELETED: { flag: "\\Deleted", set: true },
  DRAFT: { flag: "\\Draft", set: true },
  FLAGGED: { flag: "\\Flagged", set: true },
  SEEN: { flag: "\\Seen", set: true },
  UNANSWERED: { flag: "\\Answered", set: false },
  UNDELETED: { flag: "\\Deleted", set: false },
  UNDRAFT: { flag: "\\Draft", set: false },
  UNFLAGGED: { flag: "\\Flagged", set: false },
  UNSEEN: { flag: "\\Seen", set: false },
};
const HEADER_KEYS: Record<string, string> = {
  BCC: "bcc",
  CC: "cc",
  FROM: "from",
  SUBJECT: "subject",
  TO: "to",
};
const DATE_KEYS: Record<string, { field: "internal" | "sent"; op: "before" | "on" | "since" }> = {
  BEFORE: { field: "internal", op: "before" },
  ON: { field: "internal", op: "on" },
  SINCE: { field: "internal", op: "since" },
  SENTBEFORE: { field: "sent", op: "before" },
  SENTON: { field: "sent", op: "on" },
  SENTSINCE: { field: "sent", op: "since" },
};
const SORT_KEYS = new Set<string>(["ARRIVAL", "CC", "DATE", "FROM", "SIZE", "SUBJECT", "TO"]);
const RETURNS = new Set<string>(["MIN", "MAX", "ALL", "COUNT"]);
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

/** `[RETURN (...)] [CHARSET c] key...` of SEARCH / UID SEARCH. */
export function parseSearchArgs(args: ImapArg[]): SearchArgs {
  let i = 0;
  let returns: SearchReturn[] | null = null;
  if (atomIs(args[i], "RETURN")) {
    returns = parseReturns(listOf(args[i + 1], "RETURN options"));
    i += 2;
  }
  let charset: string | null = null;
  if (atomIs(args[i], "CHARSET")) {
    charset = astringOf(args[i + 1], "a charset name after CHARSET").toUpperCase();
    i += 2;
  }
  return { returns, charset, key: parseKeys(args.slice(i)) };
}

/** `(criteria) charset key...` of SORT / UID SORT (RFC 5256 §3). */
export function parseSortArgs(args: ImapArg[]): SortArgs {
  const items = listOf(args[0], "sort criteria");
  if (items.length === 0) throw new BadArguments("Expected at least one sort criterion.");
  const criteria: SortArgs["criteria"] = [];
  for (let i = 0; i < items.length; i++) {
    let reverse = false;
    if (atomIs(items[i], "REVERSE")) {
      reverse = true;
      i++;
    }
    const name = atomOf(items[i], "a sort key after REVERSE").toUpperCase();
    if (!SORT_KEYS.has(name)) throw new BadArguments(`Unknown sort key "${name}".`);
    criteria.push({ key: name as SortKeyName, reverse });
  }
  const charset = astringOf(args[1], "a charset after the sort criteria").toUpperCase();
  return { criteria, charset, key: parseKeys(args.slice(2)) };
}

/** `algorithm charset key...` of THREAD / UID THREAD (RFC 5256 §3). */
export function parseThreadArgs(args: ImapArg[]): ThreadArgs {
  const name = atomOf(args[0], "a threading algorithm").toUpperCase();
  if (name !== "REFERENCES" && name !== "ORDEREDSUBJECT")
    throw new BadArguments(
      `Unknown threading algorithm "${name}"; REFERENCES and ORDEREDSUBJECT are supported.`,
    );
  const charset = astringOf(args[1], "a charset after the threading algorithm").toUpperCase();
  return { algorithm: name, charset, key: parseKeys(args.slice(2)) };
}

function parseReturns(items: ImapArg[]): SearchReturn[] {
  if (items.length === 0) return ["ALL"]; // RFC 4731 §3.1: RETURN () is RETURN (ALL)
  const out = new Set<SearchReturn>();
  for (const item of items) {
    const name = atomOf(item, "a RETURN option").toUpperCase();
    if (!RETURNS.has(name))
      throw new BadArguments(`Unknown RETURN option "${name}"; MIN, MAX, ALL and COUNT are.`);
    out.add(name as SearchReturn);
  }
  return [...out];
}

/** One or more keys, all of which must match. */
function parseKeys(args: ImapArg[]): SearchKey {
  if (args.length === 0) throw new BadArguments("Expected a search key.");
  const reader = new KeyReader(args);
  const keys: SearchKey[] = [];
  while (!reader.done()) keys.push(reader.key(0));
  return keys.length === 1 ? keys[0] : { kind: "and", of: keys };
}

class KeyReader {
  private at = 0;
  private count = 0;
  constructor(private readonly args: ImapArg[]) {}

  done(): boolean {
    return this.at >= this.args.length;
  }

  key(depth: number): SearchKey {
    if (depth > MAX_SEARCH_DEPTH)
      throw new BadArguments(`Search keys are nested deeper than ${MAX_SEARCH_DEPTH} levels.`);
    if (++this.count > MAX_SEARCH_KEYS) throw new BadArguments(`More than ${MAX_SEARCH_KEYS} search keys.`);
    const arg = this.next("a search key");
    if (arg.type === "list") {
      if (arg.items.length === 0) throw new BadArguments("Expected a search key inside the parentheses.");
      const inner = new KeyReader(arg.items);
      inner.count = this.count;
      const keys: SearchKey[] = [];
      while (!inner.done()) keys.push(inner.key(depth + 1));
      this.count = inner.count;
      return keys.length === 1 ? keys[0] : { kind: "and", of: keys };
    }
    if (arg.type === "string")
      throw new BadArguments(`Expected a search key, not the string "${text(arg)}".`);
    if (arg.section !== undefined) throw new BadArguments(`Unknown search key "${arg.value}[...]".`);
    const name = arg.value.toUpperCase();
    const flag = FLAG_KEYS[name];
    if (flag) {
      const key: SearchKey = { kind: "flag", flag: flag.flag };
      return flag.set ? key : { kind: "not", of: key };
    }
    const header = HEADER_KEYS[name];
    if (header) return { kind: "header", name: header, value: this.string(name) };
    const date = DATE_KEYS[name];
    if (date) return { kind: "date", ...date, day: this.date(name) };
    switch (name) {
      case "ALL":
        return { kind: "all" };
      case "RECENT":
        return { kind: "recent" };
      case "NEW":
        return {
          kind: "and",
          of: [{ kind: "recent" }, { kind: "not", of: { kind: "flag", flag: "\\Seen" } }],
        };
      case "OLD":
        return { kind: "not", of: { kind: "recent" } };
      case "KEYWORD":
        return { kind: "flag", flag: this.keyword(name) };
      case "UNKEYWORD":
        return { kind: "not", of: { kind: "flag", flag: this.keyword(name) } };
      case "HEADER": {
        const field = this.string("HEADER's field name");
        return { kind: "header", name: field, value: this.string(`HEADER ${field}`) };
      }
      case "BODY":
        return { kind: "body", value: this.string(name) };
      case "TEXT":
        return { kind: "text", value: this.string(name) };
      case "LARGER":
      case "SMALLER":
        return {
          kind: "size",
          op: name === "LARGER" ? "larger" : "smaller",
          bytes: numberOf(this.next(name), name),
        };
      case "OLDER":
      case "YOUNGER": {
        const seconds = numberOf(this.next(name), `${name}'s interval`);
        if (seconds === 0) throw new BadArguments(`${name}'s interval must be at least 1 second.`);
        return { kind: "age", op: name === "OLDER" ? "older" : "younger", seconds };
      }
      case "UID":
        return { kind: "uid", set: parseSequenceSet(atomOf(this.next(name), "a UID set after UID")) };
      case "NOT":
        return { kind: "not", of: this.key(depth + 1) };
      case "OR": {
        const a = this.key(depth + 1);
        return { kind: "or", of: [a, this.key(depth + 1)] };
      }
      case "MODSEQ":
        return this.modseq();
    }
    if (isSequenceSet(arg.value)) return { kind: "sequence", set: parseSequenceSet(arg.value) };
    throw new BadArguments(`Unknown search key "${arg.value}".`);
  }

  /** RFC 7162: MODSEQ [entry-name entry-type-req] mod-sequence-valzer. Per-flag entries read as the message's. */
  private modseq(): SearchKey {
    const first = this.args[this.at];
    if (first?.type === "string") {
      this.at++;
      const type = atomOf(this.next("MODSEQ's entry type"), "MODSEQ's entry type (priv, shared or all)");
      if (!/^(priv|shared|all)$/i.test(type))
        throw new BadArguments(`MODSEQ's entry type must be priv, shared or all, not "${type}".`);
    }
    return { kind: "modseq", min: numberOf(this.next("MODSEQ"), "MODSEQ's mod-sequence", MAX_MODSEQ) };
  }

  private next(what: string): ImapArg {
    const arg = this.args[this.at++];
    if (!arg)
      throw new BadArguments(`Expected ${what === "a search key" ? what : `an argument after ${what}`}.`);
    return arg;
  }

  private string(what: string): string {
    return astringOf(this.next(what), `a string after ${what}`);
  }

  private keyword(what: string): string {
    const flag = astringOf(this.next(what), `a keyword after ${what}`);
    if (flag.startsWith("\\"))
      throw new BadArguments(`${what} takes a keyword, not the system flag "${flag}".`);
    return flag;
  }

  /** RFC 3501 date: `d-Mon-yyyy` as an atom or quoted; days since 1970-01-01. */
  private date(what: string): number {
    const value = astringOf(this.next(what), `a date after ${what}`);
    const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(value);
    const month = m ? MONTHS.indexOf(m[2].toUpperCase()) : -1;
    const day = m ? Number(m[1]) : 0;
    const time = m ? Date.UTC(Number(m[3]), month, day) : NaN;
    if (!m || month < 0 || day < 1 || new Date(time).getUTCDate() !== day)
      throw new BadArguments(`${what} takes a date like 1-Feb-1994, not "${value}".`);
    return time / 86_400_000;
  }
}

function text(arg: ImapArg): string {
  return arg.type === "string" ? arg.value.toString("utf8").slice(0, 40) : "";
}

// What the receiver makes of one command: a tag, a command name and a tree of arguments (RFC 3501 §9).
// Strings keep their bytes (a literal may hold 8-bit data); numbers, NIL, flags and sequence sets are atoms
// that each command family reads with the helpers below.

/** BODY[section]<partial> keeps its bracket and angle parts on the atom they follow. */
export interface ImapAtom {
  type: "atom";
  /** As sent (case kept); compare with `atomIs`. */
  value: string;
  /** The bracket's contents when the atom ended in `[...]` (`BODY[]` has `section: []`). */
  section?: ImapArg[];
  /** `<offset.length>` after a section; `length` is null for `<offset>` alone. */
  partial?: { offset: number; length: number | null };
}

export interface ImapString {
  type: "string";
  value: Buffer;
  /** Sent as a literal (`{n}` or `{n+}`), not quoted. */
  literal: boolean;
  /** Sent as a literal8 (`~{n}` or `~{n+}`, RFC 3516 / RFC 6855 §4): only APPEND's `UTF8 (...)` takes one. */
  literal8?: true;
}

export interface ImapList {
  type: "list";
  items: ImapArg[];
}

export type ImapArg = ImapAtom | ImapString | ImapList;

export interface ImapRequest {
  tag: string;
  /** Upper-cased. A UID command is named with both words: "UID FETCH". */
  command: string;
  args: ImapArg[];
}

/** A request's arguments did not fit the command: the session answers `tag BAD <message>`. */
export class BadArguments extends Error {}

export function atomIs(arg: ImapArg | undefined, value: string): boolean {
  return arg?.type === "atom" && arg.section === undefined && arg.value.toUpperCase() === value.toUpperCase();
}

/** An atom's text, or a BadArguments naming what was expected. */
export function atomOf(arg: ImapArg | undefined, what: string): string {
  if (arg?.type !== "atom" || arg.section !== undefined) throw new BadArguments(`Expected ${what}.`);
  return arg.value;
}

/** An astring (atom, quoted string or literal) as UTF-8 text (RFC 3501 astring, RFC 6855 UTF-8). */
export function astringOf(arg: ImapArg | undefined, what: string): string {
  if (arg?.type === "string") return arg.value.toString("utf8");
  if (arg?.type === "atom" && arg.section === undefined) return arg.value;
  throw new BadArguments(`Expected ${what}.`);
}

/** A string's bytes (quoted or literal), e.g. APPEND's message. */
export function bytesOf(arg: ImapArg | undefined, what: string): Buffer {
  if (arg?.type === "string") return arg.value;
  throw new BadArguments(`Expected ${what} as a string or literal.`);
}

/** A parenthesised list's items. */
export function listOf(arg: ImapArg | undefined, what: string): ImapArg[] {
  if (arg?.type === "list") return arg.items;
  throw new BadArguments(`Expected ${what} in parentheses.`);
}

/** RFC 3501 number (32-bit) or RFC 7162 mod-sequence-value (up to 2^63-1, kept safe as a JS number). */
export function numberOf(arg: ImapArg | undefined, what: string, max = 2 ** 32 - 1): number {
  const text = arg?.type === "atom" && arg.section === undefined ? arg.value : "";
  if (!/^\d{1,19}$/.test(text)) throw new BadArguments(`Expected ${what} as a number, not "${text}".`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n > max) throw new BadArguments(`${what} ${text} is larger than ${max}.`);
  return n;
}

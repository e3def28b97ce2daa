// A command's bytes (as the receiver gathered them) -> ImapRequest: tag, command name and argument tree
// (RFC 3501 §9 grammar; RFC 9051 where 3501 is unclear). Strings keep their bytes; what each argument means is
// the command family's business. Anything malformed throws BadRequest, which the session answers BAD.
import { isUtf8 } from "node:buffer";
import { BadArguments, type ImapArg, type ImapAtom, type ImapRequest, type ImapString } from "../request.js";

/** Malformed input; `tag` is the command's tag when it could be read (else the answer is `* BAD`). */
export class BadRequest extends BadArguments {
  constructor(
    readonly tag: string | null,
    message: string,
  ) {
    super(message);
  }
}

const SP = 0x20;
const CR = 0x0d;
const LF = 0x0a;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const TILDE = 0x7e;

/** ATOM-CHAR: any CHAR except atom-specials `( ) { SP CTL % * " \ ]` (RFC 3501 §9). */
function isAtomChar(b: number): boolean {
  return (
    b > 0x20 &&
    b < 0x7f &&
    b !== 0x28 &&
    b !== 0x29 &&
    b !== 0x7b &&
    b !== 0x25 &&
    b !== 0x2a &&
    b !== DQUOTE &&
    b !== BACKSLASH &&
    b !== 0x5d
  );
}

/** What an argument atom may hold: ASTRING-CHAR (`]` too), list-wildcards (`%`, `*`: LIST, sequence sets). */
function isArgAtomChar(b: number): boolean {
  return isAtomChar(b) || b === 0x5d || b === 0x25 || b === 0x2a;
}

/** A fetch attribute whose `[` opens a section (RFC 3501 fetch-att, RFC 3516 BINARY). */
const SECTIONED = new Set(["BODY", "BODY.PEEK", "BINARY", "BINARY.PEEK", "BINARY.SIZE"]);

/** Literals nested this deep in lists at most (a list of lists of ... must not exhaust the stack). */
const MAX_DEPTH = 64;

export function parseRequest(bytes: Buffer): ImapRequest {
  return new ArgumentParser(bytes).request();
}

/** A command's tag as far as it can be read (for the answer to a command the receiver dropped). */
export function isValidTag(tag: string): boolean {
  if (tag.length === 0) return false;
  for (let i = 0; i < tag.length; i++) {
    const b = tag.charCodeAt(i);
    if (!(isAtomChar(b) || b === 0x5d) || b === 0x2b) return false;
  }
  return true;
}

class ArgumentParser {
  private at = 0;
  private tag: string | null = null;
  private command = "";
  private readonly end: number;

  constructor(private readonly bytes: Buffer) {
    // The final line ending is not part of the arguments (CRLF, or a bare LF).
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === LF) end--;
    if (end > 0 && bytes[end - 1] === CR) end--;
    this.end = end;
  }

  request(): ImapRequest {
    if (this.end === 0) this.fail("Empty command line.");
    const tag = this.word();
    if (!isValidTag(tag)) {
      const shown = tag === "" ? "an empty tag" : `tag "${printable(tag)}"`;
      this.fail(
        `The line starts with ${shown}; a tag is letters, digits or punctuation other than ( ) { % * " \\ +.`,
      );
    }
    this.tag = tag;
    if (this.at >= this.end) this.fail("A command name must follow the tag.");
    this.expectSpace("after the tag");
    let command = this.commandName();
    if (command === "UID") {
      if (this.at >= this.end)
        this.fail("UID must be followed by COPY, MOVE, FETCH, SEARCH, SORT, THREAD, STORE or EXPUNGE.");
      this.expectSpace("after UID");
      command = `UID ${this.commandName()}`;
    }
    this.command = command;
    const args: ImapArg[] = [];
    while (this.at < this.end) {
      this.expectSpace("between arguments");
      args.push(this.argument(0, false));
    }
    return { tag, command, args };
  }

  /** Bytes up to the next space (or the end), for the tag. */
  private word(): string {
    const start = this.at;
    while (this.at < this.end && this.bytes[this.at] !== SP) this.at++;
    return this.bytes.toString("latin1", start, this.at);
  }

  private commandName(): string {
    const start = this.at;
    while (this.at < this.end && isAtomChar(this.bytes[this.at])) this.at++;
    if (this.at === start) this.fail(`Expected a command name at "${this.rest()}".`);
    if (this.at < this.end && this.bytes[this.at] !== SP)
      this.fail(`Unexpected character "${this.charAt(this.at)}" in the command name.`);
    return this.bytes.toString("latin1", start, this.at).toUpperCase();
  }

  private argument(depth: number, inSection: boolean): ImapArg {
    if (this.at >= this.end) this.fail("An argument is missing.");
    const b = this.bytes[this.at];
    if (b === 0x28) return this.list(depth, inSection);
    if (b === DQUOTE) return this.quoted();
    if (b === 0x7b) return this.literal();
    if (b === TILDE && this.bytes[this.at + 1] === 0x7b) return this.literal8();
    return this.atom(depth, inSection);
  }

  private list(depth: number, inSection: boolean): ImapArg {
    if (depth >= MAX_DEPTH) this.fail(`Lists nested deeper than ${MAX_DEPTH}.`);
    this.at++; // (
    const items: ImapArg[] = [];
    for (;;) {
      if (this.at >= this.end) this.fail("Unbalanced parentheses: a list is not closed.");
      if (this.bytes[this.at] === 0x29) {
        this.at++;
        return { type: "list", items };
      }
      if (items.length > 0) this.expectSpace("between list items");
      items.push(this.argument(depth + 1, inSection));
    }
  }

  private quoted(): ImapArg {
    this.at++; // opening quote
    const out: number[] = [];
    for (;;) {
      if (this.at >= this.end) this.fail("A quoted string is not closed.");
      const b = this.bytes[this.at++];
      if (b === DQUOTE) return this.quotedValue(Buffer.from(out));
      if (b === CR || b === LF || b === 0) this.fail("A quoted string may not hold CR, LF or NUL.");
      if (b === BACKSLASH) {
        const next = this.at < this.end ? this.bytes[this.at++] : -1;
        if (next !== DQUOTE && next !== BACKSLASH)
          this.fail('In a quoted string a backslash may only escape " or \\.');
        out.push(next);
        continue;
      }
      out.push(b);
    }
  }

  /**
   * RFC 6855 §3: a quoted string may hold 8-bit bytes only as UTF-8 (UTF8=ACCEPT is offered); anything else is
   * BAD. 8-bit data in another charset goes in a literal.
   */
  private quotedValue(value: Buffer): ImapString {
    if (!isUtf8(value))
      this.fail(
        `A quoted string's 8-bit bytes must be UTF-8 (RFC 6855), not "${printable(value.toString("latin1"))}".`,
      );
    return { type: "string", value, literal: false };
  }

  /** `{n}` or `{n+}`, its line ending, then n bytes (the receiver has checked the size and read them). */
  private literal(): ImapString {
    const close = this.bytes.indexOf(0x7d, this.at);
    const header = close < 0 ? "" : this.bytes.toString("latin1", this.at + 1, close);
    const match = /^(\d{1,10})\+?$/.exec(header);
    if (close < 0 || close >= this.end || !match) this.fail(`Malformed literal "${this.rest(12)}".`);
    let at = close + 1;
    if (this.bytes[at] === CR) at++;
    if (this.bytes[at] !== LF) this.fail("A literal's size must end the line.");
    at++;
    const size = Number(match![1]);
    if (at + size > this.end) this.fail(`The literal is shorter than the ${size} octets it announced.`);
    this.at = at + size;
    return { type: "string", value: this.bytes.subarray(at, at + size), literal: true };
  }

  /**
   * `~{n}` or `~{n+}` and n bytes (RFC 3516 literal8). Eider takes one only in APPEND (RFC 6855 §4 `UTF8 (...)`;
   * APPEND checks where it stands): no BINARY, so no other command's grammar has one.
   */
  private literal8(): ImapString {
    if (this.command !== "APPEND") {
      const close = this.bytes.indexOf(0x7d, this.at);
      const shown = printable(this.bytes.toString("latin1", this.at, close < 0 ? this.at + 12 : close + 1));
      this.fail(`A literal8 "${shown}" is only allowed in APPEND's UTF8 (...), not in ${this.command}.`);
    }
    this.at++; // ~
    return { ...this.literal(), literal8: true };
  }

  private atom(depth: number, inSection: boolean): ImapAtom {
    const start = this.at;
    // A flag (`\Seen`) or a wildcard flag (`\*`) starts with a backslash.
    if (this.bytes[this.at] === BACKSLASH) this.at++;
    for (; this.at < this.end; this.at++) {
      const b = this.bytes[this.at];
      if (b === 0x5b && SECTIONED.has(this.bytes.toString("latin1", start, this.at).toUpperCase())) break;
      if (inSection && b === 0x5d) break;
      if (!isArgAtomChar(b)) break;
    }
    const value = this.bytes.toString("latin1", start, this.at);
    if (value === "" || value === "\\") {
      const b = this.bytes[this.at];
      if (b === 0x29) this.fail("Unbalanced parentheses: a ) closes no list.");
      if (b === 0x5d) this.fail("Unbalanced brackets: a ] closes no section.");
      if (b === SP) this.fail("Two spaces in a row, or a space where an argument should be.");
      this.fail(`Unexpected character "${this.charAt(this.at)}".`);
    }
    this.checkAtomEnd(start);
    if (this.at >= this.end || this.bytes[this.at] !== 0x5b) return { type: "atom", value };
    const section = this.section(depth);
    const atom: ImapAtom = { type: "atom", value, section };
    if (this.bytes[this.at] === 0x3c) atom.partial = this.partial();
    this.checkAtomEnd(start);
    return atom;
  }

  /** `[` items separated by spaces `]`, e.g. `[1.2.HEADER.FIELDS (DATE FROM)]`. */
  private section(depth: number): ImapArg[] {
    this.at++; // [
    const items: ImapArg[] = [];
    for (;;) {
      if (this.at >= this.end) this.fail("Unbalanced brackets: a section is not closed.");
      if (this.bytes[this.at] === 0x5d) {
        this.at++;
        return items;
      }
      if (items.length > 0) this.expectSpace("between section items");
      items.push(this.argument(depth + 1, true));
    }
  }

  /** `<offset>` or `<offset.length>` (RFC 3501 §6.4.5). */
  private partial(): { offset: number; length: number | null } {
    const close = this.bytes.indexOf(0x3e, this.at);
    const text = close < 0 || close > this.end ? "" : this.bytes.toString("latin1", this.at + 1, close);
    const match = /^(\d{1,10})(?:\.(\d{1,10}))?$/.exec(text);
    if (!match) this.fail(`Malformed partial "${this.rest(24)}"; expected <offset> or <offset.length>.`);
    const offset = Number(match![1]);
    const length = match![2] === undefined ? null : Number(match![2]);
    if (offset > 2 ** 32 - 1 || (length !== null && (length === 0 || length > 2 ** 32 - 1)))
      this.fail(`Partial <${text}> is out of range.`);
    this.at = close + 1;
    return { offset, length };
  }

  /** After an atom: the end, a space, or a list or section closing. Anything else is a bad byte in it. */
  private checkAtomEnd(start: number): void {
    if (this.at >= this.end) return;
    const b = this.bytes[this.at];
    if (b === SP || b === 0x29 || b === 0x5d || b === 0x5b || b === 0x3c) return;
    if (b === 0) this.fail("NUL is not allowed outside a literal.");
    if (b >= 0x80) this.fail("8-bit bytes are only allowed in quoted strings and literals.");
    const atom = printable(this.bytes.toString("latin1", start, this.at));
    this.fail(`Unexpected character "${this.charAt(this.at)}" after "${atom}".`);
  }

  private expectSpace(where: string): void {
    if (this.bytes[this.at] === 0x29) this.fail("Unbalanced parentheses: a ) closes no list.");
    if (this.bytes[this.at] !== SP) this.fail(`Expected a space ${where}, not "${this.charAt(this.at)}".`);
    this.at++;
  }

  private charAt(at: number): string {
    if (at >= this.end) return "end of line";
    const b = this.bytes[at];
    return b >= 0x21 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`;
  }

  private rest(length = 20): string {
    return printable(this.bytes.toString("latin1", this.at, Math.min(this.end, this.at + length)));
  }

  private fail(message: string): never {
    throw new BadRequest(this.tag, message);
  }
}

/** Control and 8-bit characters as \xNN, so a message quoting bad input stays one printable line. */
function printable(text: string): string {
  return text
    .replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)
    .slice(0, 40);
}

// Bytes from the client -> complete commands (RFC 3501 §2.2, §4.3): a command is a line, and when that line
// ends in a literal's announcement `{n}` (or `{n+}`, LITERAL+, RFC 7888; a literal8 `~{n}` ends the same way)
// n more bytes and another line follow.
// Pure: the session feeds it chunks and acts on what comes out. Every byte held is bounded: a line by
// maxLineBytes, a command's literals by their cap (APPEND's or any other command's); bytes past a cap are
// counted and dropped, never kept.
import type { ImapLimits } from "./limits.js";

export type Received =
  /** A whole command: its lines (CRLF or LF included) and literals, in order, as sent. */
  | { kind: "command"; bytes: Buffer }
  /** A synchronising literal fits: the session sends `+ Ready for literal` (in order with its answers). */
  | { kind: "continue" }
  /** The command was dropped; the session answers `<tag> <status> [<code>] <text>` (tag null: `*`). */
  | { kind: "refused"; tag: string | null; status: "BAD" | "NO"; code?: string; text: string; close?: true };

const LF = 0x0a;
/** RFC 3501 `number`: a literal announced larger cannot be valid, and its bytes cannot be skipped in reasonable time. */
const MAX_LITERAL_COUNT = 2 ** 32 - 1;
/** `{123}` or `{123+}` at the end of a line (before CRLF or LF); the count may be up to 2^63-1 digits-wise. */
const LITERAL_AT_END = /\{(\d{1,20})(\+?)\}\r?\n$/;

type Mode =
  /** Gathering a command's line. */
  | { kind: "line" }
  /** Reading `remaining` literal bytes into the command. */
  | { kind: "literal"; remaining: number }
  /** A line past maxLineBytes: dropping up to its LF, then answering. */
  | { kind: "skip-line" }
  /** A non-synchronising literal past its cap: dropping its bytes, then the rest of the command. */
  | { kind: "discard-literal"; remaining: number }
  /** Dropping the lines after a discarded literal until the command ends. */
  | { kind: "discard-line" }
  /** After a refusal that ends the connection: nothing more is read. */
  | { kind: "closed" };

export class Receiver {
  private mode: Mode = { kind: "line" };
  /** The command so far (whole lines and literals). */
  private parts: Buffer[] = [];
  /** The current line's pieces (a line may arrive over several chunks). */
  private line: Buffer[] = [];
  private lineBytes = 0;
  /** Line bytes of the command so far, every line counted against maxLineBytes. */
  private commandLineBytes = 0;
  private literalBytes = 0;
  /** The tag and command name of the command being read (from its first line). */
  private head: { tag: string | null; command: string } | null = null;
  /** The answer owed once a dropped command has been read to its end. */
  private pendingRefusal: Received | null = null;

  constructor(private readonly limits: ImapLimits) {}

  /** Forgets everything read ahead (STARTTLS and COMPRESS start over on new bytes). */
  reset(): void {
    this.mode = { kind: "line" };
    this.parts = [];
    this.line = [];
    this.lineBytes = 0;
    this.commandLineBytes = 0;
    this.literalBytes = 0;
    this.head = null;
    this.pendingRefusal = null;
  }

  /** Bytes held now (for tests: a huge literal that is discarded must not show up here). */
  held(): number {
    return this.parts.reduce((n, p) => n + p.length, 0) + this.lineBytes;
  }

  push(chunk: Buffer): Received[] {
    const out: Received[] = [];
    if (this.mode.kind === "closed") return out;
    let at = 0;
    while (at < chunk.length) {
      const mode: Mode = this.mode;
      if (mode.kind === "closed") break;
      if (mode.kind === "literal" || mode.kind === "discard-literal") {
        const take = Math.min(mode.remaining, chunk.length - at);
        if (mode.kind === "literal") this.parts.push(chunk.subarray(at, at + take));
        mode.remaining -= take;
        at += take;
        if (mode.remaining === 0) this.mode = { kind: mode.kind === "literal" ? "line" : "discard-line" };
        continue;
      }
      const lf = chunk.indexOf(LF, at);
      const end = lf < 0 ? chunk.length : lf + 1;
      const piece = chunk.subarray(at, end);
      at = end;
      if (mode.kind === "skip-line") {
        if (lf >= 0) this.endSkippedLine(out);
        continue;
      }
      if (this.lineBytes + piece.length > this.limits.maxLineBytes) {
        // Keep only what a refusal needs (the tag); the rest of the line is dropped as it comes.
        if (mode.kind === "line") this.noteHead(Buffer.concat([...this.line, piece]));
        this.line = [];
        this.lineBytes = 0;
        if (lf >= 0) this.endSkippedLine(out);
        else this.mode = { kind: "skip-line" };
        continue;
      }
      this.line.push(piece);
      this.lineBytes += piece.length;
      if (lf < 0) continue;
      const line = this.line.length === 1 ? this.line[0] : Buffer.concat(this.line);
      this.line = [];
      this.lineBytes = 0;
      if (this.mode.kind === "discard-line") this.discardLine(line, out);
      else this.commandLine(line, out);
    }
    return out;
  }

  /** A whole line of a command being kept. */
  private commandLine(line: Buffer, out: Received[]): void {
    if (this.head === null) this.noteHead(line);
    this.commandLineBytes += line.length;
    if (this.commandLineBytes > this.limits.maxLineBytes) {
      this.refuseAfterLine(out, this.tooLong());
      return;
    }
    this.parts.push(line);
    const literal = literalAtEnd(line);
    if (literal === null) {
      out.push({
        kind: "command",
        bytes: this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts),
      });
      this.startCommand();
      return;
    }
    if (!literal.synchronising && literal.size > MAX_LITERAL_COUNT) {
      // Staying in step would mean reading and dropping up to 10^20 bytes: refuse and end the connection instead.
      out.push({
        kind: "refused",
        tag: this.head!.tag,
        status: "BAD",
        text: `A literal of ${literal.size} octets is past the largest IMAP number (${MAX_LITERAL_COUNT}); closing.`,
        close: true,
      });
      this.parts = [];
      this.line = [];
      this.lineBytes = 0;
      this.mode = { kind: "closed" };
      return;
    }
    const cap = this.head!.command === "APPEND" ? this.limits.maxAppendBytes : this.limits.maxLiteralBytes;
    if (this.literalBytes + literal.size > cap) {
      const refusal = this.tooBig(literal.size, cap);
      this.parts = [];
      if (literal.synchronising) {
        // The client waits for `+` before sending the literal: it gets the refusal instead and sends no bytes.
        out.push(refusal);
        this.startCommand();
      } else {
        this.pendingRefusal = refusal;
        this.mode = { kind: "discard-literal", remaining: literal.size };
        if (literal.size === 0) this.mode = { kind: "discard-line" };
      }
      return;
    }
    this.literalBytes += literal.size;
    if (literal.synchronising) out.push({ kind: "continue" });
    this.mode = { kind: "literal", remaining: literal.size };
  }

  /** A line after a discarded literal: the command goes on while lines end in more literals. */
  private discardLine(line: Buffer, out: Received[]): void {
    const literal = literalAtEnd(line);
    if (literal !== null && !literal.synchronising) {
      this.mode = { kind: "discard-literal", remaining: literal.size };
      if (literal.size === 0) this.mode = { kind: "discard-line" };
      return;
    }
    // The end of the command, or a synchronising literal the client will wait for in vain: answer now.
    out.push(this.pendingRefusal!);
    this.startCommand();
  }

  private endSkippedLine(out: Received[]): void {
    this.refuseAfterLine(out, this.tooLong());
  }

  /** A refusal for a command whose current line is over: the rest of a command in progress is dropped too. */
  private refuseAfterLine(out: Received[], refusal: Received): void {
    // A literal announced at the end of a dropped line cannot be seen (the line was not kept), so its bytes would
    // be read as commands; they are then answered BAD like any other bad line.
    out.push(this.pendingRefusal ?? refusal);
    this.startCommand();
  }

  private startCommand(): void {
    this.mode = { kind: "line" };
    this.parts = [];
    this.commandLineBytes = 0;
    this.literalBytes = 0;
    this.head = null;
    this.pendingRefusal = null;
  }

  private noteHead(line: Buffer): void {
    const text = line.subarray(0, 200).toString("latin1");
    const match = /^([^ \r\n]*)(?: ([^ \r\n]*))?/.exec(text)!;
    const tag = /^[\x21-\x7e]+$/.test(match[1]) && !/[(){%*"\\+]/.test(match[1]) ? match[1] : null;
    this.head = { tag, command: (match[2] ?? "").toUpperCase() };
  }

  private tooLong(): Received {
    return {
      kind: "refused",
      tag: this.head?.tag ?? null,
      status: "BAD",
      text: `Command line too long (at most ${this.limits.maxLineBytes} octets).`,
    };
  }

  private tooBig(size: number, cap: number): Received {
    const append = this.head!.command === "APPEND";
    return {
      kind: "refused",
      tag: this.head!.tag,
      // RFC 7889: an APPEND over APPENDLIMIT is NO [TOOBIG]; any other command's huge literal is malformed input.
      status: append ? "NO" : "BAD",
      code: append ? "TOOBIG" : undefined,
      text: append
        ? `The message is ${size} octets; this server takes at most ${cap}.`
        : `Literal of ${size} octets is too large (at most ${cap}).`,
    };
  }
}

function literalAtEnd(line: Buffer): { size: number; synchronising: boolean } | null {
  if (line.length < 4 || line[line.length - 2 - (line[line.length - 2] === 0x0d ? 1 : 0)] !== 0x7d)
    return null;
  const match = LITERAL_AT_END.exec(line.subarray(Math.max(0, line.length - 26)).toString("latin1"));
  if (!match) return null;
  return { size: Number(match[1]), synchronising: match[2] === "" };
}

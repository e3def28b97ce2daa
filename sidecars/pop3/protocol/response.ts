// Typed answers -> bytes: status lines with RFC 2449 response codes, and multi-line bodies with the
// termination octet byte-stuffed (RFC 1939 §3) across chunk boundaries.

/** RFC 2449 §8 and RFC 3206 response codes. */
export type ResponseCode = "AUTH" | "SYS/TEMP" | "SYS/PERM" | "LOGIN-DELAY" | "IN-USE" | "UTF8";

export function ok(text = ""): string {
  return text ? `+OK ${text}\r\n` : "+OK\r\n";
}

export function err(text: string, code?: ResponseCode): string {
  return code ? `-ERR [${code}] ${text}\r\n` : `-ERR ${text}\r\n`;
}

/**
 * What a domain error code becomes on the wire (RFC 3206), so a client can tell "ask the user for another
 * password" ([AUTH]) from "keep the password and try later" ([SYS/TEMP]) from "call the admin" ([SYS/PERM]).
 * The login limits answer [SYS/TEMP], not [LOGIN-DELAY]: RFC 2449 §8.1.2 ties LOGIN-DELAY to the interval a
 * server advertises in CAPA for logins that succeeded; a client seeing it may wait that interval and
 * retry blindly, while ours depends on failures and states its own time in the text. A disabled account
 * is [SYS/PERM] (RFC 3206 §4: needs human intervention); its password was right, so [AUTH] would mislead.
 */
export function codeForError(code: string | undefined): ResponseCode {
  switch (code) {
    case "AUTH_FAILED":
      return "AUTH";
    case "ACCOUNT_DISABLED":
      return "SYS/PERM";
    case "RATE_LIMITED":
    case "STORAGE_FULL":
    case "BUS_UNAVAILABLE":
      return "SYS/TEMP";
    default:
      return "SYS/PERM";
  }
}

export const TERMINATOR = Buffer.from(".\r\n");
const CRLF_TERMINATOR = Buffer.from("\r\n.\r\n");

/**
 * Byte-stuffs a multi-line body: every line starting with "." gets one more (RFC 1939 §3). Stateful, so a
 * line start split across chunks is still seen; `end()` returns the terminator, after a CRLF if the body
 * did not end with a line break.
 */
export class DotStuffer {
  private atLineStart = true;

  push(chunk: Buffer): Buffer {
    if (chunk.length === 0) return chunk;
    const pieces: Buffer[] = [];
    let from = 0;
    if (this.atLineStart && chunk[0] === 0x2e) pieces.push(Buffer.from("."));
    for (let nl = chunk.indexOf(0x0a); nl >= 0 && nl + 1 < chunk.length; nl = chunk.indexOf(0x0a, nl + 1)) {
      if (chunk[nl + 1] !== 0x2e) continue;
      pieces.push(chunk.subarray(from, nl + 1), Buffer.from("."));
      from = nl + 1;
    }
    this.atLineStart = chunk[chunk.length - 1] === 0x0a;
    if (pieces.length === 0) return chunk;
    pieces.push(chunk.subarray(from));
    return Buffer.concat(pieces);
  }

  end(): Buffer {
    const out = this.atLineStart ? TERMINATOR : CRLF_TERMINATOR;
    this.atLineStart = true;
    return out;
  }
}

/**
 * TOP msg n (RFC 1939 §7): the header, the blank line, then n lines of the body. Fed the message's chunks in
 * order, it returns the part of each to send and says when the rest is not needed.
 */
export class TopCutter {
  private inHeader = true;
  private atLineStart = true;
  private bodyLines = 0;
  done = false;

  constructor(private readonly lines: number) {}

  push(chunk: Buffer): Buffer {
    if (this.done) return Buffer.alloc(0);
    if (!this.inHeader && this.lines === 0) {
      this.done = true;
      return Buffer.alloc(0);
    }
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (this.inHeader) {
        // An empty line (CRLF or LF alone, a CR not counting) ends the header; it is sent, then body lines count.
        if (byte === 0x0a && this.atLineStart) {
          this.inHeader = false;
          if (this.lines === 0) {
            this.done = true;
            return chunk.subarray(0, i + 1);
          }
          return Buffer.concat([chunk.subarray(0, i + 1), this.push(chunk.subarray(i + 1))]);
        }
        if (byte === 0x0a) this.atLineStart = true;
        else if (byte !== 0x0d) this.atLineStart = false;
        continue;
      }
      if (byte === 0x0a && ++this.bodyLines >= this.lines) {
        this.done = true;
        return chunk.subarray(0, i + 1);
      }
    }
    return chunk;
  }
}

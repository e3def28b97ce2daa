// What the fuzz run reads from an LMTP session: reply codes, the deliveries acknowledged with 250, and which
// messages the client's bytes could have delivered (so that every stored message can be traced to a session).
import { createHash } from "node:crypto";

const REPLY_LINE = /^(\d{3})([ -])(.*)$/;
// The core's text for a stored message, after smtp-server's enhanced code: "Stored as UID 7 in INBOX. <rcpt>".
const STORED = /^(?:\d\.\d{1,3}\.\d{1,3} )?Stored as UID (\d+) in (.*)\. <(.*)>$/s;

export interface Acknowledged {
  uid: number;
  path: string;
  recipient: string;
}

/** The final lines of every reply ("250 ...", not "250-..."), in order. */
export function finalReplies(bytes: Buffer): Array<{ code: string; text: string }> {
  const out: Array<{ code: string; text: string }> = [];
  for (const line of bytes.toString("utf8").split("\r\n")) {
    const m = REPLY_LINE.exec(line);
    if (m && m[2] === " ") out.push({ code: m[1], text: m[3] });
  }
  return out;
}

export const countFinalReplies = (bytes: Buffer): number => finalReplies(bytes).length;

export function acknowledged(replies: Array<{ code: string; text: string }>): Acknowledged[] {
  const out: Acknowledged[] = [];
  for (const r of replies) {
    const m = r.code === "250" ? STORED.exec(r.text) : null;
    if (m) out.push({ uid: Number(m[1]), path: m[2], recipient: m[3] });
  }
  return out;
}

export const sha256 = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

/**
 * The messages these client bytes could deliver: for every line the server could read as DATA (its first
 * space-separated word, upper-cased, as smtp-server reads a command), what follows decoded as a DATA phase.
 * A superset of what a server may store: which DATA was accepted depends on the replies, not the bytes.
 */
export function deliverable(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let start = 0; start < bytes.length;) {
    const nl = bytes.indexOf(0x0a, start);
    if (nl < 0) break;
    const end = nl > start && bytes[nl - 1] === 0x0d ? nl - 1 : nl;
    const word = bytes.subarray(start, end).toString("latin1").split(" ")[0].toUpperCase();
    if (word === "DATA") {
      const body = decodeData(bytes, nl + 1);
      if (body) out.push(body);
    }
    start = nl + 1;
  }
  return out;
}

/**
 * A DATA phase from `start` (RFC 5321 §4.5.2): up to CRLF "." CRLF, a leading dot of a line removed. As
 * smtp-server reads it: a line start is any LF, and the two bytes right at the start are judged only together
 * (".." is an escape, "." CRLF the end). Null when the bytes end before the terminator.
 */
export function decodeData(bytes: Buffer, start: number): Buffer | null {
  if (bytes.subarray(start, start + 3).equals(Buffer.from(".\r\n"))) return Buffer.alloc(0);
  let from = start;
  if (bytes[from] === 0x2e && bytes[from + 1] === 0x2e) from++;
  const parts: Buffer[] = [];
  for (let i = Math.max(from, start + 2); i < bytes.length; i++) {
    if (bytes[i] !== 0x2e || bytes[i - 1] !== 0x0a) continue;
    if (bytes[i - 2] === 0x0d && bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) {
      parts.push(bytes.subarray(from, i));
      return Buffer.concat(parts);
    }
    if (bytes[i + 1] === 0x2e) {
      parts.push(bytes.subarray(from, i));
      from = i + 1;
      i++; // the dot kept is content
    }
  }
  return null;
}

/** The DATA bytes of a stored copy: the LMTP sidecar prepends exactly five trace lines (trace-headers.ts). */
export function withoutTraceLines(raw: Buffer): Buffer | null {
  let at = 0;
  for (let line = 0; line < 5; line++) {
    const nl = raw.indexOf("\r\n", at);
    if (nl < 0) return null;
    at = nl + 2;
  }
  return raw.subarray(at);
}

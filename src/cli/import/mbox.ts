// Reading an mbox file (RFC 4155) as a stream of messages, byte-exact: the `From ` separator line goes, the
// blank line a writer puts before the next separator goes, and `>From ` lines are unquoted as mboxrd says
// (every `>*From ` line lost one `>`), which is also right for mboxo files with no `>>From ` lines.

export interface MboxMessage {
  /** The message; empty when it was larger than `maxMessageBytes` (then `oversize` holds its size). */
  raw: Buffer;
  /** Set when the message passed the cap: its bytes were counted, not kept. */
  oversize?: number;
  /** The date of the `From ` line, when it has a readable one. */
  internalDate?: Date;
  /** Bytes of the file read so far (for progress). */
  position: number;
}

const LF = 0x0a;
const FROM = Buffer.from("From ", "latin1");
const QUOTED_FROM = /^>+From /;

/**
 * Splits an mbox into messages. A separator is a `From ` line at the start of the file or after a blank line,
 * so an unquoted `From ` in the middle of a paragraph stays in its message. Throws when the file does not
 * start with a `From ` line (not an mbox).
 */
export async function* readMbox(
  input: AsyncIterable<Buffer> | Iterable<Buffer>,
  options: { maxMessageBytes?: number } = {},
): AsyncGenerator<MboxMessage> {
  const cap = options.maxMessageBytes ?? Infinity;
  let carry: Buffer = Buffer.alloc(0);
  let consumed = 0;
  let lines: Buffer[] = [];
  let fromLine: string | null = null;
  let previousBlank = true;
  // Past the cap a message's lines are counted and dropped, so memory stays bounded by the cap.
  let size = 0;
  let oversize = false;
  let blankTail = 0;

  const finish = (position: number): MboxMessage => {
    let message: MboxMessage;
    if (oversize) {
      message = { raw: Buffer.alloc(0), oversize: size - blankTail, position };
    } else {
      if (blankTail > 0) lines.pop(); // the blank line before the next separator
      message = { raw: Buffer.concat(lines), position };
    }
    const date = fromLineDate(fromLine!);
    if (date) message.internalDate = date;
    lines = [];
    size = 0;
    oversize = false;
    blankTail = 0;
    return message;
  };

  const keep = (piece: Buffer): void => {
    size += piece.length;
    if (!oversize && size <= cap) lines.push(piece);
    else {
      oversize = true;
      lines = [];
    }
  };

  function* take(line: Buffer): Generator<MboxMessage> {
    if (previousBlank && startsWith(line, FROM)) {
      if (fromLine !== null) yield finish(consumed);
      fromLine = line.toString("latin1").trimEnd();
    } else if (fromLine === null) {
      if (!isBlank(line)) throw new Error('This is not an mbox file: it does not start with a "From " line.');
    } else {
      const quoted = QUOTED_FROM.test(line.toString("latin1", 0, Math.min(line.length, 64)));
      keep(quoted ? line.subarray(1) : line);
      blankTail = isBlank(line) ? line.length : 0;
    }
    previousBlank = isBlank(line);
  }

  for await (const chunk of input) {
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let lf = data.indexOf(LF, start); lf >= 0; lf = data.indexOf(LF, start)) {
      const line = data.subarray(start, lf + 1);
      consumed += line.length;
      yield* take(line);
      start = lf + 1;
    }
    carry = data.subarray(start);
    if (fromLine !== null && carry.length > cap) {
      // A line longer than any message may be: its start goes into the (now oversize) message, uncounted
      // twice, and the rest of the line follows as further pieces.
      consumed += carry.length;
      keep(carry);
      blankTail = 0;
      previousBlank = false;
      carry = Buffer.alloc(0);
    } else {
      // Kept lines are views of `data`; the unfinished tail is copied so `data` is not held for it alone.
      carry = Buffer.from(carry);
    }
  }
  if (carry.length > 0) {
    consumed += carry.length;
    yield* take(carry);
  }
  if (fromLine !== null) yield finish(consumed);
}

function isBlank(line: Buffer): boolean {
  return (line.length === 1 && line[0] === LF) || (line.length === 2 && line[0] === 0x0d && line[1] === LF);
}

function startsWith(line: Buffer, prefix: Buffer): boolean {
  return line.length >= prefix.length && line.subarray(0, prefix.length).equals(prefix);
}

/** `From sender Thu Aug 22 12:36:23 2002` -> that date, read as UTC when it names no zone. */
export function fromLineDate(fromLine: string): Date | undefined {
  const rest = fromLine.slice(5).trim();
  const space = rest.search(/\s/);
  if (space < 0) return undefined;
  const text = rest.slice(space).trim();
  const hasZone = /(?:[+-]\d{4}|\b[A-Z]{2,5})$/.test(text);
  const date = new Date(hasZone ? text : `${text} UTC`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

// A mailbox as one mboxrd stream (what `eider import mbox` reads back): a `From ` separator line with the
// message's internal date, the message with every line that matches /^>*From / quoted by one more `>`, and a
// blank line. Messages stream one after another, blobs read as they are reached, so memory stays bounded by the
// longest line. Bytes are as stored (CRLF stays CRLF); a message that does not end with a line feed gets one,
// which mbox cannot avoid.
import type { RawMessage } from "../core/index.js";

const LF = 0x0a;
const GT = 0x3e;
const FROM_ = Buffer.from("From ");
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `Thu Aug 22 12:36:23 2002`, in UTC (the asctime form of a `From ` line). */
export function asctime(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`
  );
}

/** True for a line that a reader could take for a separator once unquoted: `>*From `. */
function needsQuote(line: Buffer): boolean {
  let i = 0;
  while (i < line.length && line[i] === GT) i++;
  return line.length - i >= FROM_.length && line.subarray(i, i + FROM_.length).equals(FROM_);
}

const GT_BYTE = Buffer.from(">");

/** The message's bytes with `>*From ` lines quoted, ending with a line feed. */
async function* quoted(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const out: Buffer[] = [];
    let start = 0;
    for (let nl = data.indexOf(LF); nl !== -1; nl = data.indexOf(LF, start)) {
      const line = data.subarray(start, nl + 1);
      if (needsQuote(line)) out.push(GT_BYTE);
      out.push(line);
      start = nl + 1;
    }
    carry = data.subarray(start);
    if (out.length > 0) yield Buffer.concat(out);
  }
  if (carry.length > 0)
    yield Buffer.concat([...(needsQuote(carry) ? [GT_BYTE] : []), carry, Buffer.from("\n")]);
}

/** The mboxrd stream of the given messages, in their order. */
export async function* mboxrd(
  messages:
    | AsyncIterable<Pick<RawMessage, "internalDate" | "chunks">>
    | Iterable<Pick<RawMessage, "internalDate" | "chunks">>,
): AsyncGenerator<Buffer> {
  for await (const m of messages) {
    yield Buffer.from(`From MAILER-DAEMON ${asctime(m.internalDate)}\n`);
    yield* quoted(m.chunks());
    yield Buffer.from("\n");
  }
}

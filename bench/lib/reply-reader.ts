// Reads a line protocol's replies off a socket for the benchmark's small LMTP and POP3 clients: whole lines
// as they arrive, and POP3's dot-terminated multi-line bodies as raw bytes.
import net, { type Socket } from "node:net";

const CRLF = Buffer.from("\r\n");
const DOT_END = Buffer.from("\r\n.\r\n");

export class ReplyReader {
  private buffer: Buffer = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  private failure: Error | null = null;

  constructor(socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.once("error", (err) => this.fail(err));
    socket.once("close", () => this.fail(new Error("connection closed")));
  }

  /** The next line, without its CRLF. */
  async line(): Promise<string> {
    for (;;) {
      const eol = this.buffer.indexOf(CRLF);
      if (eol >= 0) {
        const line = this.buffer.subarray(0, eol).toString("latin1");
        this.buffer = this.buffer.subarray(eol + 2);
        return line;
      }
      await this.more();
    }
  }

  /** An SMTP/LMTP reply with all its continuation lines: its code, its last line's text and every line's. */
  async reply(): Promise<{ code: number; text: string; lines: string[] }> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.line();
      lines.push(line.slice(4));
      if (line[3] !== "-") return { code: Number(line.slice(0, 3)), text: line.slice(4), lines };
    }
  }

  /** A POP3 multi-line body up to its terminating dot line, dot-unstuffed, with CRLF line ends. */
  async dotBody(): Promise<Buffer> {
    let from = 0;
    for (;;) {
      // A body may be empty: the terminator then directly follows the status line's CRLF.
      if (this.buffer.subarray(0, 3).toString("latin1") === ".\r\n") {
        this.buffer = this.buffer.subarray(3);
        return Buffer.alloc(0);
      }
      const end = this.buffer.indexOf(DOT_END, from);
      if (end >= 0) {
        const body = this.buffer.subarray(0, end + 2);
        this.buffer = this.buffer.subarray(end + 5);
        return unstuff(body);
      }
      from = Math.max(0, this.buffer.length - 4);
      await this.more();
    }
  }

  private more(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = () => (this.failure ? reject(this.failure) : resolve());
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.wake();
  }
}

/** A TCP connection (Nagle off: commands go out at once) and a reader of its replies, once connected. */
export async function connectLines(
  port: number,
  host: string,
): Promise<{ socket: Socket; replies: ReplyReader }> {
  const socket = net.connect(port, host);
  socket.setNoDelay(true);
  const replies = new ReplyReader(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return { socket, replies };
}

/** Removes the extra dot of lines that start with one (RFC 1939 / 5321 dot-stuffing). */
function unstuff(body: Buffer): Buffer {
  if (body[0] !== 0x2e && body.indexOf("\r\n.") < 0) return body;
  const out: Buffer[] = [];
  let start = 0;
  for (let lineStart = 0; lineStart < body.length;) {
    const eol = body.indexOf(CRLF, lineStart);
    const next = eol < 0 ? body.length : eol + 2;
    if (body[lineStart] === 0x2e) {
      out.push(body.subarray(start, lineStart));
      start = lineStart + 1;
    }
    lineStart = next;
  }
  out.push(body.subarray(start));
  return Buffer.concat(out);
}

/** A message as sent after DATA: bare LF made CRLF, lines starting with a dot doubled, the final CRLF.CRLF. */
export function dataBytes(raw: Buffer): Buffer {
  const text = raw.toString("latin1").replace(/\r?\n/g, "\r\n");
  const ended = text.endsWith("\r\n") ? text : `${text}\r\n`;
  return Buffer.from(`${ended.replace(/^\./gm, "..")}.\r\n`, "latin1");
}

/** The message as a server should store it: bare LF made CRLF, ending in CRLF (what dataBytes carries). */
export function canonical(raw: Buffer): Buffer {
  const text = raw.toString("latin1").replace(/\r?\n/g, "\r\n");
  return Buffer.from(text.endsWith("\r\n") ? text : `${text}\r\n`, "latin1");
}

// The MX plugin's side of LMTP (RFC 2033) towards Eider's LMTP sidecar: one connection per SMTP connection,
// XCLIENT once to hand over the internet client, then a transaction per message with a reply per recipient.
// Commands go one at a time (the plugin waits for each RCPT's answer anyway), so no pipelining bookkeeping.
import net from "node:net";

export interface Reply {
  code: number;
  /** The text of every line, without the code and separator. */
  lines: string[];
}

export interface LmtpClientOptions {
  host: string;
  port: number;
  /** The name this client gives in LHLO. */
  name: string;
  /** A connect, or a reply, that takes longer than this fails the session. */
  timeoutMs: number;
}

/** The reply text as one line, for logs and for passing on. */
export function replyText(reply: Reply): string {
  return reply.lines.join(" ");
}

export class LmtpError extends Error {}

export class LmtpClient {
  private buffer = "";
  private readonly waiting: Array<{ resolve: (r: Reply) => void; reject: (e: Error) => void }> = [];
  /** Runs only while a reply is awaited: between transactions (a slow client's DATA) the connection may idle. */
  private timer: NodeJS.Timeout | null = null;
  private readonly ready: Reply[] = [];
  private failure: Error | null = null;
  private partial: string[] = [];

  private constructor(
    private readonly socket: net.Socket,
    private readonly options: LmtpClientOptions,
  ) {
    socket.setEncoding("utf8");
    socket.setNoDelay(true);
    socket.on("data", (chunk: string) => this.receive(chunk));
    socket.on("error", (err) => this.fail(new LmtpError(`LMTP connection failed: ${err.message}`)));
    socket.on("close", () => this.fail(new LmtpError("The LMTP server closed the connection.")));
  }

  /** Connects, reads the greeting and says LHLO; rejects when the server is unreachable or refuses. */
  static async connect(options: LmtpClientOptions): Promise<LmtpClient> {
    const socket = net.connect({ host: options.host, port: options.port });
    const client = new LmtpClient(socket, options);
    await client.expect(client.next(), 2, "greeting");
    client.capabilities = await client.hello();
    return client;
  }

  /** The extensions the last LHLO answer listed, upper-case keywords ("XCLIENT", "SIZE", ...). */
  capabilities: Set<string> = new Set();

  /**
   * Hands the session over to the MX's client (Postfix's XCLIENT): the server greets again and LHLO follows.
   * Values are xtext (RFC 3461 §4); "[UNAVAILABLE]" where there is none.
   */
  async xclient(fields: {
    addr: string;
    name?: string;
    helo?: string;
    proto: "SMTP" | "ESMTP";
  }): Promise<void> {
    const attrs = [
      `ADDR=${xtext(fields.addr)}`,
      `NAME=${fields.name ? xtext(fields.name) : "[UNAVAILABLE]"}`,
      `HELO=${fields.helo ? xtext(fields.helo) : "[UNAVAILABLE]"}`,
      `PROTO=${fields.proto}`,
    ];
    await this.expect(this.command(`XCLIENT ${attrs.join(" ")}`), 2, "XCLIENT");
    this.capabilities = await this.hello();
  }

  command(line: string): Promise<Reply> {
    if (/[\r\n]/.test(line)) return Promise.reject(new LmtpError("A command may not hold a line break."));
    this.socket.write(`${line}\r\n`);
    return this.next();
  }

  /**
   * Sends the message (`raw`, unstuffed, lines ending in CRLF) and reads one reply per accepted recipient
   * (RFC 2033 §4.2). Rejects when DATA itself is refused (no recipient reply follows then).
   */
  async data(raw: Buffer, recipients: number): Promise<Reply[]> {
    const go = await this.command("DATA");
    if (go.code !== 354) throw Object.assign(new LmtpError(`DATA refused: ${replyText(go)}`), { reply: go });
    const replies = Array.from({ length: recipients }, () => this.next());
    this.socket.write(dotStuff(raw));
    this.socket.write(
      raw.length === 0 || raw.subarray(-2).toString("latin1") === "\r\n" ? ".\r\n" : "\r\n.\r\n",
    );
    return Promise.all(replies);
  }

  /** Ends the session politely; never throws. */
  async quit(): Promise<void> {
    if (!this.failure) await this.command("QUIT").catch(() => undefined);
    this.socket.destroy();
  }

  close(): void {
    this.socket.destroy();
  }

  get usable(): boolean {
    return this.failure === null;
  }

  private async hello(): Promise<Set<string>> {
    const reply = await this.expect(this.command(`LHLO ${this.options.name}`), 2, "LHLO");
    return new Set(reply.lines.slice(1).map((l) => l.split(" ")[0].toUpperCase()));
  }

  private async expect(pending: Promise<Reply>, cls: number, what: string): Promise<Reply> {
    const reply = await pending;
    if (Math.floor(reply.code / 100) !== cls)
      throw Object.assign(new LmtpError(`${what} refused: ${reply.code} ${replyText(reply)}`), { reply });
    return reply;
  }

  private next(): Promise<Reply> {
    const ready = this.ready.shift();
    if (ready) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    this.timer ??= setTimeout(() => {
      this.fail(new LmtpError(`The LMTP server did not answer within ${this.options.timeoutMs} ms.`));
      this.socket.destroy();
    }, this.options.timeoutMs);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private settled(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // Replies still awaited (a DATA's later recipients) get a fresh allowance each.
    if (this.waiting.length > 0)
      this.timer = setTimeout(() => {
        this.fail(new LmtpError(`The LMTP server did not answer within ${this.options.timeoutMs} ms.`));
        this.socket.destroy();
      }, this.options.timeoutMs);
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, end).replace(/\r$/, "");
      this.buffer = this.buffer.slice(end + 1);
      const m = /^(\d{3})([ -])(.*)$/.exec(line);
      if (!m) {
        this.fail(new LmtpError(`The LMTP server sent a line that is not a reply: ${line.slice(0, 80)}`));
        this.socket.destroy();
        return;
      }
      this.partial.push(m[3]);
      if (m[2] === "-") continue;
      const reply = { code: Number(m[1]), lines: this.partial };
      this.partial = [];
      const waiter = this.waiting.shift();
      if (waiter) waiter.resolve(reply);
      else this.ready.push(reply);
      this.settled();
    }
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const waiter of this.waiting.splice(0)) waiter.reject(err);
  }
}

/** RFC 5321 §4.5.2: a line that starts with "." gets one more. */
export function dotStuff(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  if (raw[0] === 0x2e) parts.push(Buffer.from("."));
  for (let i = raw.indexOf("\n.", 0, "latin1"); i >= 0; i = raw.indexOf("\n.", i + 1, "latin1")) {
    parts.push(raw.subarray(start, i + 1), Buffer.from("."));
    start = i + 1;
  }
  parts.push(raw.subarray(start));
  return Buffer.concat(parts);
}

/** RFC 3461 §4 xtext: "+" and "=", controls, space and non-ASCII become +HH. */
export function xtext(value: string): string {
  return Buffer.from(value, "utf8").reduce(
    (out, byte) =>
      out +
      (byte < 0x21 || byte > 0x7e || byte === 0x2b || byte === 0x3d
        ? `+${byte.toString(16).toUpperCase().padStart(2, "0")}`
        : String.fromCharCode(byte)),
    "",
  );
}

// One POP3 connection: AUTHORIZATION -> TRANSACTION -> UPDATE (RFC 1939 §3). Lines are read ahead
// (PIPELINING) and run one at a time in order; which commands a state allows is checked once, here, before
// dispatch. Multi-line answers are written with backpressure.
import { once } from "node:events";
import type { Socket } from "node:net";
import { TLSSocket } from "node:tls";
import { isDomainError, type Principal } from "../../src/core/index.js";
import { COMMAND_HANDLERS } from "./commands/index.js";
import type { Maildrop } from "./maildrop.js";
import type { Pop3Options } from "./options.js";
import { LineReader } from "./protocol/line-reader.js";
import { parseRequest, type Pop3Command } from "./protocol/request.js";
import { codeForError, DotStuffer, err, ok } from "./protocol/response.js";

/** Bytes gathered before one socket write of a multi-line answer. */
const WRITE_BATCH = 64 * 1024;

export type Pop3State = "AUTHORIZATION" | "TRANSACTION" | "UPDATE";

/** RFC 1939 §4-6, RFC 2449 (CAPA, UTF8 in AUTHORIZATION), RFC 2595 (STLS before login). */
const ALLOWED: Record<Pop3State, ReadonlySet<Pop3Command>> = {
  AUTHORIZATION: new Set<Pop3Command>(["USER", "PASS", "AUTH", "CAPA", "QUIT", "STLS", "UTF8", "NOOP"]),
  TRANSACTION: new Set<Pop3Command>([
    "CAPA",
    "STAT",
    "LIST",
    "UIDL",
    "TOP",
    "RETR",
    "DELE",
    "RSET",
    "NOOP",
    "QUIT",
  ]),
  UPDATE: new Set<Pop3Command>(),
};

export class Pop3Session {
  state: Pop3State = "AUTHORIZATION";
  /** The name given by USER, waiting for PASS. */
  pendingUser: string | null = null;
  principal: Principal | null = null;
  username: string | null = null;
  maildrop: Maildrop | null = null;
  utf8 = false;
  /** Set by AUTH without an initial response: the next line is the client's SASL response. */
  continuation: ((line: string) => Promise<void>) | null = null;

  private socket: Socket;
  private readonly reader: LineReader;
  private readonly queue: Array<{ kind: "line"; text: string } | { kind: "too-long" }> = [];
  private running = false;
  private badCommands = 0;
  private closed = false;

  constructor(
    socket: Socket,
    readonly options: Pop3Options,
    readonly remoteAddress: string,
    /** From loopback or a configured trusted network: counts as secure for passwords (Dovecot's default). */
    private readonly trusted: boolean,
    private readonly onClose: () => void,
  ) {
    this.socket = socket;
    this.reader = new LineReader(options.limits.maxLineBytes);
  }

  get secure(): boolean {
    return this.socket instanceof TLSSocket;
  }

  get closing(): boolean {
    return this.closed;
  }

  start(): void {
    this.attach(this.socket);
    this.write(ok(`${this.options.hostname} Eider POP3 ready`));
  }

  write(text: string): void {
    if (!this.closed) this.socket.write(text);
  }

  /** Writes and waits until the bytes are handed to the kernel (before STLS swaps the socket). */
  writeFlushed(text: string): Promise<void> {
    return new Promise((resolve) => (this.closed ? resolve() : this.socket.write(text, () => resolve())));
  }

  /** Writes a multi-line body (byte-stuffed, terminated), waiting for the socket to drain between chunks. */
  async writeBody(
    status: string,
    chunks: AsyncIterable<Buffer>,
    cut?: (chunk: Buffer) => Buffer | null,
  ): Promise<void> {
    // Status, body and terminator go out in as few writes as fit in WRITE_BATCH: a small message is one
    // write (separate small writes met Nagle and delayed ACKs: 44 ms per RETR).
    const stuffer = new DotStuffer();
    let pending: Buffer[] = [Buffer.from(status)];
    let pendingBytes = pending[0].length;
    for await (const chunk of chunks) {
      if (this.closed) return;
      const part = cut ? cut(chunk) : chunk;
      if (part === null) break;
      if (part.length === 0) continue;
      const stuffed = stuffer.push(part);
      if (pendingBytes + stuffed.length > WRITE_BATCH) {
        const full = !this.socket.write(Buffer.concat(pending));
        pending = [];
        pendingBytes = 0;
        if (full) await this.drained();
        if (this.closed) return;
      }
      pending.push(stuffed);
      pendingBytes += stuffed.length;
    }
    pending.push(stuffer.end());
    if (!this.closed) this.socket.write(Buffer.concat(pending));
  }

  /** Sends the closing line and ends the connection once it is written. */
  end(text: string): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.socket.end(text);
  }

  /** STLS: after "+OK", the same TCP connection becomes a TLS server socket; read-ahead input is discarded. */
  startTls(): void {
    const tls = this.options.tls!;
    const plain = this.socket;
    plain.removeAllListeners("data");
    plain.removeAllListeners("timeout");
    plain.setTimeout(0);
    this.queue.length = 0;
    this.reader.reset();
    const secure = new TLSSocket(plain, { isServer: true, secureContext: tls.context() });
    this.socket = secure;
    this.attach(secure);
  }

  private attach(socket: Socket): void {
    socket.setNoDelay(true);
    socket.setTimeout(this.options.limits.idleTimeoutMs);
    socket.on("timeout", () => this.end(err("Idle for too long, closing.")));
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("error", () => this.gone());
    socket.on("close", () => this.gone());
  }

  private drained(): Promise<void> {
    return Promise.race([
      once(this.socket, "drain").then(() => {}),
      once(this.socket, "close").then(() => {}),
    ]);
  }

  /** The client has gone (EOF, reset, or our own end): drop what was read ahead, hold nothing. */
  private gone(): void {
    this.closed = true;
    this.queue.length = 0;
    this.socket.destroy();
    if (this.notified) return;
    this.notified = true;
    this.onClose();
  }

  private notified = false;

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    this.queue.push(...this.reader.push(chunk));
    if (this.queue.length > this.options.limits.maxPipelined) this.socket.pause();
    void this.run();
  }

  /** Resolves once no command runs: a session whose client has gone may still be finishing one (a login). */
  idle(): Promise<void> {
    return this.loop;
  }

  private loop: Promise<void> = Promise.resolve();

  private run(): Promise<void> {
    if (!this.running) this.loop = this.runQueued();
    return this.loop;
  }

  private async runQueued(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const next = this.queue.shift()!;
        if (next.kind === "too-long") {
          this.bad(`Line too long (at most ${this.options.limits.maxLineBytes} octets).`);
          continue;
        }
        await this.handle(next.text);
        if (this.queue.length <= this.options.limits.maxPipelined / 2 && !this.closed) this.socket.resume();
      }
    } finally {
      this.running = false;
    }
  }

  private bad(reason: string): void {
    if (++this.badCommands >= this.options.limits.maxBadCommands)
      this.end(err(`${reason} Too many bad commands, closing.`));
    else this.write(err(reason));
  }

  private async handle(line: string): Promise<void> {
    const continuation = this.continuation;
    if (continuation) {
      this.continuation = null;
      return this.guard(() => continuation(line));
    }
    const request = parseRequest(line);
    if (!request.ok) return this.bad(request.reason);
    if (!ALLOWED[this.state].has(request.command))
      return this.write(err(`${request.command} is not allowed in the ${this.state} state.`));
    const started = performance.now();
    await this.guard(() => COMMAND_HANDLERS[request.command](this, request.args, request.rest));
    this.options.log?.(
      "debug",
      {
        protocol: "pop3",
        command: request.command,
        user: this.username,
        ms: Math.round((performance.now() - started) * 10) / 10,
      },
      "pop3 command",
    );
  }

  /** A domain error becomes -ERR with its response code; anything else is logged and answered [SYS/TEMP]. */
  private async guard(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (e) {
      if (isDomainError(e)) return this.write(err(e.message, codeForError(e.code)));
      this.options.log?.("error", { protocol: "pop3", err: e, user: this.username }, "pop3 command failed");
      this.write(err("Internal error; try again later.", "SYS/TEMP"));
    }
  }

  /** Whether a password may be sent now: over TLS, or from loopback or a trusted network. */
  plaintextAllowed(): boolean {
    return this.secure || this.trusted;
  }
}

// One IMAP connection (RFC 3501 §3, §5.5): commands are read ahead and run one at a time in order; the state a
// command needs is checked here, once, before its handler; after a handler in the selected state the untagged
// updates the RFC allows are written, then the tagged answer. A client that half-closes or vanishes ends the
// session at once: what was read ahead is dropped and its per-user slot given back.
import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import type { Writable } from "node:stream";
import { TLSSocket } from "node:tls";
import {
  constants as zlib,
  createDeflateRaw,
  createInflateRaw,
  type DeflateRaw,
  type InflateRaw,
} from "node:zlib";
import { asDomainError, type Core, type Principal } from "../../src/core/index.js";
import type { ImapSession, ImapState, SelectedMailbox, TaggedResult } from "./commands/context.js";
import { COMMANDS } from "./commands/index.js";
import type { ImapOptions } from "./options.js";
import { capabilityList } from "./protocol/capabilities.js";
import { BadRequest, parseRequest } from "./protocol/parse/arguments.js";
import { Receiver, type Received } from "./protocol/receiver.js";
import { BadArguments, type ImapRequest } from "./protocol/request.js";
import { responseCodeFor } from "./protocol/response-codes.js";
import { formatValues, type ImapValue } from "./protocol/values.js";

/** Read ahead at most this many commands or bytes before the socket is paused. */
const MAX_QUEUED_COMMANDS = 64;
const MAX_QUEUED_BYTES = 1024 * 1024;

/** What the server gives a session: whether its address is trusted, the per-user cap, and its end. */
export interface SessionHooks {
  /** From loopback or a configured trusted network: counts as secure for passwords (Dovecot's rule). */
  trusted: boolean;
  /** Takes one of the user's connection slots; false when the user has maxConnectionsPerUser already. */
  claimUser(userId: string): boolean;
  releaseUser(userId: string): void;
  /** Called once, when the connection is gone. */
  onClose(): void;
}

export class ImapConnection implements ImapSession {
  readonly id = randomBytes(4).toString("hex");
  readonly core: Core;
  state: ImapState = "not-authenticated";
  principal: Principal | null = null;
  username: string | null = null;
  selected: SelectedMailbox | null = null;
  readonly enabled = new Set<"CONDSTORE" | "QRESYNC" | "UTF8=ACCEPT">();
  readonly remoteAddress: string;

  private socket: Socket;
  /** Where responses go: the socket, or the deflate stream in front of it after COMPRESS. */
  private sink: Writable;
  private deflate: DeflateRaw | null = null;
  /** The sink corked until the end of this tick, so a command's lines leave in one write (see `send`). */
  private corked: Writable | null = null;
  private inflate: InflateRaw | null = null;
  private readonly receiver: Receiver;
  private readonly queue: Received[] = [];
  private queuedBytes = 0;
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private badCommands = 0;
  /** Nothing more reaches the client: it has gone, or the session ended (ImapSession.closed). */
  closed = false;
  private released = false;
  private claimedUser: string | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  /** A handler waiting in continuation() for the client's next line. */
  private waiter: ((line: string | null) => void) | null = null;
  private readonly after: Array<() => void> = [];
  /** The server is stopping: BYE once the running command has answered. */
  private byeAfterCommand = false;

  constructor(
    socket: Socket,
    readonly options: ImapOptions,
    private readonly hooks: SessionHooks,
  ) {
    this.core = options.core;
    this.socket = socket;
    this.sink = socket;
    this.remoteAddress = socket.remoteAddress ?? "";
    this.receiver = new Receiver(options.limits);
  }

  get secure(): boolean {
    return this.socket instanceof TLSSocket;
  }

  plaintextAllowed(): boolean {
    return this.secure || this.hooks.trusted;
  }

  capabilities(): string[] {
    return capabilityList({
      authenticated: this.state === "authenticated" || this.state === "selected",
      secure: this.secure,
      tlsAvailable: this.options.tls !== undefined,
      plaintextAllowed: this.plaintextAllowed(),
      compressed: this.deflate !== null,
      maxAppendBytes: this.options.limits.maxAppendBytes,
    });
  }

  start(): void {
    this.attach(this.socket);
    this.send(
      `* OK [CAPABILITY ${this.capabilities().join(" ")}] ${this.options.hostname} Eider IMAP ready\r\n`,
    );
    this.armIdleTimer();
  }

  /** Open sessions whose command is still running keep the core busy; the server waits for this at close. */
  idle(): Promise<void> {
    return this.loop;
  }

  /** The user logged in: takes a per-user slot (false: the user has too many connections) and the state. */
  logIn(principal: Principal & { kind: "user" }, username: string): boolean {
    if (this.closed) return false;
    if (!this.hooks.claimUser(principal.userId)) return false;
    this.claimedUser = principal.userId;
    this.principal = principal;
    this.username = username;
    this.state = "authenticated";
    return true;
  }

  untagged(text: string | Buffer): void {
    this.send(typeof text === "string" ? `* ${text}\r\n` : Buffer.concat([STAR, text, CRLF]));
  }

  untaggedValues(values: ImapValue[]): void {
    const utf8 = this.enabled.has("UTF8=ACCEPT");
    this.send(Buffer.concat([STAR, formatValues(values, { utf8 }), CRLF]));
  }

  async write(data: Buffer | string): Promise<void> {
    if (this.send(data)) return;
    // The listeners go once one fires: a FETCH of many messages waits here hundreds of times, and
    // listeners left on the socket would pile up for the connection's life.
    await new Promise<void>((resolve) => {
      // An error instead of a drain means the client has gone; the handler's next write is a no-op then.
      const done = () => {
        this.sink.off("drain", done);
        this.sink.off("error", done);
        this.socket.off("close", done);
        resolve();
      };
      this.sink.once("drain", done);
      this.sink.once("error", done);
      this.socket.once("close", done);
    });
  }

  continuation(text: string): Promise<string | null> {
    // A handler that got here after its client had gone must not wait for a line that cannot come.
    if (this.closed) return Promise.resolve(null);
    this.send(`+ ${text}\r\n`);
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.feedWaiter();
    });
  }

  afterResponse(step: () => void): void {
    this.after.push(step);
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.dropQueue();
    this.clearIdleTimer();
    // Once the last bytes are out the connection goes, whether or not the client closes its side.
    this.socket.once("finish", () => this.socket.destroy());
    this.sink.end();
    this.resolveWaiter(null);
  }

  /** The server is stopping: BYE now, or once the running command has answered. */
  shutdown(): void {
    if (this.closed) return;
    if (this.running && this.waiter === null) {
      this.byeAfterCommand = true;
      this.dropQueue();
      return;
    }
    this.bye("Server shutting down.");
  }

  /** STARTTLS (RFC 3501 §6.2.1): after the tagged OK, TLS on the same connection; read-ahead is discarded. */
  startTls(): void {
    const plain = this.socket;
    plain.removeAllListeners("data");
    this.dropQueue();
    this.receiver.reset();
    const secure = new TLSSocket(plain, { isServer: true, secureContext: this.options.tls!.context() });
    this.socket = secure;
    this.sink = secure;
    this.attach(secure);
  }

  /** COMPRESS DEFLATE (RFC 4978): after the tagged OK, both directions go through raw deflate. */
  startCompression(): void {
    const deflate = createDeflateRaw();
    const inflate = createInflateRaw();
    deflate.on("data", (chunk: Buffer) => {
      if (!this.socket.write(chunk)) deflate.pause();
    });
    this.socket.on("drain", () => deflate.resume());
    deflate.on("end", () => this.socket.end());
    deflate.on("error", () => this.gone());
    inflate.on("data", (chunk: Buffer) => this.receive(chunk));
    inflate.on("error", () => this.gone());
    this.dropQueue();
    this.receiver.reset();
    this.deflate = deflate;
    this.inflate = inflate;
    this.sink = deflate;
  }

  get compressed(): boolean {
    return this.deflate !== null;
  }

  /** `* BYE <text>` and the end of the connection. */
  bye(text: string, code?: string): void {
    this.send(`* BYE ${code ? `[${code}] ` : ""}${text}\r\n`);
    this.end();
  }

  private send(data: Buffer | string): boolean {
    if (this.closed) return true;
    // The untagged lines and the tagged one written in the same tick (SELECT's eight) go out as one write, not
    // a system call each; uncorked at the end of the tick whatever happens, so a wait for `drain` still ends.
    if (!this.deflate && this.corked !== this.sink) {
      const sink = this.sink;
      this.corked = sink;
      sink.cork();
      process.nextTick(() => {
        if (this.corked === sink) this.corked = null;
        sink.uncork();
      });
    }
    const ok = this.sink.write(data);
    // Each response goes out whole: a client waits for it, and deflate would hold it back otherwise.
    if (this.deflate) this.deflate.flush(zlib.Z_SYNC_FLUSH);
    return ok;
  }

  private attach(socket: Socket): void {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      if (this.inflate) this.inflate.write(chunk);
      else this.receive(chunk);
    });
    // A half-close is the client's goodbye: nothing it sends can arrive any more, so nothing is kept for it.
    socket.on("end", () => this.gone());
    socket.on("error", () => this.gone());
    socket.on("close", () => this.gone());
  }

  /** The client has gone (EOF, reset, or our own end): drop what was read ahead, hold nothing. */
  private gone(): void {
    this.closed = true;
    this.dropQueue();
    this.clearIdleTimer();
    this.resolveWaiter(null);
    this.socket.destroy();
    this.deflate?.destroy();
    this.inflate?.destroy();
    if (this.released) return;
    this.released = true;
    if (this.claimedUser !== null) this.hooks.releaseUser(this.claimedUser);
    this.hooks.onClose();
    const selected = this.selected;
    if (selected) void this.loop.then(() => selected.close()).catch(() => {});
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    for (const item of this.receiver.push(chunk)) {
      this.queue.push(item);
      if (item.kind === "command") this.queuedBytes += item.bytes.length;
    }
    if (this.queue.length > MAX_QUEUED_COMMANDS || this.queuedBytes > MAX_QUEUED_BYTES) {
      this.socket.pause();
      this.inflate?.pause();
    }
    if (this.waiter) this.feedWaiter();
    else if (!this.running) {
      this.armIdleTimer();
      this.loop = this.runQueued();
    }
  }

  private take(): Received | undefined {
    const item = this.queue.shift();
    if (item?.kind === "command") this.queuedBytes -= item.bytes.length;
    if (
      !this.closed &&
      this.queue.length <= MAX_QUEUED_COMMANDS / 2 &&
      this.queuedBytes <= MAX_QUEUED_BYTES / 2
    ) {
      this.socket.resume();
      this.inflate?.resume();
    }
    return item;
  }

  private dropQueue(): void {
    this.queue.length = 0;
    this.queuedBytes = 0;
  }

  private async runQueued(): Promise<void> {
    this.running = true;
    this.clearIdleTimer();
    try {
      while (!this.closed) {
        const item = this.take();
        if (item === undefined) break;
        if (item.kind === "continue") this.send("+ Ready for literal\r\n");
        else if (item.kind === "refused") {
          this.tagged(item.tag ?? "*", { status: item.status, code: item.code, text: item.text });
          if (item.close) this.bye("The client cannot be followed past that literal.");
        } else await this.execute(item.bytes);
      }
    } catch (e) {
      // A fault outside any handler (a bug here): the session ends; the process and other sessions go on.
      this.options.log?.("error", { session: this.id, user: this.username, err: e }, "imap session failed");
      this.bye("Internal error; closing.", "SERVERBUG");
    } finally {
      this.running = false;
      this.armIdleTimer();
    }
  }

  /** Hands the waiting handler the next line; the `+` for a literal in it is sent as usual. */
  private feedWaiter(): void {
    while (this.waiter && this.queue.length > 0) {
      const item = this.take()!;
      if (item.kind === "continue") this.send("+ Ready for literal\r\n");
      else this.resolveWaiter(item.kind === "command" ? stripLineEnd(item.bytes) : "");
    }
  }

  private resolveWaiter(line: string | null): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.(line);
  }

  private async execute(bytes: Buffer): Promise<void> {
    let request: ImapRequest;
    try {
      request = parseRequest(bytes);
    } catch (e) {
      if (!(e instanceof BadRequest)) throw e;
      return this.tagged(e.tag ?? "*", { status: "BAD", text: e.message });
    }
    const spec = COMMANDS.get(request.command);
    if (!spec)
      return this.tagged(request.tag, { status: "BAD", text: `Unknown command "${request.command}".` });
    if (!spec.states.includes(this.state))
      return this.tagged(request.tag, {
        status: "BAD",
        text: `${request.command} is not allowed in the ${this.state} state.`,
      });
    const started = performance.now();
    const result = await this.run(() => spec.handle(this, request));
    if (this.selected && !this.closed) {
      const selected = this.selected;
      await this.run(async () => {
        await selected.flush(this, { expunges: spec.expunges });
        return result;
      });
    }
    this.tagged(request.tag, result);
    // Steps are for after an OK (STARTTLS, COMPRESS, LOGOUT); a refused command leaves the connection as it is.
    if (result.status !== "OK") this.after.length = 0;
    if (this.after.length > 0) {
      // STARTTLS and COMPRESS change the connection under the tagged OK: it must be out before they do.
      await new Promise<void>((resolve) =>
        this.closed ? resolve() : this.socket.write("", () => resolve()),
      );
      for (const step of this.after.splice(0)) if (!this.closed) step();
    }
    this.options.log?.(
      "debug",
      {
        session: this.id,
        user: this.username,
        command: request.command,
        status: result.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      },
      "imap command",
    );
    if (this.byeAfterCommand) this.bye("Server shutting down.");
  }

  /** A handler's answer, or its error as an answer: BAD for bad arguments, NO [code] for a domain error. */
  private async run(handler: () => Promise<TaggedResult>): Promise<TaggedResult> {
    try {
      return await handler();
    } catch (e) {
      if (e instanceof BadArguments) return { status: "BAD", text: e.message };
      const domain = asDomainError(e);
      if (domain) return { status: "NO", code: responseCodeFor(domain.code), text: domain.message };
      this.options.log?.("error", { session: this.id, user: this.username, err: e }, "imap command failed");
      return { status: "NO", code: "SERVERBUG", text: "Internal error; try again later." };
    }
  }

  private tagged(tag: string, result: TaggedResult): void {
    const code = result.code ? `[${result.code}] ` : "";
    this.send(`${tag} ${result.status} ${code}${result.text}\r\n`);
    if (result.status === "BAD" && ++this.badCommands >= this.options.limits.maxBadCommands)
      this.bye("Too many bad commands.");
  }

  /** RFC 3501 §5.4: a session with no command running is logged out after the idle timeout. */
  private armIdleTimer(): void {
    this.clearIdleTimer();
    if (this.closed || this.running) return;
    this.idleTimer = setTimeout(
      () => this.bye("Autologout; idle for too long."),
      this.options.limits.idleTimeoutMs,
    );
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}

const STAR = Buffer.from("* ");
const CRLF = Buffer.from("\r\n");

function stripLineEnd(bytes: Buffer): string {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 0x0a) end--;
  if (end > 0 && bytes[end - 1] === 0x0d) end--;
  return bytes.toString("utf8", 0, end);
}

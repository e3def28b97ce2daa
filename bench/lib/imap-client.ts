// The benchmark's IMAP client, the same for Eider and Dovecot: a raw one (tagged commands written as given,
// responses read as lines with their literals), so what is timed is the server and the socket, not a client
// library's parsing (imapflow parses every FETCH into objects: over 2,000 BODY[] that is client time).
import net from "node:net";

const CRLF = Buffer.from("\r\n");
/** A response line that ends in a literal's announcement: `{123}`. */
const LITERAL_AT_END = /\{(\d+)\}$/;

/** One server response: its text (each literal shown as its `{n}`), and the literals' bytes in order. */
export interface ImapResponse {
  text: string;
  literals: Buffer[];
}

export interface TaggedResult {
  /** OK, NO or BAD. */
  status: string;
  /** The tagged line after the status. */
  text: string;
  untagged: ImapResponse[];
}

/** Reads whole responses off a socket, a literal's bytes kept apart from the line around it. */
class ResponseReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private waiter: (() => void) | null = null;
  private failure: Error | null = null;

  constructor(socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      const w = this.waiter;
      this.waiter = null;
      w?.();
    });
    socket.once("error", (err) => this.fail(err));
    socket.once("close", () => this.fail(new Error("connection closed")));
  }

  /** The next response: lines joined across its literals. */
  async response(): Promise<ImapResponse> {
    let text = "";
    const literals: Buffer[] = [];
    for (;;) {
      const line = (await this.line()).toString("latin1");
      text += line;
      const literal = LITERAL_AT_END.exec(line);
      if (!literal) return { text, literals };
      literals.push(await this.bytes(Number(literal[1])));
    }
  }

  private async line(): Promise<Buffer> {
    for (;;) {
      const head = this.chunks.length === 1 ? this.chunks[0] : this.join();
      const eol = head ? head.indexOf(CRLF) : -1;
      if (eol >= 0) return this.take(eol + 2).subarray(0, eol);
      await this.more();
    }
  }

  private async bytes(n: number): Promise<Buffer> {
    while (this.buffered < n) await this.more();
    return this.take(n);
  }

  /** The buffered chunks as one (kept as one, so the next search does not join them again). */
  private join(): Buffer | undefined {
    if (this.chunks.length === 0) return undefined;
    const all = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [all];
    return all;
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const all = this.chunks.length === 1 ? this.chunks[0] : this.join()!;
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }

  private more(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = () => (this.failure ? reject(this.failure) : resolve());
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}

export class ImapClient {
  private nextTag = 1;

  private constructor(
    private readonly socket: net.Socket,
    private readonly reader: ResponseReader,
  ) {}

  /** Connects and reads the greeting (which must be `* OK`). */
  static async connect(port: number, host = "127.0.0.1"): Promise<ImapClient> {
    const socket = net.connect(port, host);
    socket.setNoDelay(true);
    const client = new ImapClient(socket, new ResponseReader(socket));
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const greeting = await client.reader.response();
    if (!greeting.text.startsWith("* OK")) throw new Error(`IMAP greeting: ${greeting.text}`);
    return client;
  }

  /**
   * Sends `command` (without tag and CRLF) and collects the responses up to its tagged one; throws unless that
   * is OK. `onUntagged` sees each untagged response as it comes instead of it being kept.
   */
  async command(command: string, onUntagged?: (r: ImapResponse) => void): Promise<TaggedResult> {
    const tag = `b${this.nextTag++}`;
    this.socket.write(`${tag} ${command}\r\n`);
    return this.until(tag, command, onUntagged);
  }

  async login(user: string, password: string): Promise<void> {
    await this.command(`LOGIN ${quoted(user)} ${quoted(password)}`);
  }

  /** SELECT; returns the EXISTS count. */
  async select(mailbox: string): Promise<number> {
    const r = await this.command(`SELECT ${quoted(mailbox)}`);
    const exists = r.untagged.map((u) => /^\* (\d+) EXISTS/i.exec(u.text)).find(Boolean);
    if (!exists) throw new Error(`SELECT ${mailbox} answered no EXISTS`);
    return Number(exists[1]);
  }

  /** APPEND with a synchronising literal (every IMAP4rev1 server takes it): waits for `+` before the bytes. */
  async append(mailbox: string, flags: string, message: Buffer): Promise<TaggedResult> {
    const tag = `b${this.nextTag++}`;
    this.socket.write(`${tag} APPEND ${quoted(mailbox)} (${flags}) {${message.length}}\r\n`);
    const go = await this.reader.response();
    if (!go.text.startsWith("+")) throw new Error(`APPEND: expected a continuation, got ${go.text}`);
    this.socket.write(message);
    this.socket.write(CRLF);
    return this.until(tag, "APPEND");
  }

  /**
   * Starts IDLE; resolves once the server's `+` came. Every untagged response after that goes to `onUntagged`
   * until `done()`.
   */
  async idle(onUntagged: (r: ImapResponse) => void): Promise<{ done(): Promise<void> }> {
    const tag = `b${this.nextTag++}`;
    this.socket.write(`${tag} IDLE\r\n`);
    for (;;) {
      const r = await this.reader.response();
      if (r.text.startsWith("+")) break;
      if (!r.text.startsWith("* ")) throw new Error(`IDLE: expected a continuation, got ${r.text}`);
      onUntagged(r);
    }
    const ended = this.until(tag, "IDLE", onUntagged);
    // A session closed while idling (the memory measurement's end) has nobody waiting for its tagged answer.
    ended.catch(() => {});
    return {
      done: async () => {
        this.socket.write("DONE\r\n");
        await ended;
      },
    };
  }

  async logout(): Promise<void> {
    await this.command("LOGOUT");
    this.socket.end();
  }

  close(): void {
    this.socket.destroy();
  }

  private async until(
    tag: string,
    what: string,
    onUntagged?: (r: ImapResponse) => void,
  ): Promise<TaggedResult> {
    const untagged: ImapResponse[] = [];
    for (;;) {
      const r = await this.reader.response();
      if (r.text.startsWith(`${tag} `)) {
        const [status, ...rest] = r.text.slice(tag.length + 1).split(" ");
        if (status.toUpperCase() !== "OK") throw new Error(`${what.slice(0, 60)}: ${r.text}`);
        return { status: status.toUpperCase(), text: rest.join(" "), untagged };
      }
      if (onUntagged) onUntagged(r);
      else untagged.push(r);
    }
  }
}

/** An IMAP quoted string (the bench's names and passwords have no CR or LF). */
export function quoted(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

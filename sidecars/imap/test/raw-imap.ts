// A raw IMAP connection for what no client library sends: exact bytes, bad bytes, literals left open, a
// client that half-closes or vanishes. Reads whole responses (responses.ts), literals included.
import net, { type Socket } from "node:net";
import tls from "node:tls";
import { splitResponses, type ImapResponse } from "./responses.js";

export class RawImap {
  private received = Buffer.alloc(0);
  private parsedTo = 0;
  private readonly queue: ImapResponse[] = [];
  private waiters: Array<() => void> = [];
  /** Resolves when the server closes the connection (or it is destroyed). */
  readonly closed: Promise<void>;

  private constructor(public socket: Socket) {
    this.attach(socket);
    this.closed = new Promise((resolve) => socket.once("close", () => (this.wake(), resolve())));
  }

  private attach(socket: Socket): void {
    socket.on("data", (d: Buffer) => {
      this.received = Buffer.concat([this.received, d]);
      const { responses, end } = splitResponses(this.received, this.parsedTo);
      this.parsedTo = end;
      this.queue.push(...responses);
      this.wake();
    });
    socket.on("error", () => {});
  }

  static connect(port: number, host = "127.0.0.1"): Promise<RawImap> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ port, host }, () => resolve(new RawImap(socket)));
      socket.once("error", reject);
    });
  }

  /** Implicit TLS (port 993 style), trusting `ca` for the name "localhost". */
  static connectTls(port: number, ca: Buffer, host = "127.0.0.1"): Promise<RawImap> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ port, host, ca, servername: "localhost" }, () =>
        resolve(new RawImap(socket)),
      );
      socket.once("error", reject);
    });
  }

  /** STARTTLS's second half, after the tagged OK: TLS over this connection from now on. */
  async startTls(ca: Buffer): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners("data");
    this.socket = await new Promise<Socket>((resolve, reject) => {
      const secure = tls.connect({ socket: plain, ca, servername: "localhost" }, () => resolve(secure));
      secure.once("error", reject);
    });
    this.attach(this.socket);
  }

  /** Connects and reads the greeting. */
  static async open(port: number): Promise<{ imap: RawImap; greeting: ImapResponse }> {
    const imap = await RawImap.connect(port);
    return { imap, greeting: await imap.next() };
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Every byte the server sent so far. */
  bytes(): Buffer {
    return this.received;
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** The next whole response; throws if the connection closes first. */
  async next(): Promise<ImapResponse> {
    for (;;) {
      const r = this.queue.shift();
      if (r) return r;
      if (this.socket.destroyed || this.socket.readableEnded)
        throw new Error(`connection closed; unparsed: ${JSON.stringify(this.unparsed())}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Responses up to and including the first tagged with `tag` (or a `+` continuation when `tag` is "+"). */
  async until(tag: string): Promise<ImapResponse[]> {
    const out: ImapResponse[] = [];
    for (;;) {
      const r = await this.next();
      out.push(r);
      if (r.tag === tag) return out;
    }
  }

  /** Sends `tag command` CRLF and returns the responses through its tagged one. */
  async command(tag: string, command: string): Promise<ImapResponse[]> {
    this.send(`${tag} ${command}\r\n`);
    return this.until(tag);
  }

  /** The tagged response alone. */
  async status(tag: string, command: string): Promise<ImapResponse> {
    const all = await this.command(tag, command);
    return all[all.length - 1];
  }

  private unparsed(): string {
    return this.received.subarray(this.parsedTo).toString("latin1");
  }

  /** Half-close: the client sends nothing more but still reads. */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Connected, greeted and logged in with LOGIN; throws with the server's answer otherwise. */
export async function loggedIn(port: number, user: string, password: string): Promise<RawImap> {
  const { imap } = await RawImap.open(port);
  const login = await imap.status("L", `LOGIN ${user} "${password}"`);
  if (login.status !== "OK") {
    imap.destroy();
    throw new Error(`LOGIN ${user}: ${login.line}`);
  }
  return imap;
}

/** UID -> flags of the mailbox's messages, read with EXAMINE (which changes nothing) and UID FETCH. */
export async function flagsByUid(port: number, user: string, password: string, mailbox = "INBOX") {
  const imap = await loggedIn(port, user, password);
  try {
    const examine = await imap.status("E", `EXAMINE ${mailbox}`);
    if (examine.status !== "OK") throw new Error(`EXAMINE ${mailbox}: ${examine.line}`);
    const out = new Map<number, string[]>();
    for (const r of await imap.command("F", "UID FETCH 1:* (FLAGS)")) {
      const uid = /\bUID (\d+)/.exec(r.line);
      const flags = /\bFLAGS \(([^)]*)\)/.exec(r.line);
      if (r.tag === "*" && uid && flags) out.set(Number(uid[1]), flags[1].split(" ").filter(Boolean).sort());
    }
    await imap.command("Z", "LOGOUT");
    return out;
  } finally {
    imap.destroy();
  }
}

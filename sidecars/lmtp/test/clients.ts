// Two LMTP clients for the tests: Python's smtplib.LMTP (a real client library, run as a child process) and a
// raw socket for what a library would not send (pipelined commands, oversize data, bad commands).
import { spawn } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import net from "node:net";
import { fileURLToPath } from "node:url";

const PYTHON_CLIENT = fileURLToPath(new URL("./lmtp_client.py", import.meta.url));

export type Reply = [code: number, text: string];

export interface PythonResult {
  /** After STARTTLS: what was offered before it, the protocol, and the SHA-256 of the certificate (hex, DER). */
  tls?: { features_before: Record<string, string>; version: string; peer_sha256: string };
  features: Record<string, string>;
  mail: Reply;
  rcpt: Reply[];
  data: Reply[];
}

export function pythonLmtp(
  port: number,
  spec: {
    from: string;
    rcpts: string[];
    data: Buffer;
    mailOptions?: string[];
    /** STARTTLS before MAIL, the certificate verified against this CA file (for the name localhost). */
    starttlsCafile?: string;
  },
): Promise<PythonResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("python3", [PYTHON_CLIENT, "127.0.0.1", String(port)], { stdio: "pipe" });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0
        ? resolve(JSON.parse(out) as PythonResult)
        : reject(new Error(`python exited ${code}: ${err}`)),
    );
    child.stdin.end(
      JSON.stringify({
        from: spec.from,
        rcpts: spec.rcpts,
        data: spec.data.toString("hex"),
        mail_options: spec.mailOptions ?? [],
        ...(spec.starttlsCafile ? { starttls_cafile: spec.starttlsCafile } : {}),
      }),
    );
  });
}

/** SHA-256 of a PEM certificate's DER bytes, hex: how the Python client reports the certificate it was shown. */
export const derSha256 = (pem: Buffer): string =>
  createHash("sha256").update(new X509Certificate(pem).raw).digest("hex");

/** A raw LMTP connection: write bytes, then wait for a number of complete replies (multi-line ones count once). */
export class RawLmtp {
  private buffer = "";
  private replies: string[] = [];
  private waiters: Array<() => void> = [];
  readonly closed: Promise<void>;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      let end: number;
      let reply = "";
      while ((end = this.buffer.indexOf("\r\n")) >= 0) {
        const line = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        reply += (reply ? "\n" : "") + line;
        if (line[3] !== "-") {
          this.replies.push(reply);
          reply = "";
        }
      }
      if (reply)
        this.buffer =
          reply
            .split("\n")
            .map((l) => `${l}\r\n`)
            .join("") + this.buffer;
      this.waiters.splice(0).forEach((w) => w());
    });
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
    void this.closed.then(() => this.waiters.splice(0).forEach((w) => w()));
  }

  /** `greeting`: read (and drop) the 220 first; false leaves it to the caller. */
  static async connect(port: number, greeting = true): Promise<RawLmtp> {
    const socket = net.connect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const client = new RawLmtp(socket);
    if (greeting) await client.read(1);
    return client;
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.write(data, (err) => (err ? reject(err) : resolve())),
    );
  }

  /** The next `n` replies; fewer when the server closed the connection first. */
  async read(n: number): Promise<string[]> {
    while (this.replies.length < n && !this.socket.closed)
      await new Promise<void>((r) => this.waiters.push(r));
    return this.replies.splice(0, n);
  }

  async send(data: string, replies = 1): Promise<string[]> {
    await this.write(data);
    return this.read(replies);
  }

  /** Half-closes: the server reads EOF, this side can still read. */
  end(): void {
    this.socket.end();
  }

  /** Vanishes: the socket is closed at once, whatever was in flight. */
  destroy(): void {
    this.socket.destroy();
  }
}

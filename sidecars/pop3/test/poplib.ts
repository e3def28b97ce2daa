// Drives Python's poplib (a real POP3 client) from a test: the script gets the server's address in `host`,
// `port`, `tls_port`, `cafile` and prints one JSON value, which is returned.
import { createConnection, type Socket } from "node:net";
import { runPython } from "../../../test/harness/python.js";

export interface PoplibTarget {
  host: string;
  port: number;
  tlsPort: number | null;
  cafile?: string;
}

const PRELUDE = `
import base64, json, poplib, ssl, sys
host, port, tls_port, cafile = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def b64(lines): return base64.b64encode(b"".join(l + b"\\r\\n" for l in lines)).decode()
def err(f):
    try:
        f()
        return None
    except poplib.error_proto as e:
        return e.args[0].decode()
`;

export function poplib<T>(target: PoplibTarget, script: string): Promise<T> {
  const argv = [target.host, String(target.port), String(target.tlsPort ?? 0), target.cafile ?? ""];
  return runPython<T>(PRELUDE, script, argv, "poplib");
}

/** A raw connection for what no client library sends: pipelined batches, overlong lines, bad bytes. */
export class RawPop3 {
  private buffer = "";
  private waiters: Array<() => void> = [];
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.setEncoding("latin1");
    socket.on("data", (d: string) => {
      this.buffer += d;
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) =>
      socket.on("close", () => {
        for (const w of this.waiters.splice(0)) w();
        resolve();
      }),
    );
  }

  static connect(port: number, host = "127.0.0.1"): Promise<RawPop3> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ port, host }, () => resolve(new RawPop3(socket)));
      socket.once("error", reject);
    });
  }

  send(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** Waits until the received text holds `count` lines and returns them (without CRLF), consuming them. */
  async lines(count: number): Promise<string[]> {
    for (;;) {
      const parts = this.buffer.split("\r\n");
      if (parts.length - 1 >= count) {
        const out = parts.slice(0, count);
        this.buffer = parts.slice(count).join("\r\n");
        return out;
      }
      if (this.socket.destroyed) throw new Error(`connection closed; had: ${JSON.stringify(this.buffer)}`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** The lines up to and including `last` (a multi-line answer's "."). */
  async through(last: string): Promise<string[]> {
    const out: string[] = [];
    while (out[out.length - 1] !== last) out.push(...(await this.lines(1)));
    return out;
  }

  close(): void {
    this.socket.destroy();
  }
}

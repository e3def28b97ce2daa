// The benchmark's POP3 client, the same for Eider and Dovecot: USER/PASS, STAT, RETR, QUIT, one command at a
// time, and a bare connection that only reads the greeting (for the idle-session count).
import net from "node:net";
import { connectLines, type ReplyReader } from "./reply-reader.js";

export class Pop3Client {
  private constructor(
    private readonly socket: net.Socket,
    private readonly replies: ReplyReader,
  ) {}

  /** Connected and greeted (+OK), not yet logged in. */
  static async connect(port: number, host = "127.0.0.1"): Promise<Pop3Client> {
    const { socket, replies } = await connectLines(port, host);
    const client = new Pop3Client(socket, replies);
    await client.ok("greeting");
    return client;
  }

  async login(user: string, password: string): Promise<void> {
    await this.command(`USER ${user}`);
    await this.command(`PASS ${password}`);
  }

  /** STAT: how many messages the listing has. */
  async count(): Promise<number> {
    return Number((await this.command("STAT")).split(" ")[0]);
  }

  /** RETR n: the message's bytes (CRLF lines, dot-unstuffed). */
  async retrieve(n: number): Promise<Buffer> {
    await this.command(`RETR ${n}`);
    return this.replies.dotBody();
  }

  async quit(): Promise<void> {
    await this.command("QUIT");
    this.socket.end();
  }

  /** Drops the connection without QUIT (nothing is applied then). */
  close(): void {
    this.socket.destroy();
  }

  private async command(line: string): Promise<string> {
    this.socket.write(`${line}\r\n`);
    return this.ok(line.startsWith("PASS ") ? "PASS" : line);
  }

  private async ok(what: string): Promise<string> {
    const line = await this.replies.line();
    if (!line.startsWith("+OK")) throw new Error(`${what}: ${line}`);
    return line.slice(4);
  }
}

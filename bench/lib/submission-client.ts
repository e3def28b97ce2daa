// The benchmark's submission client: one connection, EHLO and AUTH PLAIN once (over loopback, which counts as
// secure), then per message MAIL FROM, RCPT TO and DATA pipelined (RFC 2920) in one write, the message once 354
// has come back, and its 250 "queued as" reply.
import type net from "node:net";
import { connectLines, type ReplyReader } from "./reply-reader.js";

export class SubmissionClient {
  private constructor(
    private readonly socket: net.Socket,
    private readonly replies: ReplyReader,
  ) {}

  static async connect(port: number, username: string, password: string): Promise<SubmissionClient> {
    const { socket, replies } = await connectLines(port, "127.0.0.1");
    const client = new SubmissionClient(socket, replies);
    await client.expect(220, "greeting");
    socket.write(
      `EHLO bench.example\r\nAUTH PLAIN ${Buffer.from(`\0${username}\0${password}`).toString("base64")}\r\n`,
    );
    await client.expect(250, "EHLO");
    await client.expect(235, "AUTH PLAIN");
    return client;
  }

  /** Submits `data` (dot-stuffed, with its terminator); resolves to the queue id once the 250 came. */
  async submit(from: string, recipient: string, data: Buffer): Promise<string> {
    this.socket.write(
      `MAIL FROM:<${from}> BODY=8BITMIME SIZE=${data.length}\r\nRCPT TO:<${recipient}>\r\nDATA\r\n`,
    );
    await this.expect(250, "MAIL FROM");
    await this.expect(250, "RCPT TO");
    await this.expect(354, "DATA");
    this.socket.write(data);
    const reply = await this.replies.reply();
    const queued = /^2\.0\.0 Ok: queued as (\S+)$/.exec(reply.text);
    if (reply.code !== 250 || !queued)
      throw new Error(`DATA: expected 250 queued, got ${reply.code} ${reply.text}`);
    return queued[1];
  }

  async quit(): Promise<void> {
    this.socket.write("QUIT\r\n");
    await this.expect(221, "QUIT");
    this.socket.end();
  }

  private async expect(code: number, what: string): Promise<void> {
    const reply = await this.replies.reply();
    if (reply.code !== code) throw new Error(`${what}: expected ${code}, got ${reply.code} ${reply.text}`);
  }
}

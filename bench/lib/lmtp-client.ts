// The benchmark's LMTP client, the same for Eider and Dovecot: one connection, one message in flight, the
// per-message commands pipelined (RFC 2920) the way Postfix's LMTP client sends them: MAIL FROM, RCPT TO and
// DATA in one write, then the message once 354 has come back, then one reply per recipient.
import net from "node:net";
import { connectLines, type ReplyReader } from "./reply-reader.js";

export class LmtpClient {
  private constructor(
    private readonly socket: net.Socket,
    private readonly replies: ReplyReader,
  ) {}

  /** MAIL FROM parameters, as the server's LHLO offered them (Dovecot offers no SIZE; Postfix sends none then). */
  private mailParameters = (_size: number) => "";

  /**
   * `hello` "EHLO" speaks SMTP to an MX instead: with one recipient per message the exchange is the same (one
   * reply after the data).
   */
  static async connect(
    port: number,
    host = "127.0.0.1",
    hello: "LHLO" | "EHLO" = "LHLO",
  ): Promise<LmtpClient> {
    const { socket, replies } = await connectLines(port, host);
    const client = new LmtpClient(socket, replies);
    await client.expect(220, "greeting");
    socket.write(`${hello} bench.example\r\n`);
    const lhlo = await client.replies.reply();
    if (lhlo.code !== 250) throw new Error(`${hello} answered ${lhlo.code} ${lhlo.text}`);
    const offered = new Set(lhlo.lines.map((l) => l.split(" ")[0].toUpperCase()));
    client.mailParameters = (size) =>
      `${offered.has("8BITMIME") ? " BODY=8BITMIME" : ""}${offered.has("SIZE") ? ` SIZE=${size}` : ""}`;
    return client;
  }

  /**
   * Delivers `data` (a message as dataBytes() prepares it) to `recipient`; resolves once the recipient's reply
   * has come, to when the message's last byte was written, and throws unless every reply was the expected one.
   */
  async deliver(from: string, recipient: string, data: Buffer): Promise<number> {
    this.socket.write(
      `MAIL FROM:<${from}>${this.mailParameters(data.length)}\r\nRCPT TO:<${recipient}>\r\nDATA\r\n`,
    );
    await this.expect(250, "MAIL FROM");
    await this.expect(250, "RCPT TO");
    await this.expect(354, "DATA");
    this.socket.write(data);
    const sent = performance.now();
    await this.expect(250, `delivery to ${recipient}`);
    return sent;
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

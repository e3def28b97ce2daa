// A real SMTP server (smtp-server) standing in for a remote MX or a smarthost: it keeps what it accepts, answers
// each RCPT as the test scripts it, offers STARTTLS (smtp-server's own self-signed certificate) unless told not
// to, and can hold a message's final reply (a server that stops answering mid-send).
import { EventEmitter, once } from "node:events";
import { SMTPServer } from "smtp-server";

export interface SinkMessage {
  mailFrom: string;
  rcptTo: string[];
  /** MAIL FROM's parameters, upper-case names (BODY=8BITMIME, SIZE=...). */
  mailParams: Record<string, string>;
  raw: Buffer;
  /** The EHLO name the client gave, and whether the session ran over TLS. */
  clientName: string;
  secure: boolean;
}

/** An SMTP answer to give instead of accepting. */
export interface SinkAnswer {
  code: number;
  message: string;
}

export class SmtpSink {
  readonly received: SinkMessage[] = [];
  /** Per RCPT: null accepts; an answer refuses (a 4xx for now, a 5xx for good). */
  rcptAnswer: (address: string) => SinkAnswer | null = () => null;
  /** Called once a message's data is in, before the reply; a promise that never settles holds the reply. */
  beforeReply: (message: SinkMessage) => Promise<void> | void = () => {};
  /** Counts data transfers that reached their end (held or not). */
  dataSeen = 0;
  private readonly events = new EventEmitter();
  private readonly server: SMTPServer;

  constructor(options: { starttls?: boolean; size?: number } = {}) {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: options.starttls === false ? ["STARTTLS", "AUTH"] : ["AUTH"],
      size: options.size,
      logger: false,
      onRcptTo: (address, _session, callback) => {
        const answer = this.rcptAnswer(address.address);
        if (!answer) return callback();
        callback(Object.assign(new Error(answer.message), { responseCode: answer.code }));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          const message: SinkMessage = {
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            mailParams: Object.fromEntries(
              Object.entries(
                session.envelope.mailFrom ? (session.envelope.mailFrom.args as object) || {} : {},
              ).map(([k, v]) => [k.toUpperCase(), String(v)]),
            ),
            raw: Buffer.concat(chunks),
            clientName: session.hostNameAppearsAs,
            secure: session.secure,
          };
          this.dataSeen++;
          this.events.emit("data", message);
          void Promise.resolve(this.beforeReply(message)).then(() => {
            this.received.push(message);
            this.events.emit("message", message);
            callback(null, "2.0.0 Queued as test");
          });
        });
      },
    });
  }

  /** Listens on loopback (port 0: any free port); returns the port. */
  async listen(port = 0, host = "127.0.0.1"): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(port, host, resolve));
    return (this.server.server.address() as { port: number }).port;
  }

  /** Resolves once `count` messages were accepted in all. */
  async waitForMessages(count: number): Promise<SinkMessage[]> {
    while (this.received.length < count) await once(this.events, "message");
    return this.received;
  }

  /** Resolves once `count` data transfers ended (replied to or held). */
  async waitForData(count: number): Promise<void> {
    while (this.dataSeen < count) await once(this.events, "data");
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

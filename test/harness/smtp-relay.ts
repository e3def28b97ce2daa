// A real SMTP server (smtp-server) standing in for the outbound relay: it keeps what it accepts, and can refuse
// for a while like a relay in trouble.
import { SMTPServer } from "smtp-server";

export interface Relayed {
  /** The user the client authenticated as; null without AUTH. */
  user: string | null;
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
}

/**
 * An SMTP relay that keeps what it accepts; `refuse` answers that many next RCPTs 451 (a relay in trouble). With
 * `auth`, it takes mail only after AUTH PLAIN/LOGIN with that user and password (over cleartext: a test).
 */
export class TestRelay {
  readonly received: Relayed[] = [];
  refuse = 0;
  rcptAttempts = 0;

  private readonly waiters: Array<() => void> = [];

  private readonly server: SMTPServer;

  constructor(auth?: { user: string; pass: string }) {
    this.server = new SMTPServer({
      authOptional: auth === undefined,
      allowInsecureAuth: true,
      authMethods: ["PLAIN", "LOGIN"],
      disabledCommands: ["STARTTLS"],
      logger: false,
      onAuth: (given, _session, callback) => {
        if (auth && given.username === auth.user && given.password === auth.pass)
          return callback(null, { user: given.username });
        callback(new Error("Invalid username or password"));
      },
      onRcptTo: (_address, _session, callback) => {
        this.rcptAttempts++;
        if (this.refuse > 0) {
          this.refuse--;
          const err = Object.assign(new Error("Try again later"), { responseCode: 451 });
          return callback(err);
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          this.received.push({
            user: typeof session.user === "string" ? session.user : null,
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "(none)",
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks),
          });
          callback();
          this.waiters.splice(0).forEach((wake) => wake());
        });
      },
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.server.address() as { port: number };
    return `smtp://127.0.0.1:${port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Resolves once `count` messages have arrived, with them. */
  async waitForMessages(count: number): Promise<Relayed[]> {
    while (this.received.length < count) await new Promise<void>((wake) => this.waiters.push(wake));
    return this.received.slice(0, count);
  }

  /** What was relayed to one address. */
  to(address: string): Relayed[] {
    return this.received.filter((r) => r.rcptTo.includes(address));
  }
}

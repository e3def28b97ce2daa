// A real SMTP server (smtp-server) standing in for the outbound relay: it keeps what it accepts, and can refuse
// for a while like a relay in trouble.
import { SMTPServer } from "smtp-server";

export interface Relayed {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
}

/** An SMTP relay that keeps what it accepts; `refuse` answers that many next RCPTs 451 (a relay in trouble). */
export class TestRelay {
  readonly received: Relayed[] = [];
  refuse = 0;
  rcptAttempts = 0;
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
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
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "(none)",
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        });
        callback();
      });
    },
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.server.address() as { port: number };
    return `smtp://127.0.0.1:${port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** What was relayed to one address. */
  to(address: string): Relayed[] {
    return this.received.filter((r) => r.rcptTo.includes(address));
  }
}

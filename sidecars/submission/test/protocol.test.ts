// The submission listeners' protocol side, against real clients (Python's smtplib, a raw socket) and the real
// password check (SQLite core: login limits, auth log), with a submission service that records what it is handed:
// every refusal here must leave it untouched, every acceptance hand it exactly the envelope and the bytes.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openTestCore, type TestCore } from "../../../test/harness/core.js";
import {
  ADMIN,
  DomainError,
  type Principal,
  type RawSubmission,
  type SubmissionOrigin,
  type SubmissionService,
} from "../../../src/core/index.js";
import { RawLmtp } from "../../lmtp/test/clients.js";
import { TlsCertificates } from "../../shared/tls.js";
import type { SubmissionOptions } from "../options.js";
import { startSubmissionServer, type RunningSubmissionServer } from "../server.js";
import { smtplib, type SmtplibTarget } from "./smtplib.js";

interface Submitted {
  p: Principal;
  message: RawSubmission;
  origin: SubmissionOrigin;
}

/** The core's submission service as far as SMTP sees it: records submissions, or fails as told. */
class RecordingSubmission {
  submitted: Submitted[] = [];
  failure: unknown = null;
  forbiddenSenders = new Set<string>();

  async checkSender(_p: Principal, mailFrom: string): Promise<void> {
    if (this.forbiddenSenders.has(mailFrom))
      throw new DomainError("FORBIDDEN", `The sender address "${mailFrom}" is not one of yours.`);
  }

  async submitRaw(p: Principal, message: RawSubmission, origin: SubmissionOrigin) {
    if (this.failure) throw this.failure;
    this.submitted.push({ p, message, origin });
    const id = `Q${this.submitted.length}`;
    return { entry: { id } as never, releaseAt: new Date(), local: [] };
  }
}

const USER = "sam";
const PASSWORD = "a long secret";
const crlf = (lines: string[]) => lines.join("\r\n") + "\r\n";
const MESSAGE = crlf(["From: sam@example.test", "To: kim@example.net", "Subject: hello", "", "Hello, Kim."]);
/** The message as DATA on the wire: dot-stuffed, ended by CRLF.CRLF. */
const wire = (message: string) => message.replace(/^\./gm, "..") + ".\r\n";

describe("Submission listeners (RFC 6409) with smtplib and a raw socket", () => {
  let t: TestCore;
  let tls: TlsCertificates;
  let dataDir: string;
  let recorder: RecordingSubmission;
  let server: RunningSubmissionServer;
  let target: SmtplibTarget;
  let userId: string;
  const extra: RunningSubmissionServer[] = [];

  const options = (o: Partial<SubmissionOptions> = {}): SubmissionOptions => ({
    core: { auth: t.core.auth, submission: recorder as unknown as SubmissionService },
    host: "127.0.0.1",
    port: 0,
    tlsPort: 0,
    tls,
    maxMessageBytes: 64 * 1024,
    maxRecipients: 3,
    trustedNetworks: [],
    proxyProtocol: false,
    maxConnections: 20,
    idleTimeoutMs: 60_000,
    shutdownGraceMs: 1000,
    serverName: "submit.eider.test",
    logger: pino({ level: "silent" }),
    ...o,
  });

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-submission-"));
    t = await openTestCore({ loginAttempts: 5 });
    tls = await TlsCertificates.load({ dataDir, hostname: "localhost" });
    recorder = new RecordingSubmission();
    server = await startSubmissionServer(options());
    target = {
      host: "localhost",
      port: server.port,
      tlsPort: server.tlsPort,
      cafile: path.join(dataDir, "tls", "self-signed.crt"),
    };
    const user = await t.core.users.create(ADMIN, { username: USER, password: PASSWORD });
    userId = user.id;
    await t.core.users.addAddress(ADMIN, userId, "sam@example.test");
  });
  afterAll(async () => {
    for (const s of extra) await s.close();
    await server?.close();
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    recorder.submitted = [];
    recorder.failure = null;
  });

  /** A raw connection that is through EHLO and AUTH PLAIN (loopback counts as secure). */
  async function authenticated(port = server.port): Promise<RawLmtp> {
    const c = await RawLmtp.connect(port);
    const plain = Buffer.from(`\0${USER}\0${PASSWORD}`).toString("base64");
    const [ehlo, auth] = await c.send(`EHLO client.example.test\r\nAUTH PLAIN ${plain}\r\n`, 2);
    expect(ehlo).toMatch(/^250[ -]/);
    expect(auth).toBe("235 2.7.0 Authentication successful");
    return c;
  }

  it("takes a message over STARTTLS with AUTH PLAIN (Thunderbird's order) and answers with the queue id", async () => {
    const r = await smtplib<{ before: string[]; after: string[]; mail: string; rcpt: string; data: string }>(
      target,
      `
      s = smtplib.SMTP(host, port, local_hostname="client.example.test")
      s.ehlo()
      before = s.ehlo_resp.decode().split("\\n")[1:]
      s.starttls(context=context)
      s.ehlo()
      after = s.ehlo_resp.decode().split("\\n")[1:]
      s.user, s.password = "${USER}", "${PASSWORD}"
      s.auth("PLAIN", s.auth_plain)
      mail = reply(*s.mail("sam@example.test", ["BODY=8BITMIME", "SIZE=100"]))
      rcpt = reply(*s.rcpt("kim@example.net"))
      data = reply(*s.data(${JSON.stringify(MESSAGE)}.encode()))
      s.quit()
      print(json.dumps({"before": before, "after": after, "mail": mail, "rcpt": rcpt, "data": data}))
    `,
    );
    const features = ["PIPELINING", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "AUTH PLAIN LOGIN"];
    expect(r.before).toEqual([...features, "STARTTLS", "SIZE 65536"]);
    expect(r.after).toEqual([...features, "SIZE 65536"]);
    expect(r.mail).toBe("250 2.1.0 Accepted");
    expect(r.rcpt).toBe("250 2.1.5 Accepted");
    expect(r.data).toBe("250 2.0.0 Ok: queued as Q1");
    expect(recorder.submitted).toHaveLength(1);
    const [{ p, message, origin }] = recorder.submitted;
    expect(p).toEqual({ kind: "user", userId });
    expect(message.mailFrom).toBe("sam@example.test");
    expect(message.recipients).toEqual(["kim@example.net"]);
    expect(origin).toEqual({ via: "smtp", clientIp: "127.0.0.1", clientName: "client.example.test" });
    // RFC 5321 §4.4: one Received line of this hop (ESMTPSA: TLS and authenticated), then the bytes as sent.
    const raw = message.raw.toString("latin1");
    expect(raw).toMatch(
      /^Received: from client\.example\.test \((?:\S+ )?\[127\.0\.0\.1\]\)\r\n\tby submit\.eider\.test with ESMTPSA id \S+;\r\n\t\w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d \+0000\r\n/,
    );
    expect(raw.slice(raw.indexOf("From: "))).toBe(MESSAGE);
  });

  it("takes a message on the implicit-TLS port with AUTH LOGIN", async () => {
    const r = await smtplib<{ auth: string; data: string; cipher: string }>(
      target,
      `
      s = smtplib.SMTP_SSL(host, tls_port, local_hostname="client.example.test", context=context)
      s.ehlo()
      s.user, s.password = "${USER}", "${PASSWORD}"
      auth = reply(*s.auth("LOGIN", s.auth_login))
      s.mail("sam@example.test")
      s.rcpt("kim@example.net")
      data = reply(*s.data(${JSON.stringify(MESSAGE)}.encode()))
      cipher = s.sock.version()
      s.quit()
      print(json.dumps({"auth": auth, "data": data, "cipher": cipher}))
    `,
    );
    expect(r.auth).toBe("235 2.7.0 Authentication successful");
    expect(r.data).toMatch(/^250 2\.0\.0 Ok: queued as Q\d+$/);
    expect(r.cipher).toMatch(/^TLSv1\.[23]$/);
    expect(recorder.submitted).toHaveLength(1);
  });

  it("answers a wrong password 535 5.7.8 and writes it to the auth log", async () => {
    const r = await smtplib<string | null>(
      target,
      `
      s = connected()
      print(json.dumps(refused(lambda: s.login("${USER}", "wrong password"))))
    `,
    );
    expect(r).toBe("535 5.7.8 Authentication credentials invalid.");
    const log = await t.core.authLog.list(ADMIN, { userId }, { first: 5 });
    expect(log.entries[0]).toMatchObject({ protocol: "submission", result: "failure", ip: "127.0.0.1" });
  });

  it("refuses MAIL, RCPT and DATA before AUTH with 530 5.7.0", async () => {
    const c = await RawLmtp.connect(server.port);
    const replies = await c.send(
      "EHLO client.example.test\r\nMAIL FROM:<sam@example.test>\r\nRCPT TO:<kim@example.net>\r\nDATA\r\n",
      4,
    );
    expect(replies.slice(1)).toEqual(Array(3).fill("530 5.7.0 Authentication required."));
    c.destroy();
    expect(recorder.submitted).toEqual([]);
  });

  it("refuses a sender that is not the user's at MAIL (553 5.7.1) and a refused From at DATA (550 5.7.1)", async () => {
    recorder.forbiddenSenders.add("ceo@example.test");
    const c = await authenticated();
    expect(await c.send("MAIL FROM:<ceo@example.test>\r\n")).toEqual([
      '553 5.7.1 The sender address "ceo@example.test" is not one of yours.',
    ]);
    recorder.failure = new DomainError(
      "FORBIDDEN",
      'The From address "ceo@example.test" is not one of yours.',
    );
    const replies = await c.send(
      `MAIL FROM:<sam@example.test>\r\nRCPT TO:<kim@example.net>\r\nDATA\r\n${wire(MESSAGE)}`,
      4,
    );
    expect(replies).toEqual([
      "250 2.1.0 Accepted",
      "250 2.1.5 Accepted",
      "354 End data with <CR><LF>.<CR><LF>",
      '550 5.7.1 The From address "ceo@example.test" is not one of yours.',
    ]);
    c.destroy();
    expect(recorder.submitted).toEqual([]);
  });

  it("answers the daily recipient limit 450 4.7.1 with the wait, and a store outage 451 4.3.0", async () => {
    const c = await authenticated();
    const transaction = `MAIL FROM:<sam@example.test>\r\nRCPT TO:<kim@example.net>\r\nDATA\r\n${wire(MESSAGE)}`;
    recorder.failure = new DomainError("RATE_LIMITED", "You have sent to 500 recipients today.", {
      retryAfterMs: 3_600_000,
    });
    expect((await c.send(transaction, 4))[3]).toBe(
      "450 4.7.1 You have sent to 500 recipients today. Try again in 3600 seconds.",
    );
    recorder.failure = new Error("SQLITE_IOERR: disk I/O error");
    expect((await c.send(transaction, 4))[3]).toBe(
      "451 4.3.0 The message could not be queued just now; try again later.",
    );
    recorder.failure = null;
    expect((await c.send(transaction, 4))[3]).toMatch(/^250 2\.0\.0 Ok: queued as Q1$/);
    c.destroy();
  });

  it("enforces SIZE at MAIL and while streaming (552 5.3.4), queueing nothing", async () => {
    const c = await authenticated();
    expect(await c.send("MAIL FROM:<sam@example.test> SIZE=70000\r\n")).toEqual([
      "552 5.3.4 Error: message exceeds fixed maximum message size 65536",
    ]);
    const big = crlf(["From: sam@example.test", "", ...Array(1200).fill("x".repeat(70))]);
    const replies = await c.send(
      `MAIL FROM:<sam@example.test>\r\nRCPT TO:<kim@example.net>\r\nDATA\r\n${wire(big)}`,
      4,
    );
    expect(replies[3]).toBe("552 5.3.4 Error: message exceeds fixed maximum message size 65536");
    // The connection goes on: the next message fits and is queued.
    expect(
      (
        await c.send(
          `MAIL FROM:<sam@example.test>\r\nRCPT TO:<kim@example.net>\r\nDATA\r\n${wire(MESSAGE)}`,
          4,
        )
      )[3],
    ).toMatch(/^250 2\.0\.0 /);
    c.destroy();
    expect(recorder.submitted).toHaveLength(1);
  });

  it("refuses a bare LF, a bare CR, a NUL byte and undeclared 8-bit data, queueing nothing", async () => {
    const c = await authenticated();
    const send = async (body: Buffer, mailParams = "") => {
      const envelope = `MAIL FROM:<sam@example.test>${mailParams}\r\nRCPT TO:<kim@example.net>\r\nDATA\r\n`;
      await c.write(Buffer.concat([Buffer.from(envelope), body, Buffer.from(".\r\n")]));
      return (await c.read(4))[3];
    };
    const head = "From: sam@example.test\r\n\r\n";
    expect(await send(Buffer.from(`${head}one\ntwo\r\n`))).toBe(
      "550 5.6.0 The message has a bare LF at byte 29; lines must end with CRLF (RFC 5321 section 2.3.8).",
    );
    expect(await send(Buffer.from(`${head}one\rtwo\r\n`))).toBe(
      "550 5.6.0 The message has a bare CR at byte 29; lines must end with CRLF (RFC 5321 section 2.3.8).",
    );
    expect(await send(Buffer.from(`${head}one\0two\r\n`))).toBe(
      "550 5.6.0 The message has a NUL byte at byte 29.",
    );
    const eightBit = Buffer.concat([Buffer.from(head), Buffer.from("Grüße\r\n", "utf8")]);
    expect(await send(eightBit)).toBe(
      "550 5.6.1 The message has 8-bit data at byte 28; send MAIL FROM with BODY=8BITMIME.",
    );
    expect(recorder.submitted).toEqual([]);
    expect(await send(eightBit, " BODY=8BITMIME")).toMatch(/^250 2\.0\.0 /);
    expect(recorder.submitted[0].message.raw.subarray(-eightBit.length).equals(eightBit)).toBe(true);
    c.destroy();
  });

  it("refuses unknown parameters (555 5.5.4), too many recipients (452 4.5.3) and over-long lines (500 5.5.2)", async () => {
    const c = await authenticated();
    expect(await c.send("MAIL FROM:<sam@example.test> RET=FULL\r\n")).toEqual([
      "555 5.5.4 The parameter RET is not supported here.",
    ]);
    expect(await c.send("MAIL FROM:<sam@example.test> AUTH=<>\r\n")).toEqual(["250 2.1.0 Accepted"]);
    expect(await c.send("RCPT TO:<kim@example.net> NOTIFY=NEVER\r\n")).toEqual([
      "555 5.5.4 The parameter NOTIFY is not supported here.",
    ]);
    const rcpts = ["a", "b", "c", "d"].map((n) => `RCPT TO:<${n}@example.net>\r\n`).join("");
    expect(await c.send(rcpts, 4)).toEqual([
      ...Array(3).fill("250 2.1.5 Accepted"),
      "452 4.5.3 Too many recipients (at most 3 a message); send the rest in another message.",
    ]);
    expect(await c.send(`RCPT TO:<${"x".repeat(20_000)}@example.net>\r\n`)).toEqual([
      "500 5.5.2 Line too long",
    ]);
    await c.closed;
    expect(recorder.submitted).toEqual([]);
  });

  it("queues nothing when the client vanishes in the middle of DATA", async () => {
    const c = await authenticated();
    await c.send("MAIL FROM:<sam@example.test>\r\nRCPT TO:<kim@example.net>\r\nDATA\r\n", 3);
    await c.write("From: sam@example.test\r\n\r\nhalf a mess");
    const before = server.sessions();
    c.destroy();
    await expect.poll(() => server.sessions()).toBe(before - 1);
    expect(recorder.submitted).toEqual([]);
  });

  it("offers no AUTH on cleartext to a client outside the trusted networks and refuses it 538 5.7.11", async () => {
    // Behind a load balancer (PROXY protocol) the client's address is the one the balancer names: here one that is
    // not loopback, so the rule is tested without any traffic leaving loopback.
    const behindProxy = await startSubmissionServer(options({ proxyProtocol: true }));
    const trusting = await startSubmissionServer(
      options({ proxyProtocol: true, trustedNetworks: ["198.51.100.0/24"] }),
    );
    extra.push(behindProxy, trusting);
    const from = async (port: number) => {
      const c = await RawLmtp.connect(port, false);
      await c.write("PROXY TCP4 198.51.100.7 127.0.0.1 40000 587\r\n");
      expect((await c.read(1))[0]).toMatch(/^220 /);
      return c;
    };
    const plain = Buffer.from(`\0${USER}\0${PASSWORD}`).toString("base64");
    const untrusted = await from(behindProxy.port);
    const [ehlo, auth, mail] = await untrusted.send(
      `EHLO client.example.test\r\nAUTH PLAIN ${plain}\r\nMAIL FROM:<sam@example.test>\r\n`,
      3,
    );
    expect(ehlo).not.toMatch(/AUTH/);
    expect(ehlo).toMatch(/STARTTLS/);
    expect(auth).toBe(
      "538 5.7.11 Encryption required for this authentication mechanism; use STARTTLS first.",
    );
    expect(mail).toBe("530 5.7.0 Authentication required.");
    untrusted.destroy();
    const trusted = await from(trusting.port);
    const [ehlo2, auth2] = await trusted.send(`EHLO client.example.test\r\nAUTH PLAIN ${plain}\r\n`, 2);
    expect(ehlo2).toMatch(/AUTH PLAIN LOGIN/);
    expect(auth2).toBe("235 2.7.0 Authentication successful");
    trusted.destroy();
    const log = await t.core.authLog.list(ADMIN, { ip: "198.51.100.7" }, { first: 5 });
    expect(log.entries.map((e) => e.result)).toEqual(["success"]);
  });

  it("answers a cancelled AUTH 501 5.7.0 and an authzid of another user 535 5.7.8", async () => {
    const c = await RawLmtp.connect(server.port);
    expect((await c.send("EHLO client.example.test\r\nAUTH LOGIN\r\n", 2))[1]).toBe("334 VXNlcm5hbWU6");
    expect(await c.send("*\r\n")).toEqual(["501 5.7.0 Authentication cancelled."]);
    const other = Buffer.from(`kim\0${USER}\0${PASSWORD}`).toString("base64");
    expect(await c.send(`AUTH PLAIN ${other}\r\n`)).toEqual([
      "535 5.7.8 Authorization as another user is not allowed.",
    ]);
    c.destroy();
  });
});

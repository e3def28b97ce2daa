// The submission sidecar in a whole Eider (in this process, SQLite + blob folder) with the real submission service:
// two users of one box writing to each other with Python's smtplib and swaks, the Sent copy and the recipient's
// INBOX read back over the API, a forged sender refused with nothing stored; and `eider serve --only submission`.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN } from "../../../src/core/index.js";
import { ensureBuild } from "../../../test/cli/ensure-build.js";
import { runEider, serveEider } from "../../../test/cli/run-eider.js";
import { startTestEider, type TestEider } from "../../../test/harness/eider.js";
import { holdings } from "../../../test/harness/mailbox.js";
import { freePort } from "../../../test/harness/services.js";
import { SmtpSink } from "../../../test/harness/smtp-sink.js";
import { smtplib, type SmtplibTarget } from "./smtplib.js";

const PASSWORD = "a long secret";
const crlf = (lines: string[]) => lines.join("\r\n") + "\r\n";

describe("Submission in a whole Eider", () => {
  let t: TestEider;
  let dataDir: string;
  let target: SmtplibTarget;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-submission-e2e-"));
    t = await startTestEider({ dataDir });
    const submission = t.eider.submission!;
    target = {
      host: "localhost",
      port: submission.port,
      tlsPort: submission.tlsPort,
      cafile: path.join(dataDir, "tls", "self-signed.crt"),
    };
    for (const name of ["ann", "bob"]) {
      const user = await t.eider.core.users.create(ADMIN, { username: name, password: PASSWORD });
      await t.eider.core.users.addAddress(ADMIN, user.id, `${name}@example.test`);
    }
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("delivers between two users of one box: the message in the other's INBOX, the Sent copy byte-exact", async () => {
    const message = crlf([
      "From: Ann <ann@example.test>",
      "To: Bob <bob@example.test>",
      "Subject: lunch",
      "Message-ID: <lunch-1@example.test>",
      "Date: Tue, 1 Dec 2026 09:00:00 +0000",
      "",
      "Lunch at noon?",
      ".a line that starts with a dot",
    ]);
    const data = await smtplib<string>(
      target,
      `
      s = connected()
      s.login("ann", "${PASSWORD}")
      s.mail("ann@example.test")
      s.rcpt("bob@example.test")
      print(json.dumps(reply(*s.data(${JSON.stringify(message)}.encode()))))
      s.quit()
    `,
    );
    expect(data).toMatch(/^250 2\.0\.0 Ok: queued as \S+$/);
    const ann = await holdings(t.url, "ann", PASSWORD);
    const [sent] = ann.boxes["Sent Mail"];
    // What was sent: this hop's Received line, then the client's bytes exactly.
    expect(sent.toString("latin1")).toMatch(
      /^Received: from client\.example\.test .*\r\n\tby .* with ESMTPSA id /,
    );
    expect(sent.subarray(sent.length - message.length).toString("latin1")).toBe(message);
    const bob = await holdings(t.url, "bob", PASSWORD);
    const [inbox] = bob.boxes.INBOX;
    expect(inbox.subarray(inbox.length - sent.length).equals(sent)).toBe(true);
  });

  it("adds a missing Date and Message-ID below this hop's Received line, the trace first (RFC 5321 §4.4)", async () => {
    const message = crlf([
      "From: Ann <ann@example.test>",
      "To: bob@example.test",
      "Subject: bare",
      "",
      "No date.",
    ]);
    const data = await smtplib<string>(
      target,
      `
      s = connected()
      s.login("ann", "${PASSWORD}")
      s.mail("ann@example.test")
      s.rcpt("bob@example.test")
      print(json.dumps(reply(*s.data(${JSON.stringify(message)}.encode()))))
      s.quit()
    `,
    );
    expect(data).toMatch(/^250 2\.0\.0 /);
    const sentBox = (await holdings(t.url, "ann", PASSWORD)).boxes["Sent Mail"];
    const sent = sentBox.map((m) => m.toString("latin1")).find((m) => m.includes("\r\nSubject: bare\r\n"))!;
    expect(sent).toMatch(
      /^Received: from client\.example\.test [^]*?\r\nDate: [A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000\r\nMessage-ID: <[^>]+>\r\nFrom: Ann <ann@example\.test>\r\n/,
    );
    expect(sent.endsWith(message)).toBe(true);
  });

  it("refuses a forged sender at MAIL (553 5.7.1) and a forged From at DATA (550 5.7.1), storing nothing", async () => {
    const before = await holdings(t.url, "bob", PASSWORD);
    const sentBefore = (await holdings(t.url, "ann", PASSWORD)).boxes["Sent Mail"].length;
    const forged = crlf([
      "From: Bob <bob@example.test>",
      "To: bob@example.test",
      "Subject: from me",
      "",
      "Hi.",
    ]);
    const r = await smtplib<{ mail: string; data: string }>(
      target,
      `
      s = connected()
      s.login("ann", "${PASSWORD}")
      mail = reply(*s.mail("bob@example.test"))
      s.rset()
      s.mail("ann@example.test")
      s.rcpt("bob@example.test")
      data = reply(*s.data(${JSON.stringify(forged)}.encode()))
      s.quit()
      print(json.dumps({"mail": mail, "data": data}))
    `,
    );
    expect(r.mail).toMatch(/^553 5\.7\.1 .*bob@example\.test/);
    expect(r.data).toMatch(/^550 5\.7\.1 .*bob@example\.test/);
    expect((await holdings(t.url, "ann", PASSWORD)).boxes["Sent Mail"].length).toBe(sentBefore);
    expect((await holdings(t.url, "bob", PASSWORD)).boxes.INBOX.length).toBe(before.boxes.INBOX.length);
  });

  it("takes a message from swaks over STARTTLS with AUTH LOGIN", async () => {
    const run = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn(
        "swaks",
        [
          ...["--server", "127.0.0.1", "--port", String(target.port), "--tls"],
          ...["--auth", "LOGIN", "--auth-user", "bob", "--auth-password", PASSWORD],
          ...["--from", "bob@example.test", "--to", "ann@example.test", "--helo", "swaks.example.test"],
          ...["--header", "From: bob@example.test", "--header", "Subject: swaks", "--body", "From swaks."],
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (out += d.toString()));
      child.once("error", reject);
      child.once("close", (code) => resolve({ code, out }));
    });
    expect(run.out, run.out).toMatch(/<~ {2}250 2\.0\.0 Ok: queued as \S+/);
    expect(run.code).toBe(0);
    const ann = await holdings(t.url, "ann", PASSWORD);
    expect(ann.boxes.INBOX.some((m) => m.toString().includes("From swaks."))).toBe(true);
  });
});

describe("Submission to a remote address", () => {
  it("queues it, and the remote MX (a real smtp-server on loopback) receives exactly the Sent copy", async () => {
    const sink = new SmtpSink({ starttls: false });
    const relay = `smtp://127.0.0.1:${await sink.listen()}`;
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-submission-remote-"));
    const t = await startTestEider({
      dataDir,
      env: { EIDER_OUTBOUND_MODE: "smarthost", EIDER_OUTBOUND_RELAY: relay },
    });
    try {
      const user = await t.eider.core.users.create(ADMIN, { username: "dee", password: PASSWORD });
      await t.eider.core.users.addAddress(ADMIN, user.id, "dee@example.test");
      const message = crlf([
        "From: Dee <dee@example.test>",
        "To: Far <far@remote.example>",
        "Subject: out",
        "Date: Tue, 1 Dec 2026 09:10:00 +0000",
        "Message-ID: <out-1@example.test>",
        "",
        "Going out.",
      ]);
      const data = await smtplib<string>(
        {
          host: "localhost",
          port: t.eider.submission!.port,
          tlsPort: t.eider.submission!.tlsPort,
          cafile: path.join(dataDir, "tls", "self-signed.crt"),
        },
        `
        s = connected()
        s.login("dee", "${PASSWORD}")
        s.mail("dee@example.test")
        s.rcpt("far@remote.example")
        print(json.dumps(reply(*s.data(${JSON.stringify(message)}.encode()))))
        s.quit()
      `,
      );
      expect(data).toMatch(/^250 2\.0\.0 Ok: queued as \S+$/);
      const [received] = await sink.waitForMessages(1);
      expect(received.mailFrom).toBe("dee@example.test");
      expect(received.rcptTo).toEqual(["far@remote.example"]);
      const [sent] = (await holdings(t.url, "dee", PASSWORD)).boxes["Sent Mail"];
      expect(received.raw.equals(sent)).toBe(true);
      expect(sent.subarray(sent.length - message.length).toString("latin1")).toBe(message);
    } finally {
      await t.stop();
      await sink.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("eider serve and the submission sidecar", () => {
  beforeAll(async () => {
    await ensureBuild();
  });

  it("--only submission serves submission without the API and names both ports in the banner", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-submission-serve-"));
    try {
      const env = { EIDER_DATA_DIR: dataDir, EIDER_LOG_LEVEL: "warn", EIDER_HTTP_PORT: "0" };
      const add = await runEider(
        ["user", "add", "cy", "--password", PASSWORD, "--address", "cy@example.test"],
        env,
      );
      expect(add.code).toBe(0);
      const [port, tlsPort] = [await freePort(), await freePort()];
      const eider = await serveEider(
        { ...env, EIDER_SUBMISSION_PORT: String(port), EIDER_SUBMISSION_TLS_PORT: String(tlsPort) },
        ["--only", "submission"],
      );
      try {
        expect(eider.url).toBe("");
        expect(eider.banner).toContain(
          `SMTP submission: 127.0.0.1:${port} (STARTTLS), 127.0.0.1:${tlsPort} (TLS)`,
        );
        expect(eider.banner).not.toContain("IMAP");
        const auth = await smtplib<string>(
          { host: "localhost", port, tlsPort, cafile: path.join(dataDir, "tls", "self-signed.crt") },
          `
          s = smtplib.SMTP_SSL(host, tls_port, context=context)
          print(json.dumps(reply(*s.login("cy", "${PASSWORD}"))))
          s.quit()
        `,
        );
        expect(auth).toBe("235 2.7.0 Authentication successful");
      } finally {
        expect((await eider.stop()).code).toBe(0);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

// LMTP driven by swaks (Debian's SMTP test tool, `--protocol LMTP`) against a real Eider whose users were made
// with `eider user add` / `eider user disable`: mixed per-recipient results, a message over the size limit,
// and PIPELINING. What was stored is read back over the API as the user.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuild } from "../../../test/cli/ensure-build.js";
import { runEider } from "../../../test/cli/run-eider.js";
import { startTestEider, type TestEider } from "../../../test/harness/eider.js";
import { holdings } from "../../../test/harness/mailbox.js";
import { skipWithout, toolsMissing } from "../../../test/harness/tools.js";
import { swaks, swaksData } from "./swaks.js";
import { expectTraceThenData } from "./trace.js";

const MAX = 64 * 1024;
const PASSWORD = "a long secret";
const missing = toolsMissing(["swaks"]);

const message = (subject: string, body = "Hello from swaks.\r\n.a dot line\r\nlast line") =>
  Buffer.from(`From: s@remote.test\r\nTo: ann@example.com\r\nSubject: ${subject}\r\n\r\n${body}`);

describe.skipIf(skipWithout(missing))(`LMTP with swaks${missing ? ` (skipped: ${missing})` : ""}`, () => {
  let dataDir: string;
  let t: TestEider;
  let port: number;

  beforeAll(async () => {
    if (missing) throw new Error(missing);
    await ensureBuild();
    dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-swaks-"));
    const env = { EIDER_DATA_DIR: dataDir, EIDER_LOG_LEVEL: "warn" };
    for (const name of ["ann", "bea", "cid"]) {
      const add = await runEider(
        ["user", "add", name, "--password", PASSWORD, "--address", `${name}@example.com`],
        env,
      );
      expect(add.code, add.stderr).toBe(0);
    }
    expect((await runEider(["user", "disable", "cid"], env)).code).toBe(0);
    t = await startTestEider({ dataDir, maxMessageBytes: MAX });
    port = t.eider.lmtp!.port;
  });
  afterAll(async () => {
    await t?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers each recipient on its own (250, 550 5.1.1 unknown, 550 5.2.1 disabled, 250) and stores the two", async () => {
    const sent = message("mixed");
    const run = await swaks(
      port,
      [
        "--from",
        "s@remote.test",
        "--to",
        "ann@example.com,nobody@example.com,cid@example.com,bea@example.com",
      ],
      sent,
    );
    expect(run.code, run.transcript).toBe(0);
    const [greeting, lhlo, mail, ...rest] = run.replies.filter((r) => !r.startsWith("250-"));
    // LHLO's last line: XCLIENT, offered to loopback (the MX in front of Eider).
    expect([greeting, lhlo]).toEqual([
      expect.stringMatching(/^220 /),
      "250 XCLIENT NAME ADDR PORT PROTO HELO LOGIN",
    ]);
    expect(mail).toMatch(/^250 2\.1\.0 /);
    expect(rest.slice(0, 4)).toEqual([
      expect.stringMatching(/^250 2\.1\.5 /),
      expect.stringMatching(/^550 5\.1\.1 .*nobody@example\.com/),
      expect.stringMatching(/^550 5\.2\.1 .*cid/),
      expect.stringMatching(/^250 2\.1\.5 /),
    ]);
    // 354, then one reply per accepted recipient in RCPT order (RFC 2033 §4.2): swaks reads them all.
    expect(rest.slice(4)).toEqual([
      expect.stringMatching(/^354 /),
      expect.stringMatching(/^250 2\.\d\.\d .*<ann@example\.com>$/),
      expect.stringMatching(/^250 2\.\d\.\d .*<bea@example\.com>$/),
      expect.stringMatching(/^221 /),
    ]);
    for (const name of ["ann", "bea"]) {
      const { boxes } = await holdings(t.url, name, PASSWORD);
      expect(boxes.INBOX).toHaveLength(1);
      expectTraceThenData(boxes.INBOX[0], swaksData(sent), "s@remote.test", `${name}@example.com`, port);
    }
    expect((await holdings(t.url, "cid", PASSWORD).catch((e: Error) => e)) instanceof Error).toBe(true);
  });

  it("refuses a message over the size limit with 552 5.3.4 for every recipient and stores nothing", async () => {
    const before = await Promise.all(["ann", "bea"].map((n) => holdings(t.url, n, PASSWORD)));
    const big = message("too big", `${"x".repeat(998)}\r\n`.repeat(Math.ceil((2 * MAX) / 1000)) + "end");
    const run = await swaks(
      port,
      ["--from", "s@remote.test", "--to", "ann@example.com,bea@example.com"],
      big,
    );
    expect(run.code, run.transcript).toBe(26); // the message was refused after DATA
    const afterData = run.replies.slice(run.replies.findIndex((r) => r.startsWith("354 ")) + 1);
    expect(afterData).toEqual([
      expect.stringMatching(/^552 5\.3\.4 /),
      expect.stringMatching(/^552 5\.3\.4 /),
      expect.stringMatching(/^221 /),
    ]);
    const after = await Promise.all(["ann", "bea"].map((n) => holdings(t.url, n, PASSWORD)));
    expect(after).toEqual(before);
  });

  it("pipelines MAIL, RCPT and DATA in one write (--pipeline) and gets every reply in order", async () => {
    const sent = message("pipelined");
    const run = await swaks(
      port,
      ["--pipeline", "--from", "s@remote.test", "--to", "ann@example.com,nobody@example.com,bea@example.com"],
      sent,
    );
    expect(run.code, run.transcript).toBe(0);
    // After LHLO's reply, swaks sent MAIL, three RCPTs and DATA before it read anything: that is pipelining.
    const lhloReplyEnd = run.lines.findIndex((l) => l.dir === "reply" && /^250 /.test(l.text));
    expect(run.lines.slice(lhloReplyEnd + 1, lhloReplyEnd + 6)).toEqual([
      { dir: "sent", text: "MAIL FROM:<s@remote.test>" },
      { dir: "sent", text: "RCPT TO:<ann@example.com>" },
      { dir: "sent", text: "RCPT TO:<nobody@example.com>" },
      { dir: "sent", text: "RCPT TO:<bea@example.com>" },
      { dir: "sent", text: "DATA" },
    ]);
    expect(run.lines.slice(lhloReplyEnd + 6, lhloReplyEnd + 11).map((l) => l.text)).toEqual([
      expect.stringMatching(/^250 2\.1\.0 /),
      expect.stringMatching(/^250 2\.1\.5 /),
      expect.stringMatching(/^550 5\.1\.1 /),
      expect.stringMatching(/^250 2\.1\.5 /),
      expect.stringMatching(/^354 /),
    ]);
    for (const name of ["ann", "bea"]) {
      const { boxes } = await holdings(t.url, name, PASSWORD);
      expectTraceThenData(boxes.INBOX[0], swaksData(sent), "s@remote.test", `${name}@example.com`, port);
    }
  });
});

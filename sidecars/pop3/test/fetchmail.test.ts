// fetchmail (Debian's) draining Eider's POP3 sidecar, users made with `eider user add` and mail delivered over
// LMTP: each message reaches the MDA as stored (fetchmail adds only its own Received line), the drained
// INBOX ends up in Trash (the POP3 DELE default), a second run finds nothing; once over cleartext from
// loopback, once over STLS verified against the generated certificate with --keep and UIDL memory.
import { mkdtempSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuild } from "../../../test/cli/ensure-build.js";
import { runEider } from "../../../test/cli/run-eider.js";
import { startTestEider, type TestEider } from "../../../test/harness/eider.js";
import { holdings } from "../../../test/harness/mailbox.js";
import { skipWithout, toolsMissing } from "../../../test/harness/tools.js";
import { TlsCertificates } from "../../shared/tls.js";
import { pythonLmtp } from "../../lmtp/test/clients.js";
import { fetchmail } from "./fetchmail.js";

const PASSWORD = "a long secret";
const missing = toolsMissing(["fetchmail"]);
const crlf = (lines: string[]) => Buffer.from(lines.join("\r\n"));

const MESSAGES = [
  crlf(["From: a@example.net", "Subject: dots", "", ".leading dot", "..two", ".", "end", ""]),
  crlf([
    "From: b@example.net",
    "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    "Grüße aus Köln, ½ € — 8-bit bytes as they came",
    "",
  ]),
  crlf([
    "From: c@example.net",
    "Subject: attachment",
    "Content-Type: multipart/mixed; boundary=q",
    "",
    "--q",
    "Content-Type: application/octet-stream",
    "Content-Transfer-Encoding: base64",
    "",
    randomBytes(150_000).toString("base64").replace(/.{76}/g, "$&\r\n"),
    "--q--",
    "",
  ]),
];

/** fetchmail's own trace field, which it puts after Return-Path and Delivered-To; everything else is the server's. */
const FETCHMAIL_RECEIVED =
  /Received: from \S+ \[127\.0\.0\.1\]\r\n\tby \S+ with POP3 \(fetchmail-[\d.]+\)\r\n(?:\t[^\r\n]*\r\n)*/;

function withoutFetchmailTrace(delivered: Buffer): Buffer {
  const text = delivered.toString("latin1");
  const m = FETCHMAIL_RECEIVED.exec(text);
  expect(m, `fetchmail's Received line in:\n${text.slice(0, 600)}`).not.toBeNull();
  return Buffer.from(text.slice(0, m!.index) + text.slice(m!.index + m![0].length), "latin1");
}

const sorted = (list: Buffer[]) => [...list].sort(Buffer.compare);

describe.skipIf(skipWithout(missing))(
  `POP3 drained by fetchmail${missing ? ` (skipped: ${missing})` : ""}`,
  () => {
    const dirs: string[] = [];
    const tempDir = (prefix: string) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    };
    let dataDir: string;
    let t: TestEider;
    let lmtpPort: number;
    let pop3Port: number;

    const deliver = async (user: string, data: Buffer) => {
      const r = await pythonLmtp(lmtpPort, {
        from: "sender@example.net",
        rcpts: [`${user}@example.org`],
        data,
        mailOptions: ["BODY=8BITMIME"],
      });
      expect(r.data).toEqual([[250, expect.any(String)]]);
    };

    beforeAll(async () => {
      if (missing) throw new Error(missing);
      await ensureBuild();
      dataDir = tempDir("eider-fetchmail-");
      for (const name of ["fay", "gus"]) {
        const add = await runEider(
          ["user", "add", name, "--password", PASSWORD, "--address", `${name}@example.org`],
          { EIDER_DATA_DIR: dataDir, EIDER_LOG_LEVEL: "warn" },
        );
        expect(add.code, add.stderr).toBe(0);
      }
      t = await startTestEider({ dataDir });
      lmtpPort = t.eider.lmtp!.port;
      pop3Port = t.eider.pop3!.port;
    });
    afterAll(async () => {
      await t?.stop();
      dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
    });

    it("drains a mailbox over cleartext from loopback: every message as stored, the INBOX moved to Trash, then nothing", async () => {
      for (const m of MESSAGES) await deliver("fay", m);
      const stored = (await holdings(t.url, "fay", PASSWORD)).boxes.INBOX;
      expect(stored).toHaveLength(MESSAGES.length);
      const home = tempDir("fetchmail-home-");

      const first = await fetchmail(home, { port: pop3Port, user: "fay", password: PASSWORD, keep: false });
      expect(first.code, first.transcript).toBe(0);
      expect(first.transcript).toMatch(/POP3< STLS/); // offered
      expect(first.transcript).not.toContain("POP3> STLS"); // and not taken: sslproto ""
      expect(first.transcript).toMatch(/POP3> PASS/);
      expect(first.messages).toHaveLength(MESSAGES.length);
      // Each one ends with the DATA the LMTP client sent, and is the server's stored copy but for fetchmail's line.
      for (const delivered of first.messages)
        expect(MESSAGES.some((m) => delivered.subarray(delivered.length - m.length).equals(m))).toBe(true);
      expect(sorted(first.messages.map(withoutFetchmailTrace))).toEqual(sorted(stored));

      const after = await holdings(t.url, "fay", PASSWORD);
      expect(after.boxes.INBOX).toEqual([]);
      expect(sorted(after.boxes.Trash)).toEqual(sorted(stored));

      const second = await fetchmail(home, { port: pop3Port, user: "fay", password: PASSWORD, keep: false });
      expect(second.code, second.transcript).toBe(1); // "no mail"
      expect(second.messages).toEqual([]);
    });

    it("over STLS verified against the generated certificate with --keep: the mail stays, UIDLs make the next run skip it", async () => {
      const cafile = path.join(dataDir, "tls", "self-signed.crt");
      for (const m of MESSAGES.slice(0, 2)) await deliver("gus", m);
      const stored = (await holdings(t.url, "gus", PASSWORD)).boxes.INBOX;
      const home = tempDir("fetchmail-home-");
      const poll = { port: pop3Port, user: "gus", password: PASSWORD, keep: true, cafile };

      const first = await fetchmail(home, poll);
      expect(first.code, first.transcript).toBe(0);
      // The password went only over TLS: STLS came before USER.
      const stls = first.transcript.indexOf("POP3> STLS");
      expect(stls).toBeGreaterThan(0);
      expect(first.transcript.indexOf("POP3> USER")).toBeGreaterThan(stls);
      expect(sorted(first.messages.map(withoutFetchmailTrace))).toEqual(sorted(stored));
      expect((await holdings(t.url, "gus", PASSWORD)).boxes.INBOX).toEqual(stored);

      const second = await fetchmail(home, poll);
      expect(second.code, second.transcript).toBe(1);
      expect(second.messages).toEqual([]);

      // A new message: the next run fetches that one alone (the UIDLs of the kept ones did not change).
      await deliver("gus", MESSAGES[2]);
      const third = await fetchmail(home, poll);
      expect(third.code, third.transcript).toBe(0);
      expect(third.messages).toHaveLength(1);
      expect(
        third.messages[0].subarray(third.messages[0].length - MESSAGES[2].length).equals(MESSAGES[2]),
      ).toBe(true);
    });

    it("refuses to log in when the certificate does not verify against the given CA", async () => {
      const other = await TlsCertificates.load({ dataDir: tempDir("other-ca-"), hostname: "other.test" });
      const cafile = path.join(dirs[dirs.length - 1], "tls", "self-signed.crt");
      expect(other.generated).toBe(true);
      const run = await fetchmail(tempDir("fetchmail-home-"), {
        port: pop3Port,
        user: "gus",
        password: PASSWORD,
        keep: true,
        cafile,
      });
      expect(run.code).not.toBe(0);
      expect(run.code).not.toBe(1);
      expect(run.transcript).not.toContain("POP3> USER");
      expect(run.messages).toEqual([]);
    });
  },
);

// curl's imap:// URLs (RFC 5092) and neomutt reading over IMAP, against Eider: curl lists the mailboxes and
// fetches a message by UID, byte for byte as stored; neomutt finds a message by Message-ID and pipes it out.
import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { holdings } from "../../../test/harness/mailbox.js";
import { skipWithout, toolsMissing } from "../../../test/harness/tools.js";
import { neomuttRead } from "./neomutt.js";
import { message, PASSWORD, startImapTestServer, type ImapTestServer } from "./server.js";

const missing = toolsMissing(["curl", "neomutt", "script"]);

function curl(args: string[]): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      "curl",
      ["--silent", "--show-error", ...args],
      { encoding: "buffer", timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr: stderr.toString() }),
    );
  });
}

describe.skipIf(skipWithout(missing))(
  `curl and neomutt against Eider${missing ? ` (skipped: ${missing})` : ""}`,
  () => {
    let s: ImapTestServer;
    beforeAll(async () => {
      if (missing) throw new Error(missing);
      s = await startImapTestServer(["ora"]);
      await s.deliver("ora", message("c1", "For curl"));
      await s.deliver("ora", message("c2", "For neomutt", "neomutt reads this body."));
    }, 180_000);
    afterAll(() => s?.stop());

    it("curl lists the mailboxes and fetches INBOX;UID=1 as stored", async () => {
      const base = `imap://127.0.0.1:${s.imapPort}`;
      const user = ["--user", `ora:${PASSWORD}`];
      const list = await curl([...user, `${base}/`]);
      expect(list.code, list.stderr).toBe(0);
      const names = list.stdout
        .toString()
        .trim()
        .split("\r\n")
        .map((l) => /^\* LIST \([^)]*\) (?:"."|NIL|"\/") "?([^"]*)"?$/.exec(l)?.[1]);
      expect(names).toEqual(
        expect.arrayContaining(["INBOX", "Drafts", "Sent Mail", "Trash", "Junk", "Archive"]),
      );

      const one = await curl([...user, `${base}/INBOX;UID=1`]);
      expect(one.code, one.stderr).toBe(0);
      const stored = (await holdings(s.t.url, "ora", PASSWORD)).boxes.INBOX;
      const first = stored.find((m) => m.includes("Subject: For curl"))!;
      expect(one.stdout.equals(first)).toBe(true);

      // A UID that does not exist: curl reports the failure instead of printing a message.
      const none = await curl([...user, `${base}/INBOX;UID=99`]);
      expect(none.stdout.length).toBe(0);
    });

    it("neomutt, run in a pseudo-terminal with its keys pushed, reads a message and pipes it out", async () => {
      const r = await neomuttRead({
        port: s.imapPort,
        user: "ora",
        password: PASSWORD,
        messageId: "c2@example.net",
        home: s.tempDir("neomutt-"),
      });
      expect(r.code).toBe(0);
      expect(r.message, r.screen.slice(-2000)).not.toBeNull();
      const text = r.message!.toString();
      expect(text).toContain("Subject: For neomutt");
      expect(text).toContain("Message-ID: <c2@example.net>");
      expect(text).toContain("neomutt reads this body.");
      expect(text).not.toContain("For curl");
    });
  },
);

// mbsync (Debian's isync) syncing Eider's INBOX with a Maildir both ways, over cleartext from loopback and
// over STARTTLS with the generated certificate: a message delivered to Eider reaches the Maildir, one written
// into the Maildir reaches Eider, a flag changed on either side reaches the other, and a run with nothing
// changed changes nothing (exit status 0, every counter 0, both sides as they were).
import { readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { holdings } from "../../../test/harness/mailbox.js";
import { skipWithout, toolsMissing } from "../../../test/harness/tools.js";
import { maildirOf, mbsync, type MbsyncAccount } from "./mbsync.js";
import { flagsByUid, loggedIn } from "./raw-imap.js";
import { message, PASSWORD, startImapTestServer, type ImapTestServer } from "./server.js";

const missing = toolsMissing(["mbsync", "script"]);

/** The Maildir's messages: file name (without its flags) -> flags and bytes. */
function maildir(home: string): Map<string, { flags: string; bytes: Buffer; file: string }> {
  const out = new Map<string, { flags: string; bytes: Buffer; file: string }>();
  for (const sub of ["new", "cur"])
    for (const name of readdirSync(path.join(maildirOf(home), sub))) {
      const file = path.join(maildirOf(home), sub, name);
      const [base, info = ""] = name.split(":2,");
      out.set(base, { flags: info, bytes: readFileSync(file), file });
    }
  return out;
}

const lfOnly = (raw: Buffer) => Buffer.from(raw.toString("latin1").replace(/\r\n/g, "\n"), "latin1");

/** mbsync marks the copies it makes with an X-TUID header line (to match them up); the rest is as written. */
const withoutTuid = (raw: Buffer) =>
  Buffer.from(raw.toString("latin1").replace(/^X-TUID: \S+\r?\n/m, ""), "latin1");

describe.skipIf(skipWithout(missing))(
  `mbsync against Eider${missing ? ` (skipped: ${missing})` : ""}`,
  () => {
    let s: ImapTestServer;
    beforeAll(async () => {
      if (missing) throw new Error(missing);
      s = await startImapTestServer(["max", "ned"]);
    }, 180_000);
    afterAll(() => s?.stop());

    const syncBothWays = async (user: string, cafile?: string) => {
      const account: MbsyncAccount = {
        port: s.imapPort,
        user,
        password: PASSWORD,
        cafile,
        home: s.tempDir("mbsync-"),
      };
      await s.deliver(user, message("m1", "First"));
      await s.deliver(user, message("m2", "Second"));

      const first = await mbsync(account);
      expect(first.code, first.output).toBe(0);
      expect([first.far, first.near], first.output).toEqual([
        { added: 0, flagged: 0, trashed: 0 },
        { added: 2, flagged: 0, trashed: 0 },
      ]);
      const stored = (await holdings(s.t.url, user, PASSWORD)).boxes.INBOX;
      const local = maildir(account.home);
      // mbsync writes Maildir files with the local line end, LF, and its X-TUID line: otherwise byte for byte.
      expect([...local.values()].map((m) => withoutTuid(m.bytes)).sort(Buffer.compare)).toEqual(
        stored.map(lfOnly).sort(Buffer.compare),
      );

      // Changes on both sides: a message written into the Maildir and one flagged there; a delivery and a flag on Eider.
      const written = message("local", "Written into the Maildir");
      writeFileSync(path.join(maildirOf(account.home), "new", "1796100000.local.test"), written);
      const [firstLocal] = [...local.values()].filter((m) => m.bytes.includes("Subject: First"));
      renameSync(
        firstLocal.file,
        path.join(maildirOf(account.home), "cur", `${path.basename(firstLocal.file).split(":2,")[0]}:2,F`),
      );
      await s.deliver(user, message("m3", "Third"));
      const imap = await loggedIn(s.imapPort, user, PASSWORD);
      expect((await imap.status("S", "SELECT INBOX")).status).toBe("OK");
      expect((await imap.status("T", "UID STORE 2 +FLAGS.SILENT (\\Seen)")).status).toBe("OK");
      await imap.command("Z", "LOGOUT");
      imap.destroy();

      const second = await mbsync(account);
      expect(second.code, second.output).toBe(0);
      expect([second.far, second.near], second.output).toEqual([
        { added: 1, flagged: 1, trashed: 0 },
        { added: 1, flagged: 1, trashed: 0 },
      ]);
      const after = (await holdings(s.t.url, user, PASSWORD)).boxes.INBOX;
      expect(after).toHaveLength(4);
      expect(after.map(withoutTuid).some((m) => m.equals(written))).toBe(true);
      const flags = await flagsByUid(s.imapPort, user, PASSWORD);
      expect(flags.get(1)).toEqual(["\\Flagged"]);
      expect(flags.get(2)).toEqual(["\\Seen"]);
      const synced = maildir(account.home);
      expect(synced.size).toBe(4);
      expect([...synced.values()].find((m) => m.bytes.includes("Subject: Second"))?.flags).toBe("S");
      expect([...synced.values()].some((m) => m.bytes.includes("Subject: Third"))).toBe(true);

      // Nothing changed since: nothing to do, and nothing done on either side.
      const third = await mbsync(account);
      expect(third.code, third.output).toBe(0);
      expect([third.far, third.near], third.output).toEqual([
        { added: 0, flagged: 0, trashed: 0 },
        { added: 0, flagged: 0, trashed: 0 },
      ]);
      expect(await flagsByUid(s.imapPort, user, PASSWORD)).toEqual(flags);
      expect((await holdings(s.t.url, user, PASSWORD)).boxes.INBOX).toEqual(after);
      expect([...maildir(account.home).entries()].map(([k, v]) => [k, v.flags]).sort()).toEqual(
        [...synced.entries()].map(([k, v]) => [k, v.flags]).sort(),
      );
    };

    it(
      "syncs both ways over cleartext from loopback, then finds nothing to do",
      () => syncBothWays("max"),
      60_000,
    );

    it(
      "syncs both ways over STARTTLS verified against the generated certificate",
      () => syncBothWays("ned", s.cafile),
      60_000,
    );
  },
);

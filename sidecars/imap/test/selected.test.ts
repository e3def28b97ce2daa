// The selected state over a real socket against a real Eider (embedded store, in-process bus): SELECT and
// EXAMINE byte for byte, updates between two sessions (IDLE and NOOP), where EXPUNGE may and may not be sent,
// STORE with UNCHANGEDSINCE, COPY/MOVE with COPYUID, EXPUNGE, CLOSE and QRESYNC.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simpleMessage } from "../../../test/api/fixtures.js";
import {
  createUser,
  startTestEider,
  upload,
  type TestEider,
  type TestUser,
} from "../../../test/harness/eider.js";
import { RawImap } from "./raw-imap.js";

let t: TestEider;
let port: number;
let seq = 0;

beforeAll(async () => {
  t = await startTestEider();
  port = t.eider.imap!.port;
});
afterAll(async () => t?.stop());

/** A fresh user with `count` messages in INBOX; message i (from 1) is flagged as `flags[i - 1]` says. */
async function userWith(count: number, flags: string[][] = []): Promise<{ user: TestUser; name: string }> {
  const name = `sel${++seq}`;
  const user = await createUser(t.url, name);
  for (let i = 1; i <= count; i++)
    await upload(
      t.url,
      user,
      simpleMessage({ subject: `m${i}`, messageId: `<${name}.${i}@t>` }),
      user.inbox,
      flags[i - 1] ?? [],
    );
  return { user, name };
}

async function loggedIn(name: string): Promise<RawImap> {
  const { imap } = await RawImap.open(port);
  expect((await imap.status("L", `LOGIN ${name} pw-${name}-secret`)).status).toBe("OK");
  return imap;
}

const lines = (rs: { line: string }[]) => rs.map((r) => r.line);
/** The next response that matches, skipping others (keep-alives). */
async function nextMatching(imap: RawImap, pattern: RegExp): Promise<string> {
  for (;;) {
    const r = await imap.next();
    if (pattern.test(r.line)) return r.line;
  }
}
describe("IMAP SELECT and EXAMINE", () => {
  it("answers SELECT with FLAGS, PERMANENTFLAGS, EXISTS, RECENT, UNSEEN, UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, READ-WRITE", async () => {
    const { name } = await userWith(3, [["\\Seen"], [], ["\\Seen", "$Work"]]);
    const imap = await loggedIn(name);
    const answer = lines(await imap.command("S1", "SELECT INBOX"));
    const validity = /UIDVALIDITY (\d+)/.exec(answer.join("\n"))![1];
    const modseq = /HIGHESTMODSEQ (\d+)/.exec(answer.join("\n"))![1];
    expect(Number(modseq)).toBeGreaterThan(0);
    expect(answer).toEqual([
      "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)",
      "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work \\*)] Flags permitted.",
      "* 3 EXISTS",
      "* 0 RECENT",
      "* OK [UNSEEN 2] First unseen.",
      `* OK [UIDVALIDITY ${validity}] UIDs valid.`,
      "* OK [UIDNEXT 4] Predicted next UID.",
      `* OK [HIGHESTMODSEQ ${modseq}] Highest.`,
      "S1 OK [READ-WRITE] SELECT completed.",
    ]);
    // Selecting again closes the first (RFC 7162 §3.2.11); EXAMINE offers no permanent flags.
    const examined = lines(await imap.command("S2", "EXAMINE inbox"));
    expect(examined[0]).toBe("* OK [CLOSED] Previous mailbox closed.");
    expect(examined).toContain("* OK [PERMANENTFLAGS ()] No permanent flags permitted.");
    expect(examined[examined.length - 1]).toBe("S2 OK [READ-ONLY] EXAMINE completed.");
    imap.destroy();
  });

  it("leaves no mailbox selected after a failed SELECT, and refuses QRESYNC before ENABLE", async () => {
    const { name } = await userWith(1);
    const imap = await loggedIn(name);
    await imap.command("S1", "SELECT INBOX");
    const failed = lines(await imap.command("S2", "SELECT Nowhere"));
    expect(failed[0]).toBe("* OK [CLOSED] Previous mailbox closed.");
    expect(failed[failed.length - 1]).toMatch(/^S2 NO \[NONEXISTENT\]/);
    expect((await imap.status("S3", "CLOSE")).status).toBe("BAD");
    expect((await imap.status("S4", "SELECT INBOX (QRESYNC (1 1))")).status).toBe("BAD");
    expect((await imap.status("S5", "SELECT INBOX (FOO)")).status).toBe("BAD");
    imap.destroy();
  });

  it("EXAMINE never changes flags: STORE, EXPUNGE and MOVE are refused and CLOSE expunges nothing", async () => {
    const { name } = await userWith(2, [["\\Deleted"]]);
    const imap = await loggedIn(name);
    await imap.command("E1", "EXAMINE INBOX");
    expect((await imap.status("E2", "STORE 1 +FLAGS (\\Seen)")).status).toBe("NO");
    expect((await imap.status("E3", "EXPUNGE")).status).toBe("NO");
    expect((await imap.status("E4", "UID MOVE 1 Archive")).status).toBe("NO");
    expect(lines(await imap.command("E4a", "FETCH 1 (BODY[])")).join("\n")).not.toContain("\\Seen");
    expect((await imap.status("E5", "CLOSE")).status).toBe("OK");
    const reselected = lines(await imap.command("E6", "SELECT INBOX"));
    expect(reselected).toContain("* 2 EXISTS");
    expect(reselected).toContain("* OK [UNSEEN 1] First unseen."); // the BODY[] in EXAMINE set no \\Seen
    // CLOSE in a read-write mailbox expunges \Deleted silently.
    expect(lines(await imap.command("E7", "CLOSE"))).toEqual(["E7 OK CLOSE completed."]);
    expect(lines(await imap.command("E8", "SELECT INBOX"))).toContain("* 1 EXISTS");
    expect(lines(await imap.command("E9", "UNSELECT"))).toEqual(["E9 OK UNSELECT completed."]);
    imap.destroy();
  });
});

describe("IMAP updates between sessions", () => {
  it("IDLE shows a GraphQL upload as EXISTS, another session's STORE as FETCH and its EXPUNGE as EXPUNGE", async () => {
    const { user, name } = await userWith(2);
    const watcher = await loggedIn(name);
    const actor = await loggedIn(name);
    await watcher.command("W1", "SELECT INBOX");
    await actor.command("A1", "SELECT INBOX");
    watcher.send("W2 IDLE\r\n");
    expect((await watcher.next()).line).toBe("+ idling");
    await upload(t.url, user, simpleMessage({ subject: "new", messageId: `<${name}.new@t>` }));
    expect(await nextMatching(watcher, /EXISTS/)).toBe("* 3 EXISTS");
    await actor.command("A2", "STORE 1 +FLAGS (\\Flagged)");
    expect(await nextMatching(watcher, /FETCH/)).toBe("* 1 FETCH (UID 1 FLAGS (\\Flagged))");
    await actor.command("A3", "STORE 2 +FLAGS (\\Deleted)");
    await actor.command("A4", "EXPUNGE");
    expect(await nextMatching(watcher, /EXPUNGE/)).toBe("* 2 EXPUNGE");
    watcher.send("DONE\r\n");
    expect((await watcher.until("W2")).pop()!.line).toBe("W2 OK IDLE terminated.");
    watcher.destroy();
    actor.destroy();
  });

  it("holds EXPUNGE during STORE but tells it during UID STORE and NOOP; a STORE on it is skipped", async () => {
    const { name } = await userWith(3);
    const viewer = await loggedIn(name);
    const actor = await loggedIn(name);
    await viewer.command("V1", "SELECT INBOX");
    await actor.command("A1", "SELECT INBOX");
    await actor.command("A2", "STORE 1 +FLAGS.SILENT (\\Deleted)");
    await actor.command("A3", "EXPUNGE");
    // STORE may not tell the expunge (RFC 3501 §7.4.1): message 1 is still 1 to the viewer, and its STORE is
    // answered OK without changing anything (RFC 2180 §4.2.1).
    const stored = lines(await viewer.command("V2", "STORE 1:2 +FLAGS (\\Seen)"));
    expect(stored.filter((l) => /EXPUNGE/.test(l))).toEqual([]);
    expect(stored).toContain("* 2 FETCH (UID 2 FLAGS (\\Seen))");
    expect(stored[stored.length - 1]).toBe("V2 OK STORE completed.");
    const uidStored = lines(await viewer.command("V3", "UID STORE 3 +FLAGS (\\Seen)"));
    expect(uidStored).toEqual([
      "* 3 FETCH (UID 3 FLAGS (\\Seen))",
      "* 1 EXPUNGE",
      "V3 OK UID STORE completed.",
    ]);
    await actor.command("A4", "UID STORE 2 +FLAGS.SILENT (\\Deleted)");
    await actor.command("A5", "EXPUNGE");
    expect(lines(await viewer.command("V4", "NOOP"))).toContain("* 1 EXPUNGE");
    viewer.destroy();
    actor.destroy();
  });
  it("holds EXPUNGE during FETCH and SEARCH, and tells it during UID FETCH", async () => {
    const { name } = await userWith(3);
    const viewer = await loggedIn(name);
    const actor = await loggedIn(name);
    await viewer.command("V1", "SELECT INBOX");
    await actor.command("A1", "SELECT INBOX");
    await actor.command("A2", "STORE 1 +FLAGS.SILENT (\\Deleted)");
    await actor.command("A3", "EXPUNGE");
    const fetched = lines(await viewer.command("V2", "FETCH 1:3 (UID)"));
    expect(fetched.filter((l) => /EXPUNGE/.test(l))).toEqual([]);
    expect(fetched[fetched.length - 1]).toMatch(/^V2 OK/);
    const searched = lines(await viewer.command("V3", "SEARCH ALL"));
    expect(searched.filter((l) => /EXPUNGE/.test(l))).toEqual([]);
    expect(searched[searched.length - 1]).toMatch(/^V3 OK/);
    const uidFetched = lines(await viewer.command("V4", "UID FETCH 2 (UID)"));
    expect(uidFetched).toContain("* 1 EXPUNGE");
    expect(uidFetched[uidFetched.length - 1]).toMatch(/^V4 OK/);
    viewer.destroy();
    actor.destroy();
  });
  it("tells every message of a mailbox another session deleted as expunged", async () => {
    const { name } = await userWith(2);
    const viewer = await loggedIn(name);
    const actor = await loggedIn(name);
    await viewer.command("V1", "SELECT INBOX");
    expect((await viewer.status("V1a", "CREATE Projects")).status).toBe("OK");
    await viewer.command("V2", "UID COPY 1:2 Projects");
    expect(lines(await viewer.command("V3", "SELECT Projects"))).toContain("* 2 EXISTS");
    expect((await actor.status("A1", "DELETE Projects")).status).toBe("OK");
    expect(lines(await viewer.command("V4", "NOOP"))).toEqual([
      "* 2 EXPUNGE",
      "* 1 EXPUNGE",
      "V4 OK NOOP completed.",
    ]);
    viewer.destroy();
    actor.destroy();
  });
});

describe("IMAP STORE, COPY, MOVE, EXPUNGE", () => {
  it("STORE with UNCHANGEDSINCE answers OK [MODIFIED] for a message changed since, and changes the rest", async () => {
    const { name } = await userWith(2);
    const imap = await loggedIn(name);
    const selected = lines(await imap.command("C1", "SELECT INBOX (CONDSTORE)"));
    const modseq = Number(/HIGHESTMODSEQ (\d+)/.exec(selected.join("\n"))![1]);
    const first = lines(await imap.command("C2", "STORE 1 +FLAGS (\\Seen)"));
    const changed = Number(/MODSEQ \((\d+)\)/.exec(first[0])![1]);
    expect(first[0]).toBe(`* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (${changed}))`);
    expect(changed).toBeGreaterThan(modseq);
    const conditional = lines(
      await imap.command("C3", `STORE 1:2 (UNCHANGEDSINCE ${modseq}) +FLAGS (\\Flagged)`),
    );
    expect(conditional[conditional.length - 1]).toMatch(/^C3 OK \[MODIFIED 1\]/);
    expect(conditional.filter((l) => l.startsWith("* 2 FETCH"))).toHaveLength(1);
    const byUid = lines(await imap.command("C4", `UID STORE 1 (UNCHANGEDSINCE ${modseq}) FLAGS.SILENT ()`));
    expect(byUid[byUid.length - 1]).toMatch(/^C4 OK \[MODIFIED 1\]/);
    expect((await imap.status("C5", "STORE 1 +FLAGS (\\Recent)")).status).toBe("BAD");
    expect((await imap.status("C6", "STORE 3 +FLAGS (\\Seen)")).status).toBe("BAD");
    imap.destroy();
  });

  it("COPY and MOVE answer COPYUID; MOVE tells COPYUID untagged, then the expunges; a missing target is TRYCREATE", async () => {
    const { name } = await userWith(4);
    const imap = await loggedIn(name);
    await imap.command("M1", "SELECT INBOX");
    const copied = lines(await imap.command("M2", "UID COPY 1:2 Archive"));
    expect(copied).toHaveLength(1);
    const [, v] = /^M2 OK \[COPYUID (\d+) 1:2 1:2\] UID COPY completed\.$/.exec(copied[0]) ?? [];
    expect(v).toBeDefined();
    expect(lines(await imap.command("M3", "COPY 4 Nowhere"))).toEqual([
      'M3 NO [TRYCREATE] Mailbox "Nowhere" does not exist.',
    ]);
    expect(lines(await imap.command("M4", "MOVE 2:3 Archive"))).toEqual([
      `* OK [COPYUID ${v} 2:3 3:4] Moved.`,
      "* 3 EXPUNGE",
      "* 2 EXPUNGE",
      "M4 OK MOVE completed.",
    ]);
    imap.destroy();
  });

  it("COPY past the quota is NO [OVERQUOTA] and copies nothing", async () => {
    const name = `sel${++seq}`;
    const user = await createUser(t.url, name, [], 1500);
    for (let i = 1; i <= 2; i++)
      await upload(
        t.url,
        user,
        simpleMessage({ subject: `q${i}`, messageId: `<${name}.${i}@t>`, body: "x".repeat(300) }),
      );
    const imap = await loggedIn(name);
    expect(lines(await imap.command("Q1", "SELECT INBOX"))).toContain("* 2 EXISTS");
    expect((await imap.status("Q2", "COPY 1:2 Archive")).line).toMatch(/^Q2 NO \[OVERQUOTA\] /);
    expect(lines(await imap.command("Q3", "EXAMINE Archive"))).toContain("* 0 EXISTS");
    imap.destroy();
  });

  it("tells a new keyword set by another session in FLAGS and PERMANENTFLAGS before its FETCH", async () => {
    const { name } = await userWith(1);
    const viewer = await loggedIn(name);
    const actor = await loggedIn(name);
    await viewer.command("V1", "SELECT INBOX");
    await actor.command("A1", "SELECT INBOX");
    await actor.command("A2", "STORE 1 +FLAGS.SILENT ($Project)");
    expect(lines(await viewer.command("V2", "NOOP"))).toEqual([
      "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Project)",
      "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Project \\*)] Flags permitted.",
      "* 1 FETCH (UID 1 FLAGS ($Project))",
      "V2 OK NOOP completed.",
    ]);
    viewer.destroy();
    actor.destroy();
  });

  it("EXPUNGE tells each removed message; UID EXPUNGE only those of its set", async () => {
    const { name } = await userWith(4, [["\\Deleted"], [], ["\\Deleted"], ["\\Deleted"]]);
    const imap = await loggedIn(name);
    await imap.command("X1", "SELECT INBOX");
    expect(lines(await imap.command("X2", "UID EXPUNGE 3:4"))).toEqual([
      "* 4 EXPUNGE",
      "* 3 EXPUNGE",
      "X2 OK UID EXPUNGE completed.",
    ]);
    expect(lines(await imap.command("X3", "EXPUNGE"))).toEqual(["* 1 EXPUNGE", "X3 OK EXPUNGE completed."]);
    imap.destroy();
  });
});

describe("IMAP QRESYNC", () => {
  it("resynchronises on SELECT: VANISHED (EARLIER) for what went, FETCH for what changed, VANISHED live", async () => {
    const { name } = await userWith(4);
    const imap = await loggedIn(name);
    const first = lines(await imap.command("Q1", "SELECT INBOX")).join("\n");
    const validity = /UIDVALIDITY (\d+)/.exec(first)![1];
    const modseq = /HIGHESTMODSEQ (\d+)/.exec(first)![1];
    await imap.command("Q2", "STORE 1,3 +FLAGS.SILENT (\\Deleted)");
    await imap.command("Q3", "EXPUNGE");
    await imap.command("Q4", "UID STORE 2 +FLAGS.SILENT ($Done)");
    await imap.command("Q5", "LOGOUT");
    const again = await loggedIn(name);
    expect(lines(await again.command("R1", "ENABLE QRESYNC"))).toContain("* ENABLED QRESYNC");
    const answer = lines(await again.command("R2", `SELECT INBOX (QRESYNC (${validity} ${modseq} 1:4))`));
    expect(answer).toContain("* VANISHED (EARLIER) 1,3");
    const fetch = answer.find((l) => l.includes("FETCH"))!;
    expect(fetch).toMatch(/^\* 1 FETCH \(UID 2 FLAGS \(\$Done\) MODSEQ \(\d+\)\)$/);
    expect(answer).toContain("* 2 EXISTS");
    expect(answer[answer.length - 1]).toBe("R2 OK [READ-WRITE] SELECT completed.");
    // Live expunges come as VANISHED, never EXPUNGE, once QRESYNC is on.
    // .SILENT with CONDSTORE on still tells the new MODSEQ (RFC 7162 §3.1.3), without FLAGS.
    const silent = lines(await again.command("R3", "UID STORE 4 +FLAGS.SILENT (\\Deleted)"));
    expect(silent[0]).toMatch(/^\* 2 FETCH \(UID 4 MODSEQ \(\d+\)\)$/);
    const flagged = Number(/MODSEQ \((\d+)\)/.exec(silent[0])![1]);
    const expunged = lines(await again.command("R4", "EXPUNGE"));
    expect(expunged[0]).toBe("* VANISHED 4");
    // The tagged OK carries the HIGHESTMODSEQ after the expunge (RFC 7162 §3.2.7).
    const after = /^R4 OK \[HIGHESTMODSEQ (\d+)\] EXPUNGE completed\.$/.exec(expunged[expunged.length - 1]);
    expect(Number(after?.[1])).toBeGreaterThan(flagged);
    again.destroy();
  });
});

// SEARCH, SORT and THREAD handlers against a real core (SQLite, memory bus): messages go in through the core's
// ingest (so the stored search fields are the real ones) and the answers are read as the client would get them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../../src/core/index.js";
import { openTestCore, testStores, type TestCore } from "../../../test/harness/core.js";
import { args } from "../protocol/parse/test-args.js";
import { BadArguments } from "../protocol/request.js";
import { SelectedView } from "../selected.js";
import type { ImapSession, TaggedResult } from "./context.js";
import { SEARCH_COMMANDS } from "./search.js";

function message(headers: Record<string, string>, body: string): Buffer {
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  return Buffer.from(`${head}\r\n${body}\r\n`);
}

// The known mailbox: seq 1-5 are UIDs 2-6 (UID 1 was expunged before the view opened).
const MAILBOX: Array<{ raw: Buffer; flags: string[]; internalDate: string }> = [
  {
    raw: message(
      {
        From: "Alice <alice@example.com>",
        To: "bob@example.org",
        Cc: "carol@example.net",
        Subject: "Quarterly report",
        Date: "Mon, 1 Jan 2024 09:00:00 +0000",
        "Message-ID": "<q1@x>",
      },
      "Numbers are up.",
    ),
    flags: ["\\Seen", "\\Answered"],
    internalDate: "2024-01-01T10:00:00Z",
  },
  {
    raw: message(
      {
        From: "Bob <bob@example.org>",
        To: "alice@example.com",
        Subject: "Re: Quarterly report",
        // The day as written is Jan 2; in UTC it is Jan 3.
        Date: "Tue, 2 Jan 2024 23:00:00 -0800",
        "Message-ID": "<q2@x>",
        "In-Reply-To": "<q1@x>",
        References: "<q1@x>",
      },
      `See the attached numbers.\r\n${"x".repeat(3000)}`,
    ),
    flags: ["\\Flagged", "$Work"],
    internalDate: "2024-01-03T08:00:00Z",
  },
  {
    raw: message(
      {
        From: "carol@example.net",
        To: "bob@example.org",
        Bcc: "dave@example.org",
        Subject: "=?utf-8?q?D=C3=A9jeuner?=",
        "X-Mailer": "Pine 4.64",
        Date: "Fri, 5 Jan 2024 12:00:00 +0100",
        "Message-ID": "<l1@x>",
      },
      "Pizza?",
    ),
    flags: ["\\Draft", "\\Deleted"],
    internalDate: "2024-01-05T12:00:00Z",
  },
  {
    raw: message(
      {
        From: "dave@example.org",
        To: "carol@example.net",
        Subject: "Re: Déjeuner",
        Date: "Sat, 6 Jan 2024 08:00:00 +0000",
        "Message-ID": "<l2@x>",
        References: "<l1@x>",
      },
      "ok",
    ),
    flags: [],
    internalDate: "2024-01-06T09:00:00Z",
  },
  {
    raw: message(
      { From: "Eve <eve@example.com>", Subject: "Déjeuner", Date: "Sun, 7 Jan 2024 08:00:00 +0000" },
      "late reply without references",
    ),
    flags: ["\\Seen"],
    internalDate: new Date(Date.now() - 60_000).toISOString(), // a minute ago: YOUNGER / OLDER
  },
];

describe.each(testStores())("IMAP SEARCH, SORT and THREAD handlers on the $kind store", ({ kind, skip }) => {
  if (skip) {
    it.skip(`needs a MongoDB-protocol server: ${skip}`, () => {});
    return;
  }
  let t: TestCore;
  let p: Principal;
  let inboxId: string;
  let view: SelectedView;
  const lines: string[] = [];
  const enabled = new Set<"CONDSTORE" | "QRESYNC" | "UTF8=ACCEPT">();
  let session: ImapSession;

  beforeAll(async () => {
    t = await openTestCore({ store: kind });
    const u = await t.addUser("searcher");
    p = { kind: "user", userId: u.userId };
    inboxId = u.inboxId;
    await t.core.uidMailboxes.append(p, inboxId, message({ Subject: "gone" }, "gone"), {
      flags: ["\\Deleted"],
    });
    await t.core.uidMailboxes.expunge(p, inboxId, [1]);
    for (const m of MAILBOX)
      await t.core.uidMailboxes.append(p, inboxId, m.raw, {
        flags: m.flags,
        internalDate: new Date(m.internalDate),
      });
    view = (await SelectedView.open(t.core, p, "INBOX", { readOnly: false })).view;
    session = {
      core: t.core,
      principal: p,
      selected: view,
      enabled,
      untagged: (text: string | Buffer) => lines.push(`* ${text.toString()}`),
    } as unknown as ImapSession;
  });
  afterAll(async () => {
    await view?.close();
    await t?.close();
  });

  async function run(
    command: string,
    line: string,
    tag = "A1",
  ): Promise<{ lines: string[]; result: TaggedResult }> {
    const spec = SEARCH_COMMANDS.find((s) => s.name === command)!;
    const result = await spec.handle(session, { tag, command, args: args(line) });
    return { lines: lines.splice(0), result };
  }
  const searched = async (line: string, command = "SEARCH") => (await run(command, line)).lines;

  it.each([
    ["ALL", "1 2 3 4 5"],
    ["ANSWERED", "1"],
    ["UNANSWERED", "2 3 4 5"],
    ["DELETED", "3"],
    ["UNDELETED", "1 2 4 5"],
    ["DRAFT", "3"],
    ["UNDRAFT", "1 2 4 5"],
    ["FLAGGED", "2"],
    ["UNFLAGGED", "1 3 4 5"],
    ["SEEN", "1 5"],
    ["UNSEEN", "2 3 4"],
    ["KEYWORD $Work", "2"],
    ["UNKEYWORD $Work", "1 3 4 5"],
    ["RECENT", ""],
    ["NEW", ""],
    ["OLD", "1 2 3 4 5"],
    ["FROM alice", "1"],
    ['FROM "BOB <bob@"', "2"],
    ["TO bob@example.org", "1 3"],
    ["CC carol", "1"],
    ["BCC dave", "3"],
    ["SUBJECT quarterly", "1 2"],
    ["SUBJECT déjeuner", "3 4 5"],
    ["SUBJECT DÉJEUNER", "3 4 5"],
    ["HEADER X-Mailer pine", "3"],
    ['HEADER x-mailer ""', "3"],
    ["HEADER In-Reply-To <q1@x>", "2"],
    ["BODY numbers", "1 2"],
    ["BODY alice", ""],
    ["TEXT alice", "1 2"],
    ["TEXT pizza", "3"],
    ["BEFORE 3-Jan-2024", "1"],
    ["ON 3-Jan-2024", "2"],
    ["SINCE 5-Jan-2024", "3 4 5"],
    ["SENTBEFORE 2-Jan-2024", "1"],
    ["SENTON 2-Jan-2024", "2"],
    ["SENTON 3-Jan-2024", ""],
    ["SENTSINCE 6-Jan-2024", "4 5"],
    ["LARGER 1000", "2"],
    ["SMALLER 1000", "1 3 4 5"],
    ["OLDER 3600", "1 2 3 4"],
    ["YOUNGER 3600", "5"],
    ["UID 3:4", "2 3"],
    ["UID 5:*", "4 5"],
    ["2:3", "2 3"],
    ["4:*", "4 5"],
    ["1:99", "1 2 3 4 5"],
    ["NOT SEEN", "2 3 4"],
    ["OR SEEN FLAGGED", "1 2 5"],
    ["OR OR SEEN FLAGGED DRAFT", "1 2 3 5"],
    ["(SEEN FROM alice) ", "1"],
    ["NOT (OR 1 2) UNDELETED", "4 5"],
    ["OR 1 DRAFT", "1 3"],
    ["SUBJECT report NOT UID 3", "1"],
    ["CHARSET UTF-8 SUBJECT déjeuner", "3 4 5"],
    ['CHARSET US-ASCII TEXT "up."', "1"],
  ])("SEARCH %s", async (line, expected) => {
    expect(await searched(line)).toEqual([`* SEARCH${expected ? ` ${expected}` : ""}`]);
  });

  it("UID SEARCH answers UIDs", async () => {
    expect(await searched("SEEN", "UID SEARCH")).toEqual(["* SEARCH 2 6"]);
    expect(await searched("2:3", "UID SEARCH")).toEqual(["* SEARCH 3 4"]);
    expect(await searched("UID 1:3", "UID SEARCH")).toEqual(["* SEARCH 2 3"]);
  });

  it("ESEARCH: MIN, MAX, ALL, COUNT with the tag; only COUNT when nothing matched", async () => {
    expect((await run("SEARCH", "RETURN (MIN MAX ALL COUNT) UNDELETED", "T7")).lines).toEqual([
      '* ESEARCH (TAG "T7") MIN 1 MAX 5 ALL 1:2,4:5 COUNT 4',
    ]);
    expect((await run("UID SEARCH", "RETURN () NOT DRAFT", "T8")).lines).toEqual([
      '* ESEARCH (TAG "T8") UID ALL 2:3,5:6',
    ]);
    expect((await run("UID SEARCH", "RETURN (COUNT MIN) KEYWORD nothing", "T9")).lines).toEqual([
      '* ESEARCH (TAG "T9") UID COUNT 0',
    ]);
  });

  it("MODSEQ: the matches and the highest modseq among them; it turns CONDSTORE on", async () => {
    const before = (await t.core.uidMailboxes.status(p, inboxId)).highestModseq;
    const { updated } = await t.core.uidMailboxes.storeFlags(p, inboxId, [4, 5], {
      op: "add",
      flags: ["$Seen2"],
    });
    const top = Math.max(...updated.map((u) => u.modseq));
    expect(await searched(`MODSEQ ${before + 1}`)).toEqual([`* SEARCH 3 4 (MODSEQ ${top})`]);
    expect(enabled.has("CONDSTORE")).toBe(true);
    expect(await searched(`MODSEQ "/flags/\\\\seen" all ${top + 1}`)).toEqual(["* SEARCH"]);
    expect((await run("UID SEARCH", `RETURN (MAX) MODSEQ ${before + 1}`, "M1")).lines).toEqual([
      `* ESEARCH (TAG "M1") UID MAX 5 MODSEQ ${updated.find((u) => u.uid === 5)!.modseq}`,
    ]);
    await t.core.uidMailboxes.storeFlags(p, inboxId, [4, 5], { op: "remove", flags: ["$Seen2"] });
  });

  it("another charset is NO [BADCHARSET]; bad keys are BAD", async () => {
    expect((await run("SEARCH", "CHARSET KOI8-R ALL")).result).toMatchObject({
      status: "NO",
      code: "BADCHARSET (UTF-8 US-ASCII)",
    });
    expect((await run("SORT", "(DATE) ISO-8859-1 ALL")).result).toMatchObject({ status: "NO" });
    await expect(run("SEARCH", "FROB")).rejects.toThrow(BadArguments);
    await expect(run("SEARCH", "SINCE yesterday")).rejects.toThrow(/like 1-Feb-1994/);
  });

  it("messages the client was not told of yet are left out", async () => {
    await t.core.uidMailboxes.append(p, inboxId, message({ Subject: "Quarterly news" }, "new"));
    expect(await searched("SUBJECT quarterly")).toEqual(["* SEARCH 1 2"]);
    expect(await searched("SUBJECT quarterly", "UID SEARCH")).toEqual(["* SEARCH 2 3"]);
    expect(await searched("(DATE) UTF-8 SUBJECT quarterly", "SORT")).toEqual(["* SORT 1 2"]);
    expect(await searched("REFERENCES UTF-8 SUBJECT quarterly", "THREAD")).toEqual(["* THREAD (1 2)"]);
  });

  it.each([
    ["(ARRIVAL) UTF-8 ALL", "1 2 3 4 5"],
    ["(REVERSE ARRIVAL) UTF-8 ALL", "5 4 3 2 1"],
    ["(DATE) UTF-8 ALL", "1 2 3 4 5"],
    ["(REVERSE DATE) UTF-8 UNDELETED", "5 4 2 1"],
    ["(SIZE) UTF-8 ALL", "5 4 1 3 2"],
    ["(REVERSE SIZE) UTF-8 SMALLER 1000", "3 1 4 5"],
    // Base subjects: "déjeuner" (3, 4, 5), "quarterly report" (1, 2); equal ones by sequence number.
    ["(SUBJECT) UTF-8 ALL", "3 4 5 1 2"],
    ["(SUBJECT REVERSE DATE) UTF-8 ALL", "5 4 3 2 1"],
    // First From's mailbox: alice, bob, carol, dave, eve.
    ["(FROM) UTF-8 ALL", "1 2 3 4 5"],
    ["(REVERSE FROM) UTF-8 ALL", "5 4 3 2 1"],
    // First To's mailbox: bob (1, 3), alice (2), carol (4), none (5) first.
    ["(TO) UTF-8 ALL", "5 2 1 3 4"],
    ["(CC DATE) UTF-8 ALL", "2 3 4 5 1"],
  ])("SORT %s", async (line, expected) => {
    expect(await searched(line, "SORT")).toEqual([`* SORT ${expected}`]);
  });

  it("UID SORT answers UIDs", async () => {
    expect(await searched("(REVERSE DATE) UTF-8 ALL", "UID SORT")).toEqual(["* SORT 6 5 4 3 2"]);
  });

  it("THREAD=REFERENCES: replies under their parent; a subject match without references joins its thread", async () => {
    // 4 references 3; 5 ("Déjeuner", no references) shares 3's base subject: 3's thread is a dummy holding both.
    expect(await searched("REFERENCES UTF-8 ALL", "THREAD")).toEqual(["* THREAD (1 2)((3 4)(5))"]);
    expect(await searched("REFERENCES UTF-8 ALL", "UID THREAD")).toEqual(["* THREAD (2 3)((4 5)(6))"]);
    expect(await searched("REFERENCES UTF-8 NOT 1", "THREAD")).toEqual(["* THREAD (2)((3 4)(5))"]);
    expect(await searched("REFERENCES UTF-8 KEYWORD none", "THREAD")).toEqual(["* THREAD"]);
  });

  it("THREAD=ORDEREDSUBJECT: by base subject, the first by date the parent of the rest", async () => {
    expect(await searched("ORDEREDSUBJECT UTF-8 ALL", "THREAD")).toEqual(["* THREAD (1 2)(3 (4)(5))"]);
  });
});

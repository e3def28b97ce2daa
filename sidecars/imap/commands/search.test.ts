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
import { SEARCH_CASES, SEARCH_MAILBOX, SORT_CASES, searchMessage } from "../test/search-mailbox.js";

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
    await t.core.uidMailboxes.append(p, inboxId, searchMessage({ Subject: "gone" }, "gone"), {
      flags: ["\\Deleted"],
    });
    await t.core.uidMailboxes.expunge(p, inboxId, [1]);
    for (const m of SEARCH_MAILBOX)
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

  it.each(SEARCH_CASES)("SEARCH %s", async (line, expected) => {
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
    await t.core.uidMailboxes.append(p, inboxId, searchMessage({ Subject: "Quarterly news" }, "new"));
    expect(await searched("SUBJECT quarterly")).toEqual(["* SEARCH 1 2"]);
    expect(await searched("SUBJECT quarterly", "UID SEARCH")).toEqual(["* SEARCH 2 3"]);
    expect(await searched("(DATE) UTF-8 SUBJECT quarterly", "SORT")).toEqual(["* SORT 1 2"]);
    expect(await searched("REFERENCES UTF-8 SUBJECT quarterly", "THREAD")).toEqual(["* THREAD (1 2)"]);
  });

  it.each(SORT_CASES)("SORT %s", async (line, expected) => {
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

describe("IMAP SEARCH MODSEQ on a large answer", () => {
  it("200,000 matches: every number and the highest modseq, without a stack overflow", async () => {
    const count = 200_000;
    const uids = Array.from({ length: count }, (_, i) => i + 1);
    const out: string[] = [];
    const session = {
      principal: { kind: "user", userId: "u" },
      enabled: new Set(),
      selected: { mailboxId: "m", uids: () => uids, seqOf: (uid: number) => uid },
      core: {
        mailboxSearch: {
          searchModseqs: async () => uids.map((uid) => ({ uid, modseq: uid === 7 ? 1e9 : uid })),
        },
      },
      untagged: (text: string) => out.push(text),
    } as unknown as ImapSession;
    const spec = SEARCH_COMMANDS.find((s) => s.name === "UID SEARCH")!;
    const result = await spec.handle(session, { tag: "a", command: "UID SEARCH", args: args("MODSEQ 1") });
    expect(result.status).toBe("OK");
    expect(out).toHaveLength(1);
    expect(out[0].startsWith("SEARCH 1 2 3 ")).toBe(true);
    expect(out[0].endsWith(` ${count} (MODSEQ 1000000000)`)).toBe(true);
  });
});

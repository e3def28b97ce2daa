// The mailbox commands against a real core (SQLite, memory bus) through a session that records the exact bytes
// of what it is told; over real sockets in test/imap-mailboxes.test.ts.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asDomainError, type Principal } from "../../../src/core/index.js";
import { openTestCore, type TestCore } from "../../../test/harness/core.js";
import { DEFAULT_IMAP_LIMITS } from "../protocol/limits.js";
import type { ImapArg } from "../protocol/request.js";
import { formatValues, type ImapValue } from "../protocol/values.js";
import { APPEND_COMMANDS } from "./append.js";
import type { ImapSession, TaggedResult } from "./context.js";
import { MAILBOX_COMMANDS } from "./mailboxes.js";
import { QUOTA_COMMANDS } from "./quota.js";
import { STATUS_ITEMS } from "../protocol/parse/status-items.js";

const a = (value: string): ImapArg => ({ type: "atom", value });
const s = (value: string | Buffer): ImapArg => ({
  type: "string",
  value: Buffer.from(value),
  literal: Buffer.isBuffer(value),
});
const l = (...items: ImapArg[]): ImapArg => ({ type: "list", items });
const commands = new Map(
  [...MAILBOX_COMMANDS, ...APPEND_COMMANDS, ...QUOTA_COMMANDS].map((c) => [c.name, c]),
);

let t: TestCore;
let p: Principal;
let session: ImapSession;
let lines: string[];

/** Runs one command; the untagged lines it wrote, then "OK [code] text" (a domain error as the session maps it). */
async function run(command: string, ...args: ImapArg[]): Promise<string[]> {
  let result: TaggedResult;
  try {
    result = await commands.get(command)!.handle(session, { tag: "A1", command, args });
  } catch (err) {
    const domain = asDomainError(err);
    if (!domain) throw err;
    result = { status: "NO", code: domain.code, text: domain.message };
  }
  return [...lines.splice(0), `${result.status}${result.code ? ` [${result.code}]` : ""} ${result.text}`];
}

beforeEach(async () => {
  t = await openTestCore({ maxMessageBytes: 1000 });
  const user = await t.addUser("alice", { quotaBytes: 4096 });
  p = { kind: "user", userId: user.userId };
  lines = [];
  const enabled = new Set<"CONDSTORE" | "QRESYNC" | "UTF8=ACCEPT">();
  session = {
    core: t.core,
    options: { limits: DEFAULT_IMAP_LIMITS },
    enabled,
    principal: p,
    untaggedValues: (values: ImapValue[]) =>
      lines.push(`* ${formatValues(values, { utf8: enabled.has("UTF8=ACCEPT") }).toString("utf8")}`),
  } as unknown as ImapSession;
});
afterEach(async () => {
  await t.close();
});

describe("IMAP LIST and LSUB", () => {
  it("answers the delimiter for an empty pattern, and lists the default mailboxes with their special uses", async () => {
    expect(await run("LIST", s(""), s(""))).toEqual(['* LIST (\\Noselect) "/" ""', "OK LIST completed."]);
    expect(await run("LIST", s(""), a("*"))).toEqual([
      '* LIST (\\HasNoChildren) "/" "INBOX"',
      '* LIST (\\HasNoChildren \\Archive) "/" "Archive"',
      '* LIST (\\HasNoChildren \\Drafts) "/" "Drafts"',
      '* LIST (\\HasNoChildren \\Junk) "/" "Junk"',
      '* LIST (\\HasNoChildren \\Sent) "/" "Sent Mail"',
      '* LIST (\\HasNoChildren \\Trash) "/" "Trash"',
      "OK LIST completed.",
    ]);
  });

  it("names in modified UTF-7, or in UTF-8 once UTF8=ACCEPT is enabled", async () => {
    await run("CREATE", s("Entw&APw-rfe/&ZeVnLIqe-"));
    await run("CREATE", s("Tom &- Jerry"));
    expect(await run("LIST", s(""), s("Entw&APw-rfe/%"))).toEqual([
      '* LIST (\\HasNoChildren) "/" "Entw&APw-rfe/&ZeVnLIqe-"',
      "OK LIST completed.",
    ]);
    expect(await run("LIST", s(""), s("Tom*"))).toEqual([
      '* LIST (\\HasNoChildren) "/" "Tom &- Jerry"',
      "OK LIST completed.",
    ]);
    session.enabled.add("UTF8=ACCEPT");
    expect(await run("LIST", s(""), s("Entwürfe/*"))).toEqual([
      '* LIST (\\HasNoChildren) "/" "Entwürfe/日本語"',
      "OK LIST completed.",
    ]);
  });

  it("shows a level that exists only as a prefix as \\Noselect, or \\NonExistent in the extended form", async () => {
    await run("CREATE", s("Old/2020"));
    expect(await run("LIST", s(""), a("%"))).toContain('* LIST (\\Noselect \\HasChildren) "/" "Old"');
    expect(await run("LIST", s(""), l(s("Old"), s("Old/%")))).toEqual([
      '* LIST (\\NonExistent \\HasChildren) "/" "Old"',
      '* LIST (\\HasNoChildren) "/" "Old/2020"',
      "OK LIST completed.",
    ]);
  });

  it("LIST-EXTENDED selection and return options, and LIST-STATUS", async () => {
    await run("CREATE", s("Lists/Eider"));
    await run("UNSUBSCRIBE", s("Trash"));
    await run("APPEND", s("Drafts"), l(a("\\Seen")), s(Buffer.from("Subject: x\r\n\r\nhi\r\n")));
    expect(
      await run(
        "LIST",
        l(a("SUBSCRIBED"), a("RECURSIVEMATCH")),
        s(""),
        a("%"),
        a("RETURN"),
        l(a("CHILDREN")),
      ),
    ).toEqual([
      '* LIST (\\HasNoChildren \\Subscribed) "/" "INBOX"',
      '* LIST (\\HasNoChildren \\Archive \\Subscribed) "/" "Archive"',
      '* LIST (\\HasNoChildren \\Drafts \\Subscribed) "/" "Drafts"',
      '* LIST (\\HasNoChildren \\Junk \\Subscribed) "/" "Junk"',
      '* LIST (\\NonExistent \\HasChildren) "/" "Lists" ("CHILDINFO" ("SUBSCRIBED"))',
      '* LIST (\\HasNoChildren \\Sent \\Subscribed) "/" "Sent Mail"',
      "OK LIST completed.",
    ]);
    expect(
      await run("LIST", l(a("SPECIAL-USE")), s(""), a("*"), a("RETURN"), l(a("SPECIAL-USE"))),
    ).toHaveLength(6);
    const drafts = await run(
      "LIST",
      s(""),
      s("Drafts"),
      a("RETURN"),
      l(a("STATUS"), l(a("MESSAGES"), a("UNSEEN"), a("SIZE"))),
    );
    expect(drafts).toEqual([
      '* LIST (\\HasNoChildren \\Drafts) "/" "Drafts"',
      '* STATUS "Drafts" (MESSAGES 1 UNSEEN 0 SIZE 18)',
      "OK LIST completed.",
    ]);
    // No STATUS for a level that does not exist.
    expect(await run("LIST", s(""), s("Lists"), a("RETURN"), l(a("STATUS"), l(a("MESSAGES"))))).toEqual([
      '* LIST (\\NonExistent \\HasChildren) "/" "Lists"',
      "OK LIST completed.",
    ]);
  });

  it("LSUB lists subscribed names, an unsubscribed level above one as \\Noselect with '%'", async () => {
    await run("CREATE", s("Work/Eider"));
    await run("UNSUBSCRIBE", s("Work/Eider"));
    await run("CREATE", s("Lists/Eider"));
    expect(await run("LSUB", s(""), s("Lists/*"))).toEqual([
      '* LSUB () "/" "Lists/Eider"',
      "OK LSUB completed.",
    ]);
    expect(await run("LSUB", s(""), a("%"))).toContain('* LSUB (\\Noselect) "/" "Lists"');
    expect(await run("LSUB", s(""), a("%"))).not.toContain('* LSUB (\\Noselect) "/" "Work"');
  });
});

describe("IMAP CREATE, DELETE, RENAME, SUBSCRIBE", () => {
  it("CREATE: a trailing delimiter is dropped, wildcards and existing names refused, USE gives a special use", async () => {
    expect(await run("CREATE", s("Projects/"))).toEqual(["OK CREATE completed."]);
    expect(await run("CREATE", s("projects"))).toEqual(["OK CREATE completed."]); // names are case-sensitive
    expect(await run("CREATE", s("Projects"))).toEqual([
      'NO [ALREADY_EXISTS] Mailbox "Projects" already exists.',
    ]);
    expect(await run("CREATE", s("inbox"))).toEqual(['NO [ALREADY_EXISTS] Mailbox "INBOX" already exists.']);
    expect(await run("CREATE", s("a*b"))).toEqual([
      'NO [CANNOT] Mailbox name "a*b" contains a LIST wildcard (* or %).',
    ]);
    expect((await run("CREATE", s("a//b")))[0]).toMatch(/^NO \[INVALID_INPUT\] .*empty segment/);
    expect(await run("CREATE", s("Everything"), l(a("USE"), l(a("\\all"))))).toEqual([
      "OK CREATE completed.",
    ]);
    expect(await run("LIST", s(""), s("Everything"))).toEqual([
      '* LIST (\\HasNoChildren \\All) "/" "Everything"',
      "OK LIST completed.",
    ]);
    expect(await run("CREATE", s("X"), l(a("USE"), l(a("\\Important"))))).toEqual([
      'NO [USEATTR] "\\Important" is not a special use this server knows.',
    ]);
    expect(await run("CREATE", s("X"), l(a("USE"), l(a("\\Sent"), a("\\Trash"))))).toEqual([
      "NO [USEATTR] A mailbox has one special use here, not 2.",
    ]);
    expect(await run("LIST", s(""), s("X"))).toEqual(["OK LIST completed."]);
  });

  it("DELETE leaves inferiors (flat folders), refuses INBOX and names that are not mailboxes", async () => {
    await run("CREATE", s("A"));
    await run("CREATE", s("A/B"));
    expect(await run("DELETE", s("A"))).toEqual([
      "OK DELETE completed; mailboxes below it, if any, are kept.",
    ]);
    expect(await run("LIST", s(""), l(s("A"), s("A/*")))).toEqual([
      '* LIST (\\NonExistent \\HasChildren) "/" "A"',
      '* LIST (\\HasNoChildren) "/" "A/B"',
      "OK LIST completed.",
    ]);
    expect((await run("DELETE", s("A")))[0]).toMatch(/^NO \[NOT_FOUND\]/);
    expect((await run("DELETE", s("inbox")))[0]).toMatch(
      /^NO \[INVALID_INPUT\] Mailbox "INBOX" has the special use/,
    );
  });

  it("RENAME moves inferiors; RENAME INBOX moves its messages and leaves INBOX", async () => {
    await run("CREATE", s("A/B/C"));
    await run("CREATE", s("A"));
    expect(await run("RENAME", s("A"), s("Z/"))).toEqual(["OK RENAME completed (2 mailboxes)."]);
    expect(await run("LIST", s(""), s("Z*"))).toEqual([
      '* LIST (\\HasChildren) "/" "Z"',
      '* LIST (\\Noselect \\HasChildren) "/" "Z/B"',
      '* LIST (\\HasNoChildren) "/" "Z/B/C"',
      "OK LIST completed.",
    ]);
    expect(await run("RENAME", s("Z"), s("Trash"))).toEqual([
      'NO [ALREADY_EXISTS] Mailbox "Trash" already exists.',
    ]);
    await run("APPEND", s("INBOX"), s(Buffer.from("Subject: 1\r\n\r\none\r\n")));
    expect(await run("RENAME", s("INBOX"), s("Old"))).toEqual(["OK RENAME completed (1 mailbox)."]);
    expect(await run("STATUS", s("Old"), l(a("MESSAGES")))).toEqual([
      '* STATUS "Old" (MESSAGES 1)',
      "OK STATUS completed.",
    ]);
    expect(await run("STATUS", s("inbox"), l(a("MESSAGES")))).toEqual([
      '* STATUS "INBOX" (MESSAGES 0)',
      "OK STATUS completed.",
    ]);
  });

  it("SUBSCRIBE needs a mailbox; UNSUBSCRIBE takes it off LSUB; a deleted mailbox's subscription goes with it", async () => {
    expect((await run("SUBSCRIBE", s("Nowhere")))[0]).toMatch(
      /^NO \[NOT_FOUND\] Mailbox "Nowhere" was not found/,
    );
    await run("CREATE", s("Lists"));
    expect(await run("UNSUBSCRIBE", s("Lists"))).toEqual(["OK UNSUBSCRIBE completed."]);
    expect(await run("LSUB", s(""), s("Lists"))).toEqual(["OK LSUB completed."]);
    expect(await run("SUBSCRIBE", s("Lists"))).toEqual(["OK SUBSCRIBE completed."]);
    expect(await run("LSUB", s(""), s("Lists"))).toEqual(['* LSUB () "/" "Lists"', "OK LSUB completed."]);
  });
});

describe("IMAP STATUS, NAMESPACE, APPEND, QUOTA", () => {
  it("STATUS answers every item; HIGHESTMODSEQ turns CONDSTORE on; unknown items are BAD", async () => {
    await run("APPEND", s("Drafts"), l(a("\\Seen")), s(Buffer.from("Subject: x\r\n\r\nhi\r\n")));
    await run("APPEND", s("Drafts"), s(Buffer.from("Subject: y\r\n\r\nhi\r\n")));
    const [line, ok] = await run("STATUS", s("Drafts"), l(...STATUS_ITEMS.map(a)));
    expect(line).toMatch(
      /^\* STATUS "Drafts" \(MESSAGES 2 RECENT 0 UIDNEXT 3 UIDVALIDITY \d+ UNSEEN 1 HIGHESTMODSEQ \d+ SIZE 36 APPENDLIMIT 52428800 DELETED 0 DELETED-STORAGE 0\)$/,
    );
    expect(ok).toBe("OK STATUS completed.");
    expect(session.enabled.has("CONDSTORE")).toBe(true);
    await expect(run("STATUS", s("Drafts"), l(a("BOGUS")))).rejects.toThrow(/Unknown status item "BOGUS"/);
    expect((await run("STATUS", s("Nope"), l(a("MESSAGES"))))[0]).toMatch(/^NO \[NOT_FOUND\]/);
  });

  it("NAMESPACE has one personal namespace", async () => {
    expect(await run("NAMESPACE")).toEqual(['* NAMESPACE (("" "/")) NIL NIL', "OK NAMESPACE completed."]);
  });

  it("APPEND answers APPENDUID, keeps flags and date; TRYCREATE, OVERQUOTA, TOOBIG and an empty message are NO", async () => {
    const message = Buffer.from("Subject: appended\r\n\r\nbody\r\n");
    const [ok] = await run(
      "APPEND",
      s("Archive"),
      l(a("\\Flagged"), a("$Work")),
      s("17-Jul-1996 02:44:25 -0700"),
      s(message),
    );
    const status = await t.core.uidMailboxes.statusByPath(p, "Archive");
    expect(ok).toBe(`OK [APPENDUID ${status.uidValidity} 1] APPEND completed.`);
    const [fetched] = (await t.core.uidMailboxes.fetch(p, status.mailboxId, [1]).next()).value!;
    expect(fetched.flags.sort()).toEqual(["$Work", "\\Flagged"]);
    expect(fetched.internalDate.toISOString()).toBe("1996-07-17T09:44:25.000Z");
    expect(await run("APPEND", s("Nowhere"), s(message))).toEqual([
      'NO [TRYCREATE] Mailbox "Nowhere" does not exist.',
    ]);
    expect((await run("APPEND", s("INBOX"), s(Buffer.alloc(0))))[0]).toMatch(
      /^NO \[INVALID_INPUT\] The message is empty/,
    );
    expect((await run("APPEND", s("INBOX"), s(Buffer.alloc(1001, "a"))))[0]).toMatch(
      /^NO \[MESSAGE_TOO_LARGE\]/,
    );
    const big = Buffer.concat([Buffer.from("Subject: big\r\n\r\n"), Buffer.alloc(900, "b")]);
    for (let i = 0; i < 4; i++)
      expect((await run("APPEND", s("INBOX"), s(big)))[0]).toMatch(/^OK \[APPENDUID/);
    expect((await run("APPEND", s("INBOX"), s(big)))[0]).toMatch(/^NO \[QUOTA_EXCEEDED\]/);
    await expect(run("APPEND", s("INBOX"), s("1-Foo-2020 00:00:00 +0000"), s(message))).rejects.toThrow(
      /Date-time "1-Foo-2020 00:00:00 \+0000" is not like/,
    );
  });

  it("GETQUOTAROOT and GETQUOTA answer the user's usage and limit in KiB; SETQUOTA is refused", async () => {
    await run(
      "APPEND",
      s("INBOX"),
      s(Buffer.concat([Buffer.from("Subject: q\r\n\r\n"), Buffer.alloc(900, "q")])),
    );
    const used = (await t.core.users.get(p)).storageUsed;
    expect(await run("GETQUOTAROOT", s("inbox"))).toEqual([
      '* QUOTAROOT "INBOX" ""',
      `* QUOTA "" (STORAGE ${Math.ceil(used / 1024)} 4)`,
      "OK GETQUOTAROOT completed.",
    ]);
    expect(await run("GETQUOTA", s(""))).toEqual([`* QUOTA "" (STORAGE 1 4)`, "OK GETQUOTA completed."]);
    expect(await run("GETQUOTA", s("other"))).toEqual(['NO [NONEXISTENT] There is no quota root "other".']);
    expect(await run("SETQUOTA", s(""), l(a("STORAGE"), a("1")))).toEqual([
      "NO [NOPERM] Quotas are set by the administrator, not over IMAP.",
    ]);
  });
});

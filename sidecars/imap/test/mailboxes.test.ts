// Mailboxes, APPEND, STATUS and QUOTA over real sockets on a whole Eider (SQLite, the API beside IMAP): imapflow
// for what a client does, raw lines for exact bytes, the GraphQL download for byte-exactness.
import { ImapFlow } from "imapflow";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createUser,
  downloadRaw,
  gqlOk,
  startTestEider,
  type TestEider,
  type TestUser,
} from "../../../test/harness/eider.js";
import { RawImap } from "./raw-imap.js";

let eider: TestEider;
let port: number;
const clients: ImapFlow[] = [];
const raws: RawImap[] = [];

beforeAll(async () => {
  eider = await startTestEider({ maxMessageBytes: 64 * 1024 });
  port = eider.eider.imap!.port;
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.logout().catch(() => c.close());
  for (const r of raws.splice(0)) r.destroy();
});
afterAll(async () => {
  await eider?.stop();
});

let users = 0;
async function newUser(quotaBytes = 0): Promise<{ user: TestUser; name: string; password: string }> {
  const name = `mbx${++users}`;
  const user = await createUser(eider.url, name, [], quotaBytes);
  return { user, name, password: `pw-${name}-secret` };
}

async function imapflow(name: string, password: string): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: "127.0.0.1",
    port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: name, pass: password },
    logger: false,
  });
  clients.push(client);
  await client.connect();
  return client;
}

/** A raw logged-in connection; `run` answers a command's lines as text. */
async function raw(name: string, password: string) {
  const { imap } = await RawImap.open(port);
  raws.push(imap);
  let n = 0;
  const run = async (command: string) =>
    (await imap.command(`r${++n}`, command)).map((r) => r.line.replace(/^r\d+ /, "T "));
  expect(await run(`LOGIN ${name} "${password}"`)).toEqual([expect.stringMatching(/^T OK /)]);
  return { imap, run };
}

describe("IMAP mailboxes over sockets", () => {
  it("advertises the mailbox extensions once logged in", async () => {
    const { name, password } = await newUser();
    const client = await imapflow(name, password);
    for (const cap of [
      "NAMESPACE",
      "CHILDREN",
      "LIST-EXTENDED",
      "LIST-STATUS",
      "SPECIAL-USE",
      "CREATE-SPECIAL-USE",
      "STATUS=SIZE",
      "QUOTA",
      "QUOTA=RES-STORAGE",
    ])
      expect(client.capabilities.has(cap), cap).toBe(true);
  });

  it("round-trips international names through imapflow (modified UTF-7) and raw bytes", async () => {
    const { user, name, password } = await newUser();
    const client = await imapflow(name, password);
    for (const path of ["Entwürfe", "日本語/子", "Tom & Jerry"]) await client.mailboxCreate(path);
    const listed = (await client.list()).map((m) => m.path);
    expect(listed).toEqual(expect.arrayContaining(["Entwürfe", "日本語", "日本語/子", "Tom & Jerry"]));
    const { run } = await raw(name, password);
    expect(await run('LIST "" *')).toEqual(
      expect.arrayContaining([
        '* LIST (\\HasNoChildren) "/" "Entw&APw-rfe"',
        '* LIST (\\HasNoChildren) "/" "Tom &- Jerry"',
        '* LIST (\\Noselect \\HasChildren) "/" "&ZeVnLIqe-"',
        '* LIST (\\HasNoChildren) "/" "&ZeVnLIqe-/&W1A-"',
      ]),
    );
    expect(await run('LIST "" "*&-*"')).toEqual([
      '* LIST (\\HasNoChildren) "/" "Tom &- Jerry"',
      "T OK LIST completed.",
    ]);
    expect(await run('CREATE "&ZeVnLIqe"')).toEqual([
      'T BAD Mailbox name "&ZeVnLIqe" has a "&" shift with no closing "-".',
    ]);
    // The names the core holds are Unicode: GraphQL sees what IMAP created.
    const paths = (await gqlOk(eider.url, `{ mailboxes { path } }`, {}, user.token)).mailboxes.map(
      (m: { path: string }) => m.path,
    );
    expect(paths).toEqual(expect.arrayContaining(["Entwürfe", "日本語/子", "Tom & Jerry"]));
  });

  it("LIST patterns, LIST-EXTENDED options and LIST-STATUS, as imapflow and raw lines see them", async () => {
    const { name, password } = await newUser();
    const client = await imapflow(name, password);
    await client.mailboxCreate("Work/Projects/Eider");
    await client.mailboxCreate("Work/Projects");
    await client.mailboxUnsubscribe("Work/Projects/Eider");
    await client.append("Drafts", Buffer.from("Subject: d\r\n\r\ndraft\r\n"), ["\\Seen"]);
    const tree = await client.listTree();
    const work = tree.folders?.find((f) => f.path === "Work");
    expect(work?.folders?.map((f) => f.path)).toEqual(["Work/Projects"]);
    expect(work?.folders?.[0].folders?.map((f) => f.path)).toEqual(["Work/Projects/Eider"]);
    const withStatus = await client.list({ statusQuery: { messages: true, unseen: true, uidNext: true } });
    expect(withStatus.find((m) => m.path === "Drafts")).toMatchObject({
      specialUse: "\\Drafts",
      status: { messages: 1, unseen: 0, uidNext: 2 },
    });

    const { run } = await raw(name, password);
    expect(await run('LIST "" ""')).toEqual(['* LIST (\\Noselect) "/" ""', "T OK LIST completed."]);
    expect(await run('LIST "Work/" %')).toEqual([
      '* LIST (\\HasChildren) "/" "Work/Projects"',
      "T OK LIST completed.",
    ]);
    expect(await run('LIST (SUBSCRIBED RECURSIVEMATCH) "Work/" "*" RETURN (CHILDREN)')).toEqual([
      '* LIST (\\HasChildren \\Subscribed) "/" "Work/Projects"',
      "T OK LIST completed.",
    ]);
    expect(await run('LIST (SPECIAL-USE) "" * RETURN (STATUS (MESSAGES SIZE))')).toEqual([
      '* LIST (\\HasNoChildren \\Archive) "/" "Archive"',
      '* STATUS "Archive" (MESSAGES 0 SIZE 0)',
      '* LIST (\\HasNoChildren \\Drafts) "/" "Drafts"',
      '* STATUS "Drafts" (MESSAGES 1 SIZE 21)',
      '* LIST (\\HasNoChildren \\Junk) "/" "Junk"',
      '* STATUS "Junk" (MESSAGES 0 SIZE 0)',
      '* LIST (\\HasNoChildren \\Sent) "/" "Sent Mail"',
      '* STATUS "Sent Mail" (MESSAGES 0 SIZE 0)',
      '* LIST (\\HasNoChildren \\Trash) "/" "Trash"',
      '* STATUS "Trash" (MESSAGES 0 SIZE 0)',
      "T OK LIST completed.",
    ]);
    expect(await run('LIST "" (INBOX "work")')).toEqual([
      '* LIST (\\HasNoChildren) "/" "INBOX"',
      "T OK LIST completed.",
    ]);
    expect(await run('LSUB "" "Work/*"')).toEqual(['* LSUB () "/" "Work/Projects"', "T OK LSUB completed."]);
    expect(await run('LIST (RECURSIVEMATCH) "" *')).toEqual([
      "T BAD RECURSIVEMATCH needs the SUBSCRIBED selection option beside it.",
    ]);
    expect(await run("NAMESPACE")).toEqual(['* NAMESPACE (("" "/")) NIL NIL', "T OK NAMESPACE completed."]);
  });

  it("CREATE with USE, existing names, DELETE keeping inferiors, SUBSCRIBE of a missing name", async () => {
    const { name, password } = await newUser();
    const { run } = await raw(name, password);
    expect(await run("CREATE Everything (USE (\\All))")).toEqual(["T OK CREATE completed."]);
    expect(await run('LIST "" Everything RETURN (SPECIAL-USE)')).toEqual([
      '* LIST (\\HasNoChildren \\All) "/" "Everything"',
      "T OK LIST completed.",
    ]);
    expect(await run("CREATE Trash")).toEqual(['T NO [ALREADYEXISTS] Mailbox "Trash" already exists.']);
    expect(await run("CREATE x (USE (\\Bogus))")).toEqual([
      'T NO [USEATTR] "\\Bogus" is not a special use this server knows.',
    ]);
    expect(await run("CREATE a/b/")).toEqual(["T OK CREATE completed."]);
    expect(await run("CREATE a")).toEqual(["T OK CREATE completed."]);
    expect(await run("DELETE a")).toEqual(["T OK DELETE completed; mailboxes below it, if any, are kept."]);
    expect(await run('LIST "" a*')).toEqual([
      '* LIST (\\Noselect \\HasChildren) "/" "a"',
      '* LIST (\\HasNoChildren) "/" "a/b"',
      "T OK LIST completed.",
    ]);
    expect(await run("DELETE INBOX")).toEqual([
      'T NO [CANNOT] Mailbox "INBOX" has the special use \\Inbox and cannot be deleted.',
    ]);
    expect(await run("SUBSCRIBE nowhere")).toEqual(['T NO [NONEXISTENT] Mailbox "nowhere" was not found.']);
  });

  it("RENAME moves inferiors, and RENAME INBOX moves its messages leaving INBOX empty (imapflow)", async () => {
    const { name, password } = await newUser();
    const client = await imapflow(name, password);
    await client.mailboxCreate("Lists/Eider/2026");
    await client.mailboxCreate("Lists");
    await client.append("Lists/Eider/2026", Buffer.from("Subject: l\r\n\r\nlist mail\r\n"));
    expect(await client.mailboxRename("Lists", "Groups")).toMatchObject({ newPath: "Groups" });
    const paths = (await client.list()).map((m) => m.path);
    expect(paths).toEqual(expect.arrayContaining(["Groups", "Groups/Eider", "Groups/Eider/2026"]));
    expect(paths.filter((p) => p.startsWith("Lists"))).toEqual([]);
    expect((await client.status("Groups/Eider/2026", { messages: true })).messages).toBe(1);

    for (let i = 0; i < 3; i++)
      await client.append("INBOX", Buffer.from(`Subject: ${i}\r\n\r\nbody ${i}\r\n`));
    await client.mailboxRename("INBOX", "Inbox 2025");
    expect((await client.status("Inbox 2025", { messages: true })).messages).toBe(3);
    expect((await client.status("INBOX", { messages: true })).messages).toBe(0);
    await expect(client.mailboxRename("Groups", "Trash")).rejects.toThrow();
  });

  it("STATUS answers every item on the wire", async () => {
    const { name, password } = await newUser();
    const { run } = await raw(name, password);
    await run("APPEND Drafts (\\Seen) {21+}\r\nSubject: d\r\n\r\ndraft\r\n");
    const [line, ok] = await run(
      "STATUS Drafts (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ SIZE APPENDLIMIT)",
    );
    expect(line).toMatch(
      /^\* STATUS "Drafts" \(MESSAGES 1 RECENT 0 UIDNEXT 2 UIDVALIDITY \d+ UNSEEN 0 HIGHESTMODSEQ \d+ SIZE 21 APPENDLIMIT 65536\)$/,
    );
    expect(ok).toBe("T OK STATUS completed.");
    // RFC 9208 DELETED-STORAGE (KiB, rounded up) and RFC 9051 DELETED count what EXPUNGE would remove.
    const big = `Subject: z\r\n\r\n${"z".repeat(1500)}\r\n`;
    await run(`APPEND Drafts (\\Deleted) {${big.length}+}\r\n${big}`);
    expect(await run("STATUS Drafts (DELETED DELETED-STORAGE MESSAGES)")).toEqual([
      '* STATUS "Drafts" (DELETED 1 DELETED-STORAGE 2 MESSAGES 2)',
      "T OK STATUS completed.",
    ]);
    expect(await run('LIST "" Drafts RETURN (STATUS (DELETED))')).toEqual([
      '* LIST (\\HasNoChildren \\Drafts) "/" "Drafts"',
      '* STATUS "Drafts" (DELETED 1)',
      "T OK LIST completed.",
    ]);
    expect(await run("STATUS Drafts (FLAGS)")).toEqual([
      expect.stringMatching(/^T BAD Unknown status item "FLAGS"/),
    ]);
  });

  it("APPEND with flags and date answers APPENDUID, and the message is byte-exact over GraphQL's raw download", async () => {
    const { user, name, password } = await newUser();
    const client = await imapflow(name, password);
    const message = Buffer.from(
      "From: a@example.org\r\nTo: b@example.org\r\nSubject: exact\r\n\r\nline one\r\n\u00e4 8-bit line\r\n",
      "utf8",
    );
    const date = new Date("2025-03-04T05:06:07Z");
    const appended = await client.append("Archive", message, ["\\Flagged", "$Label1"], date);
    expect(appended).toMatchObject({ destination: "Archive", uid: 1 });
    expect(appended && appended.uidValidity).toBeGreaterThan(0n);
    const found = await gqlOk(
      eider.url,
      `query($m: ID!) { mailbox(id: $m) { messages(first: 1) { edges { node { id uid flags internalDate } } } } }`,
      { m: user.mailboxes.Archive },
      user.token,
    );
    const node = found.mailbox.messages.edges[0].node;
    expect(node).toMatchObject({ uid: 1, internalDate: date.toISOString() });
    expect([...node.flags].sort()).toEqual(["$Label1", "\\Flagged"]);
    const id = node.id as string;
    expect((await downloadRaw(eider.url, id, user.token)).body.equals(message)).toBe(true);
  });

  it("APPEND refusals: TRYCREATE, TOOBIG, OVERQUOTA, an empty message, a bad date", async () => {
    const { name, password } = await newUser(2048);
    const { run, imap } = await raw(name, password);
    expect(await run("APPEND Nowhere {10+}\r\nSubject: x")).toEqual([
      'T NO [TRYCREATE] Mailbox "Nowhere" does not exist.',
    ]);
    expect(await run("APPEND INBOX {0+}\r\n")).toEqual([
      "T NO [CANNOT] The message is empty (0 bytes); there is nothing to store.",
    ]);
    expect(await run('APPEND INBOX "31-Feb-2024 10:00:00 +0000" {10+}\r\nSubject: x')).toEqual([
      'T BAD Date-time "31-Feb-2024 10:00:00 +0000" is not a real date and time.',
    ]);
    // Over APPENDLIMIT: refused before the literal is sent (RFC 7889).
    imap.send("big APPEND INBOX {70000}\r\n");
    expect((await imap.until("big")).map((r) => r.line)).toEqual([
      expect.stringMatching(/^big NO \[TOOBIG\]/),
    ]);
    const filler = Buffer.concat([Buffer.from("Subject: f\r\n\r\n"), Buffer.alloc(1500, "f")]);
    expect((await run(`APPEND INBOX {${filler.length}+}\r\n${filler.toString()}`))[0]).toMatch(
      /^T OK \[APPENDUID \d+ 1\]/,
    );
    expect(await run(`APPEND INBOX {${filler.length}+}\r\n${filler.toString()}`)).toEqual([
      expect.stringMatching(/^T NO \[OVERQUOTA\] /),
    ]);
  });

  it("GETQUOTAROOT and GETQUOTA report the user's usage and limit in KiB (imapflow and raw)", async () => {
    const { user, name, password } = await newUser(10 * 1024);
    const client = await imapflow(name, password);
    await client.append("INBOX", Buffer.concat([Buffer.from("Subject: q\r\n\r\n"), Buffer.alloc(3000, "q")]));
    const used = (await gqlOk(eider.url, `{ me { storageUsed } }`, {}, user.token)).me.storageUsed as number;
    expect(used).toBe(3014);
    const quota = await client.getQuota("INBOX");
    expect(quota).toMatchObject({ path: "INBOX", storage: { usage: 3 * 1024, limit: 10 * 1024 } });
    const { run } = await raw(name, password);
    expect(await run("GETQUOTAROOT inbox")).toEqual([
      '* QUOTAROOT "INBOX" ""',
      '* QUOTA "" (STORAGE 3 10)',
      "T OK GETQUOTAROOT completed.",
    ]);
    expect(await run('SETQUOTA "" (STORAGE 99)')).toEqual([
      "T NO [NOPERM] Quotas are set by the administrator, not over IMAP.",
    ]);
  });

  it("APPEND past the daily upload allowance is NO [LIMIT], counted across the APPENDs of the day", async () => {
    const limited = await startTestEider({ env: { EIDER_IMAP_UPLOAD_BYTES_PER_DAY: "100" } });
    try {
      await createUser(limited.url, "uploader");
      const { imap } = await RawImap.open(limited.eider.imap!.port);
      raws.push(imap);
      const run = async (tag: string, command: string) =>
        (await imap.command(tag, command)).map((r) => r.line);
      await run("l", 'LOGIN uploader "pw-uploader-secret"');
      const message = `Subject: u\r\n\r\n${"u".repeat(44)}\r\n`; // 60 bytes
      expect((await run("a1", `APPEND INBOX {60+}\r\n${message}`))[0]).toMatch(/^a1 OK \[APPENDUID \d+ 1\]/);
      expect(await run("a2", `APPEND INBOX {60+}\r\n${message}`)).toEqual([
        expect.stringMatching(
          /^a2 NO \[LIMIT\] The daily upload allowance of 100 bytes would be exceeded by 20 bytes/,
        ),
      ]);
      expect(await run("a3", "STATUS INBOX (MESSAGES)")).toEqual([
        '* STATUS "INBOX" (MESSAGES 1)',
        "a3 OK STATUS completed.",
      ]);
    } finally {
      await limited.stop();
    }
  });

  it("an APPEND to the selected mailbox is told as EXISTS through the selected view", async () => {
    const { name, password } = await newUser();
    const { run } = await raw(name, password);
    expect(await run("SELECT INBOX")).toContain("* 0 EXISTS");
    const appended = await run("APPEND INBOX {18+}\r\nSubject: s\r\n\r\nhi\r\n");
    expect(appended[appended.length - 1]).toMatch(/^T OK \[APPENDUID \d+ 1\]/);
    // EXISTS comes with the APPEND's answer or, at the latest, with the next command's (RFC 3501 §7.3.1).
    const told = [...appended, ...(await run("NOOP"))];
    expect(told.filter((l) => l === "* 1 EXISTS")).toHaveLength(1);
  });

  it("bad arguments to the mailbox commands are BAD with the reason, and the session carries on", async () => {
    const { name, password } = await newUser();
    const { imap, run } = await raw(name, password);
    imap.send(
      Buffer.concat([Buffer.from("b1 CREATE {2+}\r\n"), Buffer.from([0xc3, 0x28]), Buffer.from("\r\n")]),
    );
    expect((await imap.until("b1")).map((r) => r.line)).toEqual([
      'b1 BAD Mailbox name "\\xC3(" is neither modified UTF-7 nor UTF-8.',
    ]);
    expect(await run("RENAME onlyone")).toEqual([
      "T BAD RENAME takes the existing and the new mailbox name.",
    ]);
    expect(await run("STATUS INBOX MESSAGES")).toEqual(["T BAD Expected status items in parentheses."]);
    expect(await run('LIST (SUBSCRIBED "x") "" *')).toEqual(["T BAD Expected a LIST selection option."]);
    expect(await run('LIST "" * RETURN CHILDREN')).toEqual([
      "T BAD Expected the RETURN options in parentheses.",
    ]);
    expect(await run("APPEND INBOX (\\Seen)")).toEqual([
      "T BAD APPEND takes the message last, after flags and date-time.",
    ]);
    expect(await run("CREATE x (USE)")).toEqual(["T BAD Expected the USE attributes in parentheses."]);
    expect(await run("GETQUOTAROOT")).toEqual(["T BAD GETQUOTAROOT takes a mailbox name."]);
    expect(await run("NOOP")).toEqual(["T OK NOOP completed."]);
  });
});

// SEARCH, SORT and THREAD over a real socket against a real Eider (embedded store): the known mailbox is
// APPENDed by imapflow (flags and internal dates included), then each search key, ESEARCH, literals, SORT and
// THREAD are sent as raw lines and the answers compared byte for byte; imapflow searches too.
import { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, startTestEider, type TestEider } from "../../../test/harness/eider.js";
import { imaplib } from "./imaplib.js";
import { RawImap } from "./raw-imap.js";
import { SEARCH_CASES, SEARCH_MAILBOX, SORT_CASES, searchMessage } from "./search-mailbox.js";

let t: TestEider;
let imap: RawImap;
let flow: ImapFlow;
let tag = 0;

/** Non-ASCII words go as LITERAL+ literals (an atom or quoted string is 7-bit before UTF8=ACCEPT). */
function withLiterals(line: string): string {
  return line.replace(
    /[^\s()"]*[^\x00-\x7f][^\s()"]*/g,
    (word) => `{${Buffer.byteLength(word)}+}\r\n${word}`,
  );
}

async function send(command: string): Promise<string[]> {
  const id = `s${++tag}`;
  return (await imap.command(id, withLiterals(command))).map((r) => r.line.replace(`${id} `, "<tag> "));
}

beforeAll(async () => {
  t = await startTestEider();
  const port = t.eider.imap!.port;
  await createUser(t.url, "finder");
  flow = new ImapFlow({
    host: "127.0.0.1",
    port,
    secure: false,
    auth: { user: "finder", pass: "pw-finder-secret" },
    logger: false,
    doSTARTTLS: false,
  });
  await flow.connect();
  await flow.append("INBOX", searchMessage({ Subject: "gone" }, "gone"), ["\\Deleted"]);
  for (const m of SEARCH_MAILBOX) await flow.append("INBOX", m.raw, m.flags, new Date(m.internalDate));
  await flow.mailboxOpen("INBOX");
  await flow.messageDelete("1", { uid: true });
  imap = (await RawImap.open(port)).imap;
  expect((await imap.status("L", "LOGIN finder pw-finder-secret")).status).toBe("OK");
  expect((await imap.status("S", "SELECT INBOX")).status).toBe("OK");
});
afterAll(async () => {
  imap?.destroy();
  await flow?.logout().catch(() => {});
  await t?.stop();
});

describe("IMAP SEARCH over a socket", () => {
  it("CAPABILITY offers ESEARCH, WITHIN, SORT and both THREAD algorithms once logged in", async () => {
    const [caps] = await send("CAPABILITY");
    for (const name of ["ESEARCH", "WITHIN", "SORT", "THREAD=REFERENCES", "THREAD=ORDEREDSUBJECT"])
      expect(caps.split(" ")).toContain(name);
  });

  it.each(SEARCH_CASES)("SEARCH %s", async (program, expected) => {
    expect(await send(`SEARCH ${program}`)).toEqual([
      `* SEARCH${expected ? ` ${expected}` : ""}`,
      expect.stringMatching(/^<tag> OK /),
    ]);
  });

  it("a search string may be a synchronising literal (the server asks for it with +)", async () => {
    const word = Buffer.from("déjeuner");
    imap.send(`q1 UID SEARCH CHARSET UTF-8 SUBJECT {${word.length}}\r\n`);
    expect((await imap.next()).line).toMatch(/^\+ /);
    imap.send(Buffer.concat([word, Buffer.from(" SEEN\r\n")]));
    expect((await imap.until("q1")).map((r) => r.line)).toEqual([
      "* SEARCH 6",
      "q1 OK UID SEARCH completed (1 found).",
    ]);
  });

  it("ESEARCH answers carry the tag, UID when asked by UID, and only COUNT when nothing matched", async () => {
    expect(await imap.command("e1", "UID SEARCH RETURN (MIN MAX COUNT ALL) UNDELETED")).toMatchObject([
      { line: '* ESEARCH (TAG "e1") UID MIN 2 MAX 6 ALL 2:3,5:6 COUNT 4' },
      { line: "e1 OK UID SEARCH completed (4 found)." },
    ]);
    expect((await imap.command("e2", "SEARCH RETURN (COUNT) KEYWORD none")).map((r) => r.line)).toEqual([
      '* ESEARCH (TAG "e2") COUNT 0',
      "e2 OK SEARCH completed (0 found).",
    ]);
  });

  it("errors: an unknown key is BAD quoting it; another charset is NO [BADCHARSET]; SEARCH needs a mailbox", async () => {
    expect(await send("SEARCH FROB 1")).toEqual(['<tag> BAD Unknown search key "FROB".']);
    expect(await send("SEARCH CHARSET KOI8-R ALL")).toEqual([
      "<tag> NO [BADCHARSET (UTF-8 US-ASCII)] Search strings are taken in UTF-8 or US-ASCII only.",
    ]);
    expect(await send(`SEARCH ${"NOT ".repeat(300)}ALL`)).toEqual([
      expect.stringMatching(/^<tag> BAD Search keys are nested deeper than 100 levels/),
    ]);
    const other = (await RawImap.open(t.eider.imap!.port)).imap;
    await other.status("L", "LOGIN finder pw-finder-secret");
    expect((await other.status("x", "SEARCH ALL")).status).toBe("BAD");
    other.destroy();
  });

  it.each(SORT_CASES)("SORT %s", async (program, expected) => {
    expect(await send(`SORT ${program}`)).toEqual([`* SORT ${expected}`, "<tag> OK SORT completed."]);
  });

  it("UID SORT (REVERSE DATE) answers UIDs", async () => {
    expect(await send("UID SORT (REVERSE DATE) UTF-8 ALL")).toEqual([
      "* SORT 6 5 4 3 2",
      "<tag> OK UID SORT completed.",
    ]);
  });

  it("THREAD=REFERENCES and ORDEREDSUBJECT as RFC 5256 §4 writes them", async () => {
    expect(await send("THREAD REFERENCES UTF-8 ALL")).toEqual([
      "* THREAD (1 2)((3 4)(5))",
      "<tag> OK THREAD completed.",
    ]);
    expect(await send("UID THREAD REFERENCES US-ASCII UNDELETED")).toEqual([
      "* THREAD (2 3)(6 5)",
      "<tag> OK UID THREAD completed.",
    ]);
    expect(await send("THREAD ORDEREDSUBJECT UTF-8 ALL")).toEqual([
      "* THREAD (1 2)(3 (4)(5))",
      "<tag> OK THREAD completed.",
    ]);
  });

  it("imapflow's search finds the same messages", async () => {
    expect(await flow.search({ seen: false }, { uid: true })).toEqual([3, 4, 5]);
    expect(await flow.search({ or: [{ from: "alice" }, { keyword: "$Work" }] })).toEqual([1, 2]);
    expect(await flow.search({ header: { "x-mailer": "pine" } }, { uid: true })).toEqual([4]);
    expect(await flow.search({ sentBefore: new Date("2024-01-02T00:00:00Z"), larger: 100 })).toEqual([1]);
    expect(await flow.search({ body: "numbers", not: { flagged: true } })).toEqual([1]);
  });

  it("Python's imaplib: search, uid search, sort and thread", async () => {
    const out = await imaplib<Record<string, unknown>>(
      { host: "127.0.0.1", port: t.eider.imap!.port },
      `
c = imaplib.IMAP4(host, port)
c.login("finder", "pw-finder-secret")
c.select("INBOX", readonly=True)
out = {
  "search": s(c.search(None, "UNSEEN")[1]),
  "uid": s(c.uid("SEARCH", "OR", "FROM", "alice", "KEYWORD", "$Work")[1]),
  "sort": s(c.sort("(REVERSE SIZE)", "UTF-8", "ALL")[1]),
  "thread": s(c.thread("REFERENCES", "UTF-8", "ALL")[1]),
}
c.logout()
print(json.dumps(out))
`,
    );
    expect(out).toEqual({
      search: ["2 3 4"],
      uid: ["2 3"],
      sort: ["2 3 1 4 5"],
      thread: ["(1 2)((3 4)(5))"],
    });
  });
});

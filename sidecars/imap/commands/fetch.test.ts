// FETCH and UID FETCH against a real core (SQLite, memory bus) and the real selected view, with a session that
// records what is written. Every answer is read back with the strict RFC 3501 grammar reader.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Principal } from "../../../src/core/index.js";
import { openTestCore, type TestCore } from "../../../test/harness/core.js";
import { BadArguments, type ImapArg } from "../protocol/request.js";
import { SelectedView } from "../selected.js";
import { readFetchResponses, type ParsedBody, type ParsedEnvelope } from "../test/fetch-grammar.js";
import type { ImapSession } from "./context.js";
import { FETCH_COMMANDS } from "./fetch.js";

const crlf = (text: string) => Buffer.from(text.replace(/\r?\n/g, "\r\n"), "utf8");

const NESTED = crlf(`From: "Fred Foobar" <foobar@blurdybloop.example>
To: friends: a@x.example, "B" <b@y.example>;, c@z.example
Subject: =?utf-8?q?caf=C3=A9?= "quoted"
Date: Mon, 7 Feb 1994 21:52:25 -0800
Message-ID: <m1@x.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: multipart/alternative; boundary="b2"

--b2
Content-Type: text/plain; charset=utf-8

Hello
--b2
Content-Type: text/html

<p>Hello</p>
--b2--
--b1
Content-Type: message/rfc822
Content-Disposition: attachment; filename="fwd.eml"

From: inner@x.example
Subject: inner
Content-Type: text/plain

inner body
--b1--
`);

const BARE = crlf(`X-Only: this

no envelope fields at all
`);

const a = (value: string, extra: Partial<Extract<ImapArg, { type: "atom" }>> = {}): ImapArg => ({
  type: "atom",
  value,
  ...extra,
});
const list = (...items: ImapArg[]): ImapArg => ({ type: "list", items });

describe("FETCH on a real core", () => {
  let t: TestCore;
  let p: Principal;
  let inboxId: string;
  let view: SelectedView;
  let written: Buffer[];
  let untagged: string[];
  let session: ImapSession;

  async function select(readOnly = false): Promise<void> {
    await view?.close();
    view = (await SelectedView.open(t.core, p, "INBOX", { readOnly })).view;
    session.selected = view;
  }

  beforeEach(async () => {
    t = await openTestCore();
    const u = await t.addUser("alice");
    p = { kind: "user", userId: u.userId };
    inboxId = u.inboxId;
    await t.core.uidMailboxes.append(p, inboxId, NESTED, {
      internalDate: new Date(Date.UTC(2026, 0, 5, 3, 4, 5)),
    });
    await t.core.uidMailboxes.append(p, inboxId, BARE, { flags: ["\\Flagged"] });
    written = [];
    untagged = [];
    session = {
      core: t.core,
      principal: p,
      enabled: new Set(),
      state: "selected",
      untagged: (text: string | Buffer) => untagged.push(text.toString()),
      write: async (data: Buffer | string) => void written.push(Buffer.from(data)),
    } as unknown as ImapSession;
    await select();
  });
  afterEach(async () => {
    await view.close();
    await t.close();
  });

  async function fetch(command: "FETCH" | "UID FETCH", args: ImapArg[]) {
    written = [];
    const spec = FETCH_COMMANDS.find((s) => s.name === command)!;
    const result = await spec.handle(session, { tag: "a1", command, args });
    const bytes = Buffer.concat(written);
    return { result, bytes, responses: readFetchResponses(bytes) };
  }

  it("answers FLAGS, INTERNALDATE, RFC822.SIZE, UID and MODSEQ from the stored row", async () => {
    const { result, responses } = await fetch("FETCH", [
      a("1:2"),
      list(a("FLAGS"), a("INTERNALDATE"), a("RFC822.SIZE"), a("UID"), a("MODSEQ")),
    ]);
    expect(result.status).toBe("OK");
    expect(responses.map((r) => r.seq)).toEqual([1, 2]);
    const [one, two] = responses.map((r) => r.attributes);
    expect(one.get("FLAGS")).toEqual([]);
    expect(two.get("FLAGS")).toEqual(["\\Flagged"]);
    expect(one.get("INTERNALDATE")).toBe(" 5-Jan-2026 03:04:05 +0000");
    expect(one.get("RFC822.SIZE")).toBe(NESTED.length);
    expect(two.get("UID")).toBe(2);
    expect(two.get("MODSEQ")).toBeGreaterThan(one.get("MODSEQ") as number);
    // MODSEQ enables CONDSTORE (RFC 7162 §3.1), told with the mailbox's HIGHESTMODSEQ.
    expect(session.enabled.has("CONDSTORE")).toBe(true);
    expect(untagged).toEqual([`OK [HIGHESTMODSEQ ${view.highestModseq}] Conditional STORE enabled.`]);
  });

  it("writes ENVELOPE by the grammar: encoded words kept, group syntax, sender and reply-to from From, NIL", async () => {
    const { responses } = await fetch("FETCH", [a("1:2"), a("ENVELOPE")]);
    const fred = { name: "Fred Foobar", adl: null, mailbox: "foobar", host: "blurdybloop.example" };
    expect(responses[0].attributes.get("ENVELOPE")).toEqual({
      date: "Mon, 7 Feb 1994 21:52:25 -0800",
      subject: '=?utf-8?q?caf=C3=A9?= "quoted"',
      from: [fred],
      sender: [fred],
      replyTo: [fred],
      to: [
        { name: null, adl: null, mailbox: "friends", host: null },
        { name: null, adl: null, mailbox: "a", host: "x.example" },
        { name: "B", adl: null, mailbox: "b", host: "y.example" },
        { name: null, adl: null, mailbox: null, host: null },
        { name: null, adl: null, mailbox: "c", host: "z.example" },
      ],
      cc: null,
      bcc: null,
      inReplyTo: null,
      messageId: "<m1@x.example>",
    } satisfies ParsedEnvelope);
    expect(Object.values(responses[1].attributes.get("ENVELOPE") as ParsedEnvelope)).toEqual(
      Array(10).fill(null),
    );
  });

  it("writes BODYSTRUCTURE with extension data and BODY without, nested message/rfc822 included", async () => {
    const { responses } = await fetch("FETCH", [a("1"), list(a("BODYSTRUCTURE"), a("BODY"))]);
    const full = responses[0].attributes.get("BODYSTRUCTURE") as ParsedBody;
    const plain = responses[0].attributes.get("BODY") as ParsedBody;
    expect(full.subtype).toBe("mixed");
    expect(full.params).toEqual([["boundary", "b1"]]);
    const [alternative, forwarded] = full.parts!;
    expect(alternative.parts!.map((part) => [part.type, part.subtype, part.params, part.lines])).toEqual([
      // The CRLF before a boundary belongs to the boundary (RFC 2046 §5.1.1): "Hello" has no line end.
      ["text", "plain", [["charset", "utf-8"]], 0],
      ["text", "html", [["charset", "us-ascii"]], 0],
    ]);
    expect(forwarded).toMatchObject({ type: "message", subtype: "rfc822", lines: 4 });
    expect(forwarded.envelope).toMatchObject({
      subject: "inner",
      from: [{ mailbox: "inner", host: "x.example" }],
    });
    expect(forwarded.body).toMatchObject({ type: "text", subtype: "plain", size: 10, lines: 0 });
    expect(forwarded.extension?.disposition).toEqual({
      type: "attachment",
      params: [["filename", "fwd.eml"]],
    });
    // BODY: the same tree, no extension data anywhere (the reader refuses it).
    expect(plain.parts!.map((part) => part.subtype)).toEqual(["alternative", "rfc822"]);
    expect(plain.extension).toBeUndefined();
  });

  it("answers BODY.PEEK[] byte-exact through the bulk path without setting \\Seen", async () => {
    const { responses } = await fetch("UID FETCH", [a("1:*"), a("BODY.PEEK", { section: [] })]);
    expect(responses.map((r) => [...r.attributes.keys()])).toEqual([
      ["UID", "BODY[]"],
      ["UID", "BODY[]"],
    ]);
    expect(responses[0].attributes.get("BODY[]")).toEqual(NESTED);
    expect(responses[1].attributes.get("BODY[]")).toEqual(BARE);
    const flags = await fetch("FETCH", [a("1"), a("FLAGS")]);
    expect(flags.responses[0].attributes.get("FLAGS")).toEqual([]);
  });

  it("sets \\Seen with BODY[], RFC822 and RFC822.TEXT and adds FLAGS to the answer; not on a read-only mailbox", async () => {
    const first = await fetch("FETCH", [a("1"), a("BODY", { section: [a("TEXT")] })]);
    expect([...first.responses[0].attributes.keys()]).toEqual(["BODY[TEXT]", "FLAGS"]);
    expect(first.responses[0].attributes.get("FLAGS")).toEqual(["\\Seen"]);
    // Already seen: no change, so no FLAGS.
    const again = await fetch("FETCH", [a("1"), a("RFC822")]);
    expect([...again.responses[0].attributes.keys()]).toEqual(["RFC822"]);
    expect(again.responses[0].attributes.get("RFC822")).toEqual(NESTED);
    await select(true);
    const readOnly = await fetch("FETCH", [a("2"), a("RFC822.TEXT")]);
    expect([...readOnly.responses[0].attributes.keys()]).toEqual(["RFC822.TEXT"]);
    expect((await t.core.uidMailboxes.open(p, inboxId)).messages[1].flags).toEqual(["\\Flagged"]);
  });

  it("answers every section form: parts, MIME, HEADER, TEXT, HEADER.FIELDS(.NOT), nested parts and partials", async () => {
    const section = (text: string, extra: ImapArg[] = []) => a("BODY.PEEK", { section: [a(text), ...extra] });
    const { responses } = await fetch("FETCH", [
      a("1"),
      list(
        section("1.1"),
        section("1.2.MIME"),
        section("2.HEADER"),
        section("2.TEXT"),
        section("2.1"),
        section("HEADER.FIELDS", [list(a("Subject"), a("message-id"))]),
        section("HEADER.FIELDS.NOT", [list(a("From"), a("To"), a("Subject"), a("Date"), a("Content-Type"))]),
        a("BODY.PEEK", { section: [], partial: { offset: 6, length: 4 } }),
        a("BODY.PEEK", { section: [a("1.1")], partial: { offset: 2, length: 100 } }),
        a("BODY.PEEK", { section: [a("TEXT")], partial: { offset: 100_000, length: 5 } }),
        section("9"),
        a("RFC822.HEADER"),
      ),
    ]);
    const got = responses[0].attributes;
    const text = (key: string) => (got.get(key) as Buffer).toString();
    expect(text("BODY[1.1]")).toBe("Hello");
    expect(text("BODY[1.2.MIME]")).toBe("Content-Type: text/html\r\n\r\n");
    expect(text("BODY[2.HEADER]")).toBe(
      "From: inner@x.example\r\nSubject: inner\r\nContent-Type: text/plain\r\n\r\n",
    );
    expect(text("BODY[2.TEXT]")).toBe("inner body");
    expect(text("BODY[2.1]")).toBe("inner body");
    expect(text("BODY[HEADER.FIELDS (SUBJECT MESSAGE-ID)]")).toBe(
      'Subject: =?utf-8?q?caf=C3=A9?= "quoted"\r\nMessage-ID: <m1@x.example>\r\n\r\n',
    );
    expect(text("BODY[HEADER.FIELDS.NOT (FROM TO SUBJECT DATE CONTENT-TYPE)]")).toBe(
      "Message-ID: <m1@x.example>\r\nMIME-Version: 1.0\r\n\r\n",
    );
    expect(text("BODY[]<6>")).toBe('"Fre');
    expect(text("BODY[1.1]<2>")).toBe("llo");
    expect(text("BODY[TEXT]<100000>")).toBe("");
    expect(text("BODY[9]")).toBe("");
    expect(text("RFC822.HEADER")).toBe(NESTED.subarray(0, NESTED.indexOf("\r\n\r\n") + 4).toString());
  });

  it("puts UID first in UID FETCH answers even when not asked for", async () => {
    const { responses } = await fetch("UID FETCH", [a("2"), list(a("FLAGS"), a("UID"))]);
    expect([...responses[0].attributes.keys()]).toEqual(["UID", "FLAGS"]);
  });

  it("answers CHANGEDSINCE with the messages changed after it, and MODSEQ with them", async () => {
    const before = view.highestModseq;
    await t.core.uidMailboxes.storeFlags(p, inboxId, [2], { op: "add", flags: ["$Work"] });
    const { responses } = await fetch("FETCH", [
      a("1:*"),
      a("FLAGS"),
      list(a("CHANGEDSINCE"), a(String(before))),
    ]);
    expect(responses).toHaveLength(1);
    expect(responses[0].seq).toBe(2);
    expect([...responses[0].attributes.keys()]).toEqual(["FLAGS", "MODSEQ"]);
    expect(responses[0].attributes.get("MODSEQ")).toBeGreaterThan(before);
  });

  it("answers VANISHED (EARLIER) with the set's UIDs expunged since CHANGEDSINCE", async () => {
    session.enabled.add("QRESYNC");
    session.enabled.add("CONDSTORE");
    const third = await t.core.uidMailboxes.append(p, inboxId, BARE);
    await select();
    const before = view.highestModseq;
    await t.core.uidMailboxes.storeFlags(p, inboxId, [2, third.uid], { op: "add", flags: ["\\Deleted"] });
    await t.core.uidMailboxes.expunge(p, inboxId, [2]);
    const { bytes, responses } = await fetch("UID FETCH", [
      a("1:*"),
      a("FLAGS"),
      list(a("CHANGEDSINCE"), a(String(before)), a("VANISHED")),
    ]);
    expect(bytes.toString().split("\r\n")[0]).toBe("* VANISHED (EARLIER) 2");
    // The session has not been told of the expunge yet: UID 3 is still sequence number 3.
    expect(responses.map((r) => [r.seq, r.attributes.get("UID")])).toEqual([[3, third.uid]]);
    const outside = await fetch("UID FETCH", [
      a("3"),
      a("FLAGS"),
      list(a("CHANGEDSINCE"), a(String(before)), a("VANISHED")),
    ]);
    expect(outside.bytes.toString()).not.toContain("VANISHED");
  });

  it("answers BAD for a sequence number past the end, and skips UIDs that do not exist", async () => {
    await expect(fetch("FETCH", [a("3"), a("FLAGS")])).rejects.toThrow(BadArguments);
    const { responses } = await fetch("UID FETCH", [a("2:9"), a("FLAGS")]);
    expect(responses.map((r) => r.attributes.get("UID"))).toEqual([2]);
  });

  it("issues no write while one is still waiting for the socket to drain", async () => {
    const big = Buffer.concat([crlf("Subject: big\n\n"), Buffer.alloc(20_000, 0x61)]);
    for (let n = 0; n < 40; n++) await t.core.uidMailboxes.append(p, inboxId, big);
    await select();
    let release: () => void = () => {};
    let calls = 0;
    let waiting = 0;
    session.write = (data) => {
      calls++;
      written.push(Buffer.from(data));
      return new Promise<void>((resolve) => {
        waiting++;
        release = () => {
          waiting--;
          resolve();
        };
      });
    };
    const spec = FETCH_COMMANDS.find((s) => s.name === "FETCH")!;
    let done = false;
    const running = spec
      .handle(session, { tag: "a1", command: "FETCH", args: [a("1:*"), a("BODY.PEEK", { section: [] })] })
      .then(() => (done = true));
    for (let round = 0; !done; round++) {
      await new Promise((resolve) => setImmediate(resolve));
      expect(waiting).toBeLessThanOrEqual(1);
      if (waiting === 1) release();
      expect(round).toBeLessThan(10_000);
    }
    await running;
    expect(calls).toBeGreaterThan(10); // 42 messages, about 820 KB: many writes of at most a batch each
    const responses = readFetchResponses(Buffer.concat(written));
    expect(responses).toHaveLength(42);
    expect(Math.max(...written.map((w) => w.length))).toBeLessThanOrEqual(64 * 1024);
  });
});

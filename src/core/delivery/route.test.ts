import { describe, expect, it } from "vitest";
import { parseMessage } from "../../mime/index.js";
import { cleanFilter, matches, messageFacts, type FilterDefinition } from "./filters.js";
import { routeMessage, type RoutingFilter } from "./route.js";
import { judgeSpam, NOT_SPAM, trustedSpamHeaders, type SpamPolicy } from "./spam.js";

const raw = (headers: string, body = "Hello there.") =>
  Buffer.from(`${headers.trim().replace(/\n/g, "\r\n")}\r\n\r\n${body}\r\n`);

const base = `From: "Alice Ärger" <alice@example.net>
To: bob@example.com
Cc: =?UTF-8?Q?Carol_K=C3=B6nig?= <carol@example.com>
Subject: =?UTF-8?Q?Quarterly_R=C3=A9sum=C3=A9?=
List-Id: Eider Users <users.eider.example>`;

const facts = async (headers = base, body?: string) => messageFacts(await parseMessage(raw(headers, body)));

let n = 0;
const filter = (over: Partial<RoutingFilter>): RoutingFilter => ({
  id: `f${++n}`,
  name: `filter ${n}`,
  enabled: true,
  conditions: {},
  actions: {},
  ...over,
});

describe("Filter conditions", () => {
  it("match decoded header values and body text as case-insensitive substrings", async () => {
    const f = await facts(base, "The PROJECT is late.");
    expect(matches({ from: "ALICE ÄRGER" }, f, false)).toBe(true);
    expect(matches({ from: "alice@example.net" }, f, false)).toBe(true);
    expect(matches({ from: "bob" }, f, false)).toBe(false);
    expect(matches({ to: "carol könig" }, f, false)).toBe(true); // Cc counts, RFC 2047 decoded
    expect(matches({ to: "bob@example" }, f, false)).toBe(true);
    expect(matches({ subject: "résumé" }, f, false)).toBe(true);
    expect(matches({ subject: "resume" }, f, false)).toBe(false);
    expect(matches({ listId: "users.eider.example" }, f, false)).toBe(true);
    expect(matches({ listId: "other.example" }, f, false)).toBe(false);
    expect(matches({ body: "project is late" }, f, false)).toBe(true);
    expect(matches({ body: "on time" }, f, false)).toBe(false);
  });

  it("read the parsed text body, not the raw bytes (quoted-printable decoded)", async () => {
    const f = await facts(
      `${base}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable`,
      "Gr=C3=BC=C3=9Fe aus K=C3=B6ln",
    );
    expect(matches({ body: "grüße aus köln" }, f, false)).toBe(true);
    expect(matches({ body: "=C3" }, f, false)).toBe(false);
  });

  it("check attachment, size bounds and the spam verdict; all given conditions must hold", async () => {
    const f = await facts();
    expect(matches({ hasAttachment: false }, f, false)).toBe(true);
    expect(matches({ hasAttachment: true }, f, false)).toBe(false);
    expect(matches({ largerThan: f.size - 1, smallerThan: f.size + 1 }, f, false)).toBe(true);
    expect(matches({ largerThan: f.size }, f, false)).toBe(false);
    expect(matches({ smallerThan: f.size }, f, false)).toBe(false);
    expect(matches({ spam: true }, f, true)).toBe(true);
    expect(matches({ spam: true }, f, false)).toBe(false);
    expect(matches({ spam: false, from: "alice" }, f, false)).toBe(true);
    expect(matches({ spam: false, from: "nobody" }, f, false)).toBe(false);
    expect(matches({}, f, false)).toBe(true);
  });

  it("see an attachment", async () => {
    const f = await facts(
      `${base}\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b`,
      `--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n\r\nJVBERi0=\r\n--b--`,
    );
    expect(matches({ hasAttachment: true }, f, false)).toBe(true);
  });
});

describe("cleanFilter", () => {
  const def = (over: Partial<FilterDefinition>): FilterDefinition => ({
    name: "x",
    enabled: true,
    conditions: {},
    actions: { markSeen: true },
    ...over,
  });
  it("trims, drops empty text conditions and refuses what cannot work", () => {
    expect(cleanFilter(def({ name: "  News ", conditions: { from: " ", subject: " hi " } }))).toEqual({
      name: "News",
      enabled: true,
      conditions: { subject: "hi" },
      actions: { markSeen: true },
    });
    expect(() => cleanFilter(def({ name: " " }))).toThrow(/name/);
    expect(() => cleanFilter(def({ name: "a\r\n250 fake" }))).toThrow(/control characters/);
    expect(() => cleanFilter(def({ actions: {} }))).toThrow(/at least one action/);
    expect(() => cleanFilter(def({ actions: { delete: true, moveTo: "m" } }))).toThrow(/only one/);
    expect(() => cleanFilter(def({ conditions: { largerThan: -1 } }))).toThrow(/whole number/);
    expect(() => cleanFilter(def({ conditions: { subject: "x".repeat(1001) } }))).toThrow(/1000/);
    expect(() => cleanFilter(def({ actions: { markSeen: false } }))).toThrow(/at least one action/);
  });
});

describe("Spam verdict from trusted headers", () => {
  const all: SpamPolicy = {
    trustedHeaders: trustedSpamHeaders([
      "X-Spam-Status",
      "X-Spam-Flag",
      "X-Spam-Score",
      "X-Rspamd-Score",
      "X-Rspamd-Action",
    ]),
    level: 5,
  };
  const fields = async (headers: string) => (await parseMessage(raw(`${base}\n${headers}`))).headerFields;

  it("reads SpamAssassin's X-Spam-Status: its score against the user's level, else its Yes/No", async () => {
    const yes = await fields("X-Spam-Status: Yes, score=7.2 required=5.0 tests=BAYES_99");
    expect(judgeSpam(yes, all)).toMatchObject({ spam: true, score: 7.2 });
    expect(judgeSpam(yes, { ...all, level: 8 }).spam).toBe(false); // a more lenient user
    expect(judgeSpam(await fields("X-Spam-Status: No, score=1.1 required=5.0"), all).spam).toBe(false);
    expect(judgeSpam(await fields("X-Spam-Status: No, score=1.1"), { ...all, level: 1 }).spam).toBe(true);
    expect(judgeSpam(await fields("X-Spam-Status: Yes"), all)).toMatchObject({ spam: true, score: null });
    expect(judgeSpam(await fields("X-Spam-Flag: YES"), all).spam).toBe(true);
    // SpamAssassin 2.x wrote hits= where 3.x writes score=.
    expect(judgeSpam(await fields("X-Spam-Status: No, hits=6.0 required=5.0"), all)).toMatchObject({
      spam: true,
      score: 6,
    });
  });

  it("reads rspamd's action and score", async () => {
    for (const action of ["reject", "add header", "rewrite subject", "Add_Header"])
      expect(judgeSpam(await fields(`X-Rspamd-Action: ${action}`), all).spam).toBe(true);
    for (const action of ["no action", "greylist", "soft reject"])
      expect(judgeSpam(await fields(`X-Rspamd-Action: ${action}`), all).spam).toBe(false);
    expect(judgeSpam(await fields("X-Rspamd-Score: 12.314971"), all)).toMatchObject({
      spam: true,
      score: 12.314971,
    });
    expect(judgeSpam(await fields("X-Rspamd-Score: -0.889991"), all).spam).toBe(false);
    expect(judgeSpam(await fields("X-Spam-Score: 5"), all).spam).toBe(true); // at the level counts
    // A score decides over the action: the user's level is the point of having one.
    expect(
      judgeSpam(await fields("X-Rspamd-Action: add header\nX-Rspamd-Score: 6.5"), { ...all, level: 10 }).spam,
    ).toBe(false);
  });

  it("ignores headers that are not trusted, and takes the topmost of a name (the nearest MTA's)", async () => {
    const only = { trustedHeaders: trustedSpamHeaders(["X-Rspamd-Action"]), level: 5 };
    expect(judgeSpam(await fields("X-Spam-Status: Yes, score=99"), only)).toEqual(NOT_SPAM);
    expect(judgeSpam(await fields("X-Spam-Status: Yes"), { trustedHeaders: new Set(), level: 5 })).toEqual(
      NOT_SPAM,
    );
    expect(judgeSpam(await fields("X-Rspamd-Score: 1.0\nX-Rspamd-Score: 50"), all).spam).toBe(false);
    expect(() => trustedSpamHeaders(["X-Whatever"])).toThrow(/not one Eider reads/);
  });
});

describe("routeMessage", () => {
  const spam = { spam: true, score: 9, reason: "X-Spam-Score: 9" };

  it("applies filters in order: flags add up, the first destination wins, every match is recorded", async () => {
    const f = await facts();
    const a = filter({ conditions: { from: "alice" }, actions: { markSeen: true, moveTo: "box-a" } });
    const b = filter({ conditions: { subject: "quarterly" }, actions: { flag: true, moveTo: "box-b" } });
    const c = filter({ conditions: { subject: "nothing like it" }, actions: { delete: true } });
    const r = routeMessage([a, b, c], f, NOT_SPAM);
    expect(r).toEqual({
      verdict: "mailbox",
      mailboxId: "box-a",
      flags: ["\\Seen", "\\Flagged"],
      matchedFilters: [
        { id: a.id, name: a.name },
        { id: b.id, name: b.name },
      ],
      decidedBy: { id: a.id, name: a.name },
      spam: NOT_SPAM,
    });
    expect(routeMessage([b, a], f, NOT_SPAM).mailboxId).toBe("box-b");
  });

  it("reads the message's facts only when a filter is checked", async () => {
    let reads = 0;
    const f = await facts();
    const lazy = () => (reads++, f);
    routeMessage([filter({ enabled: false, actions: { flag: true } })], lazy, NOT_SPAM);
    expect(reads).toBe(0);
    routeMessage(
      [filter({ actions: { flag: true } }), filter({ actions: { markSeen: true } })],
      lazy,
      NOT_SPAM,
    );
    expect(reads).toBe(1);
  });

  it("stops after a filter with stop, and skips disabled ones", async () => {
    const f = await facts();
    const stopper = filter({ actions: { markSeen: true, stop: true } });
    const later = filter({ actions: { delete: true } });
    expect(routeMessage([stopper, later], f, NOT_SPAM)).toMatchObject({
      verdict: "inbox",
      flags: ["\\Seen"],
      matchedFilters: [{ id: stopper.id }],
    });
    expect(routeMessage([{ ...stopper, enabled: false }, later], f, NOT_SPAM).verdict).toBe("discarded");
  });

  it("sends spam to Junk with $Junk, where only a delete or a filter about spam may take it elsewhere", async () => {
    const f = await facts();
    expect(routeMessage([], f, spam)).toMatchObject({
      verdict: "junk",
      flags: ["$Junk"],
      spam,
      decidedBy: null,
    });
    const invoices = filter({ conditions: { subject: "quarterly" }, actions: { moveTo: "invoices" } });
    expect(routeMessage([invoices], f, spam)).toMatchObject({
      verdict: "junk",
      matchedFilters: [{ id: invoices.id }],
    });
    const spamBox = filter({ conditions: { spam: true }, actions: { moveTo: "spam-box" } });
    expect(routeMessage([spamBox], f, spam)).toMatchObject({ verdict: "mailbox", mailboxId: "spam-box" });
    expect(routeMessage([filter({ actions: { delete: true } })], f, spam).verdict).toBe("discarded");
    expect(routeMessage([invoices], f, NOT_SPAM)).toMatchObject({
      verdict: "mailbox",
      mailboxId: "invoices",
    });
  });

  it("marks as spam on a filter's word, whatever the headers said", async () => {
    const f = await facts();
    const r = routeMessage(
      [filter({ conditions: { listId: "eider" }, actions: { markSpam: true } })],
      f,
      NOT_SPAM,
    );
    expect(r).toMatchObject({ verdict: "junk", mailboxId: null, flags: ["$Junk"], spam: NOT_SPAM });
    expect(r.decidedBy).toEqual(r.matchedFilters[0]);
  });
});

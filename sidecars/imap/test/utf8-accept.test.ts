// UTF8=ACCEPT (RFC 6855) over a raw connection, where the exact bytes show: ENABLE's answer, APPEND's
// `UTF8 (~{n})` storing a message with UTF-8 headers byte for byte (and refused before ENABLE or without its
// wrapper), ENVELOPE strings quoted in UTF-8 after ENABLE and literals before, SEARCH's CHARSET refused after.
import { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loggedIn, type RawImap } from "./raw-imap.js";
import { PASSWORD, startImapTestServer, type ImapTestServer } from "./server.js";

const UTF8_MESSAGE = Buffer.from(
  [
    "From: Jürgen Müller <jm@example.net>",
    "To: ana@example.org",
    "Subject: Grüße",
    "Message-ID: <utf8-1@example.net>",
    "Date: Tue, 01 Dec 2026 10:00:00 +0000",
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    "Schöne Grüße aus Köln.",
    "",
  ].join("\r\n"),
  "utf8",
);

let s: ImapTestServer;
beforeAll(async () => {
  s = await startImapTestServer(["ana", "ben"]);
}, 180_000);
afterAll(() => s?.stop());

async function session(user: string, enable: boolean): Promise<RawImap> {
  const imap = await loggedIn(s.imapPort, user, PASSWORD);
  if (enable) {
    const enabled = await imap.command("E", "ENABLE UTF8=ACCEPT");
    expect(enabled.map((r) => r.line)).toEqual(["* ENABLED UTF8=ACCEPT", "E OK ENABLE completed."]);
  }
  return imap;
}

/** `APPEND INBOX UTF8 (~{n}` with a synchronising literal8: the `+`, then the bytes and `)`; the tagged answer. */
async function appendUtf8(imap: RawImap, tag: string, message: Buffer) {
  imap.send(`${tag} APPEND INBOX (\\Seen) UTF8 (~{${message.length}}\r\n`);
  const ready = await imap.next();
  expect(ready.tag).toBe("+");
  imap.send(Buffer.concat([message, Buffer.from(")\r\n")]));
  return (await imap.until(tag)).pop()!;
}

describe("UTF8=ACCEPT", () => {
  it("is advertised after login, and ENABLE answers ENABLED once", async () => {
    const imap = await session("ana", false);
    try {
      const caps = await imap.command("C", "CAPABILITY");
      expect(caps[0].line.split(" ")).toContain("UTF8=ACCEPT");
      const first = await imap.command("E1", "ENABLE UTF8=ACCEPT");
      expect(first[0].line).toBe("* ENABLED UTF8=ACCEPT");
      const again = await imap.command("E2", "ENABLE UTF8=ACCEPT");
      expect(again[0].line).toBe("* ENABLED");
    } finally {
      imap.destroy();
    }
  });

  it("APPEND UTF8 (~{n}) stores the message as sent; FETCH BODY[] gives the same bytes", async () => {
    const imap = await session("ana", true);
    try {
      const appended = await appendUtf8(imap, "A", UTF8_MESSAGE);
      expect(appended.status, appended.line).toBe("OK");
      const uid = /APPENDUID \d+ (\d+)/.exec(appended.line)![1];
      expect((await imap.status("S", "EXAMINE INBOX")).status).toBe("OK");
      const fetched = await imap.command("F", `UID FETCH ${uid} (FLAGS BODY.PEEK[])`);
      const data = fetched.find((r) => r.tag === "*" && / FETCH /.test(r.line))!;
      expect(data.literals[0].equals(UTF8_MESSAGE)).toBe(true);
      expect(data.line).toContain("FLAGS (\\Seen)");
    } finally {
      imap.destroy();
    }
  });

  it("ENVELOPE strings are quoted UTF-8 after ENABLE, literals before", async () => {
    const writer = await session("ben", true);
    const appended = await appendUtf8(writer, "A", UTF8_MESSAGE);
    expect(appended.status, appended.line).toBe("OK");
    writer.destroy();

    const envelopeOf = async (enable: boolean) => {
      const imap = await session("ben", enable);
      try {
        expect((await imap.status("S", "EXAMINE INBOX")).status).toBe("OK");
        const fetched = await imap.command("F", "FETCH 1 (ENVELOPE)");
        return fetched.find((r) => r.tag === "*" && / FETCH /.test(r.line))!;
      } finally {
        imap.destroy();
      }
    };
    const utf8 = await envelopeOf(true);
    expect(utf8.literals).toEqual([]);
    expect(utf8.raw.toString("utf8")).toContain(
      '"Tue, 01 Dec 2026 10:00:00 +0000" "Grüße" (("Jürgen Müller" NIL "jm" "example.net"))',
    );
    const legacy = await envelopeOf(false);
    // Subject, then From, Sender and Reply-To (the last two default to From): 8-bit strings go as literals.
    expect(legacy.literals.map((l) => l.toString("utf8"))).toEqual([
      "Grüße",
      "Jürgen Müller",
      "Jürgen Müller",
      "Jürgen Müller",
    ]);
    expect(legacy.line).toMatch(/^[\x20-\x7e]+$/);
  });

  it("APPEND UTF8 is BAD before ENABLE, and a literal8 outside UTF8 (...) is BAD; nothing is stored", async () => {
    const imap = await session("ana", false);
    try {
      const before = await imap.command("N0", "STATUS INBOX (MESSAGES)");
      imap.send(`B1 APPEND INBOX UTF8 (~{${UTF8_MESSAGE.length}+}\r\n`);
      imap.send(Buffer.concat([UTF8_MESSAGE, Buffer.from(")\r\n")]));
      const refused = (await imap.until("B1")).pop()!;
      expect(refused.line).toBe("B1 BAD APPEND's UTF8 (...) needs ENABLE UTF8=ACCEPT first.");
      expect((await imap.status("E", "ENABLE UTF8=ACCEPT")).status).toBe("OK");
      imap.send(`B2 APPEND INBOX ~{${UTF8_MESSAGE.length}+}\r\n`);
      imap.send(Buffer.concat([UTF8_MESSAGE, Buffer.from("\r\n")]));
      const bare = (await imap.until("B2")).pop()!;
      expect(bare.line).toBe("B2 BAD APPEND takes a literal8 (~{n}) only inside UTF8 (...).");
      const wrapped = await imap.status("B3", "APPEND INBOX UTF8 ({3+}\r\nabc)");
      expect(wrapped.line).toBe("B3 BAD APPEND's UTF8 takes one literal8 in parentheses: UTF8 (~{n}).");
      const elsewhere = await imap.status("B4", "LOGIN ~{3+}\r\nabc x");
      expect(elsewhere.status).toBe("BAD");
      expect((await imap.command("N1", "STATUS INBOX (MESSAGES)"))[0].line).toBe(before[0].line);
    } finally {
      imap.destroy();
    }
  });

  it("mailbox names in LIST and STATUS are quoted UTF-8 after ENABLE, modified UTF-7 before", async () => {
    const utf8 = await session("ben", true);
    try {
      utf8.send(Buffer.from('M1 CREATE "Reisen/Köln"\r\n', "utf8"));
      expect((await utf8.until("M1")).pop()!.status).toBe("OK");
      utf8.send(Buffer.from('M2 LIST "" "Reisen/*"\r\nM3 STATUS "Reisen/Köln" (MESSAGES)\r\n', "utf8"));
      const listed = await utf8.until("M3");
      expect(listed.map((r) => r.raw.toString("utf8").trimEnd())).toEqual([
        '* LIST (\\HasNoChildren) "/" "Reisen/Köln"',
        "M2 OK LIST completed.",
        '* STATUS "Reisen/Köln" (MESSAGES 0)',
        "M3 OK STATUS completed.",
      ]);
    } finally {
      utf8.destroy();
    }
    const legacy = await session("ben", false);
    try {
      const listed = await legacy.command("M4", 'LIST "" "Reisen/*"');
      expect(listed[0].line).toBe('* LIST (\\HasNoChildren) "/" "Reisen/K&APY-ln"');
    } finally {
      legacy.destroy();
    }
  });

  it("SEARCH with CHARSET is BAD after ENABLE (RFC 6855 §3), quoted UTF-8 strings are searched", async () => {
    const imap = await session("ana", false);
    try {
      expect((await imap.status("S", "SELECT INBOX")).status).toBe("OK");
      expect((await imap.status("C1", "SEARCH CHARSET UTF-8 ALL")).status).toBe("OK");
      await imap.status("U", "UNSELECT"); // ENABLE is a command of the authenticated state (RFC 5161)
      expect((await imap.status("E2", "ENABLE UTF8=ACCEPT")).status).toBe("OK");
      expect((await imap.status("S2", "SELECT INBOX")).status).toBe("OK");
      const charset = await imap.status("C2", "SEARCH CHARSET UTF-8 ALL");
      expect(charset.line).toBe(
        'C2 BAD SEARCH takes no CHARSET (here "UTF-8") after ENABLE UTF8=ACCEPT: strings are UTF-8.',
      );
      imap.send(Buffer.from('C3 UID SEARCH SUBJECT "üße"\r\n', "utf8"));
      const found = await imap.until("C3");
      expect(found.pop()!.status).toBe("OK");
      expect(found[0].line).toMatch(/^\* SEARCH \d+$/);
    } finally {
      imap.destroy();
    }
  });

  it("imapflow enables it and round-trips UTF-8 names, headers and searches", async () => {
    const c = new ImapFlow({
      host: "127.0.0.1",
      port: s.imapPort,
      secure: false,
      doSTARTTLS: false,
      auth: { user: "ana", pass: PASSWORD },
      logger: false,
    });
    await c.connect();
    try {
      expect(c.enabled.has("UTF8=ACCEPT")).toBe(true);
      await c.mailboxCreate("Reisen/Zürich");
      expect((await c.list()).map((b) => b.path)).toContain("Reisen/Zürich");
      await c.append("Reisen/Zürich", UTF8_MESSAGE);
      const lock = await c.getMailboxLock("Reisen/Zürich");
      try {
        const m = await c.fetchOne("1", { envelope: true, source: true });
        expect(m && m.envelope?.subject).toBe("Grüße");
        expect(m && m.envelope?.from?.[0]).toMatchObject({
          name: "Jürgen Müller",
          address: "jm@example.net",
        });
        expect(m && m.source?.equals(UTF8_MESSAGE)).toBe(true);
        expect(await c.search({ subject: "Grüße" })).toEqual([1]);
        expect(await c.search({ subject: "Köln" })).toEqual([]);
      } finally {
        lock.release();
      }
    } finally {
      await c.logout();
    }
  });
});

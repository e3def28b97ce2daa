// Python's imaplib against Eider: login, select, search, fetch, store, append, logout, over cleartext from
// loopback and over STARTTLS verified against the certificate Eider generated (the password sent only after
// the handshake).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { imaplib } from "./imaplib.js";
import { message, PASSWORD, startImapTestServer, type ImapTestServer } from "./server.js";

let s: ImapTestServer;
beforeAll(async () => {
  s = await startImapTestServer(["kim", "lou"]);
}, 180_000);
afterAll(() => s?.stop());

interface SessionResult {
  before: string[] | null;
  login: [string, string[]];
  after: string[];
  select: [string, string[]];
  search: [string, string[]];
  subject: [string, string[]];
  fetch: [string, unknown[]];
  store: [string, string[]];
  flags: [string, string[]];
  append: [string, string[]];
  all: [string, string[]];
  appended: [string, unknown[]];
  missing: string | null;
  logout: [string, string[]];
}

/** One session; `starttls` first when asked. */
const SESSION = (user: string, starttls: boolean) => `
  user = "${user}"
  m = imaplib.IMAP4("localhost", port)
  before = s(m.capabilities)
  ${starttls ? "m.starttls(ssl_context=ssl.create_default_context(cafile=cafile))" : ""}
  out = {"before": before if ${starttls ? "True" : "False"} else None}
  out["login"] = s(m.login(user, "${PASSWORD}"))
  out["after"] = s(list(m.capabilities))
  out["select"] = s(m.select("INBOX"))
  out["search"] = s(m.search(None, "ALL"))
  out["subject"] = s(m.uid("SEARCH", "SUBJECT", "python"))
  out["fetch"] = s(m.fetch("1", "(FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY[TEXT])"))
  out["store"] = s(m.store("1", "+FLAGS", "(\\\\Flagged)"))
  out["flags"] = s(m.fetch("1", "(FLAGS)"))
  out["append"] = s(m.append("INBOX", "(\\\\Draft)", imaplib.Time2Internaldate(1796100000), b"From: p@example.net\\r\\nSubject: appended by python\\r\\n\\r\\nhello\\r\\n"))
  out["all"] = s(m.search(None, "ALL"))
  out["appended"] = s(m.fetch("2", "(FLAGS INTERNALDATE BODY.PEEK[])"))
  out["missing"] = err(lambda: m.fetch("9", "(FLAGS)"))
  out["logout"] = s(m.logout())
  print(json.dumps(out))
`;

function checkSession(r: SessionResult) {
  expect(r.login[0]).toBe("OK");
  expect(r.after).toContain("IMAP4REV1");
  expect(r.select).toEqual(["OK", ["1"]]);
  expect(r.search).toEqual(["OK", ["1"]]);
  expect(r.subject[0]).toBe("OK");
  expect(r.subject[1][0].split(" ")).toHaveLength(1);
  expect(r.fetch[0]).toBe("OK");
  const [head, ...rest] = r.fetch[1] as Array<[string, string] | string>;
  // FLAGS as before or after BODY[TEXT] set \Seen: RFC 3501 allows either in the same response.
  expect(head[0]).toMatch(
    /^1 \(FLAGS \((\\Seen)?\) RFC822\.SIZE \d+ BODY\[HEADER\.FIELDS \(SUBJECT\)\] \{\d+\}$/,
  );
  expect(head[1]).toBe("Subject: from python\r\n\r\n");
  expect(JSON.stringify(rest)).toContain("Body of py.");
  expect(r.store[0]).toBe("OK");
  expect(r.flags[1][0]).toMatch(/\\Flagged/);
  expect(r.flags[1][0]).toMatch(/\\Seen/); // BODY[TEXT] without PEEK set it (RFC 3501 §6.4.5)
  expect(r.append[0]).toBe("OK");
  expect(r.append[1][0]).toMatch(/^\[APPENDUID \d+ \d+\]/);
  expect(r.all).toEqual(["OK", ["1 2"]]);
  const [appended] = r.appended[1] as Array<[string, string]>;
  expect(appended[0]).toMatch(/FLAGS \(\\Draft\)/);
  // The instant imaplib gave (the server may write it in another zone).
  expect(epochOf(/INTERNALDATE "([^"]+)"/.exec(appended[0])![1])).toBe(1796100000);
  expect(appended[1]).toBe("From: p@example.net\r\nSubject: appended by python\r\n\r\nhello\r\n");
  expect(r.missing).toMatch(/^FETCH command error: BAD/);
  expect(r.logout[0]).toBe("BYE");
}

/** An RFC 3501 date-time ("01-Dec-2026 10:40:00 +0100") as seconds since the epoch. */
function epochOf(dateTime: string): number {
  const m = /^ ?(\d{1,2})-(\w{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/.exec(dateTime);
  if (!m) throw new Error(`not an RFC 3501 date-time: ${dateTime}`);
  const month = "JanFebMarAprMayJunJulAugSepOctNovDec".indexOf(m[2]) / 3;
  const utc = Date.UTC(+m[3], month, +m[1], +m[4], +m[5], +m[6]) / 1000;
  return utc - (m[7] === "+" ? 1 : -1) * (+m[8] * 3600 + +m[9] * 60);
}

describe("Python's imaplib against Eider's IMAP sidecar", () => {
  it("logs in over cleartext from loopback, then selects, searches, fetches, stores, appends, logs out", async () => {
    await s.deliver("kim", message("py", "from python", "Body of py."));
    const r = await imaplib<SessionResult>({ host: "127.0.0.1", port: s.imapPort }, SESSION("kim", false));
    checkSession(r);
  });

  it("does the same over STARTTLS, verified against the generated certificate", async () => {
    await s.deliver("lou", message("py", "from python", "Body of py."));
    const r = await imaplib<SessionResult>(
      { host: "127.0.0.1", port: s.imapPort, cafile: s.cafile },
      SESSION("lou", true),
    );
    expect(r.before).toContain("STARTTLS");
    checkSession(r);
    expect(r.after).not.toContain("STARTTLS");
  });
});

// What a client fetches with BODY[] is the stored message byte for byte: corpus messages (bare LF line ends,
// 8-bit bytes, long lines) delivered over LMTP or uploaded over GraphQL, read back with UID FETCH over a raw
// connection and compared with the stored copy the API downloads (and, for an upload, with what was sent).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corpusMessages } from "../../../support/corpus.js";
import { gqlOk } from "../../../test/harness/eider.js";
import { holdings } from "../../../test/harness/mailbox.js";
import { loggedIn } from "./raw-imap.js";
import { PASSWORD, startImapTestServer, type ImapTestServer } from "./server.js";

const EIGHT_BIT = Buffer.concat([
  Buffer.from(
    "From: b@example.net\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nContent-Type: text/plain; charset=utf-8\r\n",
  ),
  Buffer.from("Content-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln, ½ € — bytes as they came\r\n"),
  Buffer.from(`${"x".repeat(2000)}\r\n.\r\n..\r\n`),
]);

let s: ImapTestServer;
beforeAll(async () => {
  s = await startImapTestServer(["pia", "quy"]);
}, 180_000);
afterAll(() => s?.stop());

/** Every message of the INBOX by UID FETCH (RFC822.SIZE BODY.PEEK[]), in UID order. */
async function fetchAll(user: string): Promise<Array<{ size: number; body: Buffer }>> {
  const imap = await loggedIn(s.imapPort, user, PASSWORD);
  try {
    expect((await imap.status("E", "EXAMINE INBOX")).status).toBe("OK");
    const responses = await imap.command("F", "UID FETCH 1:* (RFC822.SIZE BODY.PEEK[])");
    expect(responses[responses.length - 1].status).toBe("OK");
    return responses
      .filter((r) => r.tag === "*" && / FETCH /.test(r.line))
      .map((r) => ({ size: Number(/RFC822\.SIZE (\d+)/.exec(r.line)![1]), body: r.literals[0] }));
  } finally {
    imap.destroy();
  }
}

describe("BODY[] is byte-exact", () => {
  it("for messages delivered over LMTP: the stored copy, and the delivered bytes at its end", async () => {
    const sent = [EIGHT_BIT, ...corpusMessages(12)];
    for (const m of sent) await s.deliver("pia", m);
    const fetched = await fetchAll("pia");
    const stored = (await holdings(s.t.url, "pia", PASSWORD)).boxes.INBOX.reverse();
    expect(fetched).toHaveLength(sent.length);
    fetched.forEach((f, i) => {
      expect(f.body.equals(stored[i]), `message ${i}`).toBe(true);
      expect(f.size).toBe(f.body.length);
    });
    // The eight-bit one went in with CRLF and no dot at a line start to undo: its bytes end the stored copy.
    expect(fetched[0].body.subarray(fetched[0].body.length - EIGHT_BIT.length).equals(EIGHT_BIT)).toBe(true);
  }, 60_000);

  it("for messages uploaded over GraphQL: exactly the bytes uploaded", async () => {
    const login = await gqlOk(
      s.t.url,
      `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`,
      {
        u: "quy",
        p: PASSWORD,
      },
    );
    const token: string = login.login.token;
    const { mailboxes } = await gqlOk(s.t.url, `{ mailboxes { id path } }`, {}, token);
    const inbox = (mailboxes as Array<{ id: string; path: string }>).find((b) => b.path === "INBOX")!.id;
    const sent = [EIGHT_BIT, ...corpusMessages(8)];
    for (const raw of sent)
      await gqlOk(
        s.t.url,
        `mutation($m: ID!, $r: String!) { uploadMessage(mailboxId: $m, raw: $r) { uid } }`,
        { m: inbox, r: raw.toString("base64") },
        token,
      );
    const fetched = await fetchAll("quy");
    expect(fetched.map((f) => f.body)).toEqual(sent);
    expect(fetched.map((f) => f.size)).toEqual(sent.map((m) => m.length));
  }, 60_000);
});

// Mail from the internet end to end: a real Haraka (started by Eider as `eider serve` does) with the Eider plugin,
// driven by swaks and Python's smtplib, delivering over LMTP (XCLIENT) into a real Eider.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, createUser, downloadRaw, gqlOk, type TestUser } from "../../../test/harness/eider.js";
import { freePort } from "../../../test/harness/services.js";
import { swaks } from "../../lmtp/test/swaks.js";
import { rawSmtp, smtplibSend, startMxEider, type MxEider } from "./harness.js";

let serial = 0;
function message(subject: string, extraHeaders = "", body = "Hello from the internet.\r\n"): Buffer {
  return Buffer.from(
    `From: Remote Sender <sender@remote.test>\r\nTo: alice@eider.test\r\nSubject: ${subject}\r\n` +
      `Message-ID: <mx-${process.pid}-${++serial}@remote.test>\r\n${extraHeaders}\r\n${body}`,
    "utf8",
  );
}

/**
 * DNS for the authentication tests: remote.test publishes SPF for 127.0.0.1 and DMARC p=none; bank.test allows
 * only 192.0.2.1 and rejects what fails DMARC; shop.test quarantines.
 */
const ZONE = {
  "remote.test": { TXT: ["v=spf1 ip4:127.0.0.1 -all"] },
  "_dmarc.remote.test": { TXT: ["v=DMARC1; p=none"] },
  "bank.test": { TXT: ["v=spf1 ip4:192.0.2.1 -all"] },
  "_dmarc.bank.test": { TXT: ["v=DMARC1; p=reject"] },
  "shop.test": { TXT: ["v=spf1 ip4:192.0.2.1 -all"] },
  "_dmarc.shop.test": { TXT: ["v=DMARC1; p=quarantine"] },
};

/** Messages per recipient user the MX lets through in this test's (very long) window. */
const RECIPIENT_LIMIT = 15;

/** What the MX and Eider's LMTP put above the client's bytes, top down. */
const ADDED = [
  "Return-Path",
  "Delivered-To",
  "Received",
  "Received-SPF",
  "Authentication-Results",
  "Received",
];

/** EHLO, MAIL, RCPT to alice and DATA, one reply each (then the greeting is replies[0] and 354 replies[4]). */
const OPEN_TO_ALICE = [
  "EHLO client.remote.test\r\n",
  "MAIL FROM:<sender@remote.test>\r\n",
  "RCPT TO:<alice@eider.test>\r\n",
  "DATA\r\n",
].map((send) => ({ send, replies: 1 }));

async function messagesIn(t: MxEider, user: TestUser, mailbox = "INBOX") {
  const data = await gqlOk(
    t.url,
    `query($id: ID!) { mailbox(id: $id) { messages(first: 100) { edges { node { id size subject } } } } }`,
    { id: user.mailboxes[mailbox] },
    user.token,
  );
  return data.mailbox.messages.edges.map(
    (e: { node: { id: string; size: number; subject: string } }) => e.node,
  ) as Array<{
    id: string;
    size: number;
    subject: string;
  }>;
}

async function storedRaw(
  t: MxEider,
  user: TestUser,
  subject: string,
  mailbox = "INBOX",
): Promise<Buffer | null> {
  const found = (await messagesIn(t, user, mailbox)).find((m) => m.subject === subject);
  if (!found) return null;
  const raw = await downloadRaw(t.url, found.id, user.token);
  expect(raw.status).toBe(200);
  return raw.body;
}

/** The header fields before `original` in what was stored, by name, in order. */
function addedFieldNames(stored: Buffer, original: Buffer): string[] {
  expect(stored.subarray(stored.length - original.length).equals(original)).toBe(true);
  const added = stored.subarray(0, stored.length - original.length).toString("utf8");
  return added
    .split("\r\n")
    .filter((l) => l && !/^[ \t]/.test(l))
    .map((l) => l.slice(0, l.indexOf(":")));
}

describe("MX: Haraka with the Eider plugin", () => {
  let t: MxEider;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    // Rspamd configured but not listening: every message here is delivered unscored (rspamd.test.ts scores).
    t = await startMxEider({
      zone: ZONE,
      env: {
        EIDER_MX_RSPAMD_URL: `http://127.0.0.1:${await freePort()}`,
        // A window that no test run crosses (windows are aligned to the epoch).
        EIDER_MX_RECIPIENT_MESSAGES: String(RECIPIENT_LIMIT),
        EIDER_MX_RECIPIENT_WINDOW_SECONDS: "1000000000",
      },
    });
    alice = await createUser(t.url, "alice", ["alice@eider.test"]);
    bob = await createUser(t.url, "bob", ["bob@eider.test"]);
  }, 120_000);
  afterAll(async () => t?.stop());

  it("takes a message from swaks: Eider answers each RCPT, the message lands byte-exact after the added headers (unscored while Rspamd is down), and the log says via mx", async () => {
    // A sender-written verdict must not survive: the MX removes it whatever Rspamd says (here: no Rspamd).
    const data = message("From swaks", "X-Spam-Status: No, score=-100\r\nX-Rspamd-Action: no action\r\n");
    const run = await swaks(
      t.mxPort,
      ["--from", "sender@remote.test", "--to", "alice@eider.test,nobody@eider.test"],
      data,
      "SMTP",
    );
    expect(run.replies).toContainEqual(expect.stringMatching(/^550 5\.1\.1 .*nobody@eider\.test/));
    expect(run.replies).toContainEqual(
      expect.stringMatching(/^250 2\.0\.0 Message accepted for 1 recipient/),
    );

    // swaks ends the data with one more CRLF before the dot.
    const stripped = Buffer.from(
      data.toString("latin1").replace("X-Spam-Status: No, score=-100\r\nX-Rspamd-Action: no action\r\n", "") +
        "\r\n",
      "latin1",
    );
    const stored = await storedRaw(t, alice, "From swaks");
    expect(addedFieldNames(stored!, stripped)).toEqual(ADDED);
    const text = stored!.toString("utf8");
    // Rspamd is unreachable here: no verdict at all, not the sender's.
    expect(text).not.toMatch(/X-Spam-Status|X-Rspamd-/);
    // Haraka's hop from the client (its reverse name from the zone), then Eider's LMTP hop from Haraka.
    expect(text).toMatch(
      /Received: from mx\.client\.test \(client\.remote\.test \[127\.0\.0\.1\]\)\r?\n?\s*by mx\.eider\.test/,
    );
    expect(text).toMatch(/with LMTP/);

    const log = await gqlOk(
      t.url,
      `{ me { deliveries(first: 5) { edges { node { via clientIp clientName mailFrom subject outcome } } } } }`,
      {},
      alice.token,
    );
    expect(log.me.deliveries.edges[0].node).toEqual({
      via: "MX",
      clientIp: "127.0.0.1",
      clientName: "mx.client.test",
      mailFrom: "sender@remote.test",
      subject: "From swaks",
      outcome: "STORED",
    });
  });

  it("takes a message from Python's smtplib for two users, after an EHLO that offers SIZE, 8BITMIME, SMTPUTF8 and STARTTLS", async () => {
    const data = message("From smtplib");
    const r = await smtplibSend(t.mxPort, {
      from: "sender@remote.test",
      rcpts: ["alice@eider.test", "bob@eider.test"],
      data,
    });
    expect(Object.keys(r.features)).toEqual(
      expect.arrayContaining(["size", "8bitmime", "smtputf8", "starttls", "pipelining"]),
    );
    expect(Number(r.features.size)).toBeGreaterThan(1024);
    expect(r.rcpt.map(([code]) => code)).toEqual([250, 250]);
    expect(r.data?.[0]).toBe(250);
    for (const [user, rcpt] of [
      [alice, "alice@eider.test"],
      [bob, "bob@eider.test"],
    ] as const) {
      const stored = await storedRaw(t, user, "From smtplib");
      expect(addedFieldNames(stored!, data)).toEqual(ADDED);
      expect(stored!.toString("utf8")).toContain(`Delivered-To: ${rcpt}\r\n`);
    }
  });

  it("stores 8-bit bytes sent without BODY=8BITMIME exactly as sent, headers included (RFC 6152 asks the client to declare them; refusing would lose real mail)", async () => {
    const data = Buffer.concat([
      Buffer.from("From: sender@remote.test\r\nSubject: Latin-1 \xe9t\xe9\r\nX-Note: caf\xe9\r\n", "latin1"),
      Buffer.from("Message-ID: <latin1@remote.test>\r\n\r\nd\xe9j\xe0 vu\r\n.leading dot\r\n", "latin1"),
    ]);
    const r = await smtplibSend(t.mxPort, { from: "sender@remote.test", rcpts: ["bob@eider.test"], data });
    expect(r.data?.[0]).toBe(250);
    const found = (await messagesIn(t, bob)).find((m) => m.subject.startsWith("Latin-1"));
    const stored = (await downloadRaw(t.url, found!.id, bob.token)).body;
    expect(addedFieldNames(stored, data)).toEqual(ADDED);
  });

  it("refuses a message with a NUL byte at DATA (554 5.6.0) and stores nothing", async () => {
    const before = (await messagesIn(t, alice)).length;
    const replies = await rawSmtp(t.mxPort, [
      ...OPEN_TO_ALICE,
      { send: Buffer.from("Subject: nul\r\n\r\nbefore\x00after\r\n.\r\n", "latin1"), replies: 1 },
      { send: "QUIT\r\n", replies: 1 },
    ]);
    expect(replies[5]).toMatch(/^554 5\.6\.0 .*NUL/);
    expect(replies[6]).toMatch(/^221 /);
    expect((await messagesIn(t, alice)).length).toBe(before);
  });

  it("answers a bare LF in DATA with 451 and closes (Haraka's guard against SMTP smuggling), storing nothing", async () => {
    const before = (await messagesIn(t, alice)).length;
    const replies = await rawSmtp(t.mxPort, [
      ...OPEN_TO_ALICE,
      { send: "Subject: bare lf\r\n\r\nline one\nline two\r\n.\r\n", replies: 1 },
    ]);
    expect(replies[5]).toMatch(/^451 .*[Bb]are line-feed/);
    expect((await messagesIn(t, alice)).length).toBe(before);
  });

  it("refuses a 100 MB message with 552 5.3.4 after its data, keeping none of it, and takes the next message on the same connection", async () => {
    const before = (await messagesIn(t, alice)).length;
    const line = "x".repeat(998) + "\r\n";
    const chunk = Buffer.from(line.repeat(1024)); // 1 MiB
    const big = Buffer.concat([
      Buffer.from("Subject: huge\r\n\r\n"),
      ...Array(100).fill(chunk),
      Buffer.from(".\r\n"),
    ]);
    const replies = await rawSmtp(t.mxPort, [
      ...OPEN_TO_ALICE,
      { send: big, replies: 1 },
      { send: "MAIL FROM:<sender@remote.test> SIZE=104857600\r\n", replies: 1 },
      { send: "MAIL FROM:<sender@remote.test>\r\n", replies: 1 },
      { send: "RCPT TO:<alice@eider.test>\r\n", replies: 1 },
      { send: "DATA\r\n", replies: 1 },
      { send: "Subject: after huge\r\n\r\nsmall\r\n.\r\n", replies: 1 },
    ]);
    expect(replies[5]).toMatch(/^552 5\.3\.4 /);
    // SIZE over the limit at MAIL FROM: Haraka's own answer, permanent.
    expect(replies[6]).toMatch(/^5\d\d /);
    expect(replies[10]).toMatch(/^250 /);
    const after = await messagesIn(t, alice);
    expect(after.length).toBe(before + 1);
    expect(after.map((m) => m.subject)).not.toContain("huge");
  }, 120_000);

  it("answers a disabled user 550 5.2.1 at RCPT and delivers to the others", async () => {
    const carol = await createUser(t.url, "carol", ["carol@eider.test"]);
    await gqlOk(
      t.url,
      `mutation($id: ID!) { updateUser(id: $id, input: { disabled: true }) { id } }`,
      { id: carol.id },
      ADMIN_TOKEN,
    );
    const r = await smtplibSend(t.mxPort, {
      from: "sender@remote.test",
      rcpts: ["carol@eider.test", "alice@eider.test"],
      data: message("Disabled and not"),
    });
    expect(r.rcpt[0][0]).toBe(550);
    expect(r.rcpt[0][1]).toMatch(/^5\.2\.1 /);
    expect(r.rcpt[1][0]).toBe(250);
    expect(r.data?.[0]).toBe(250);
  });

  it("answers 451 when one user is stored and another must wait (over quota), and the retry stores nothing twice", async () => {
    await createUser(t.url, "dave", ["dave@eider.test"], 100);
    const data = message("Quota mix");
    const first = await smtplibSend(t.mxPort, {
      from: "sender@remote.test",
      rcpts: ["alice@eider.test", "dave@eider.test"],
      data,
    });
    // At RCPT dave still has room for an unknown size; after DATA his copy does not fit.
    expect(first.rcpt.map(([code]) => code)).toEqual([250, 250]);
    expect(first.data?.[0]).toBe(451);
    expect((await messagesIn(t, alice)).filter((m) => m.subject === "Quota mix")).toHaveLength(1);
    const retry = await smtplibSend(t.mxPort, {
      from: "sender@remote.test",
      rcpts: ["alice@eider.test", "dave@eider.test"],
      data,
    });
    expect(retry.data?.[0]).toBe(451);
    // Eider's duplicate guard: the same Message-ID in the same mailbox is stored once.
    expect((await messagesIn(t, alice)).filter((m) => m.subject === "Quota mix")).toHaveLength(1);
  });

  it("writes Authentication-Results under its own authserv-id (SPF pass, DMARC pass by alignment) and drops one a sender forged in its name", async () => {
    const forged = "Authentication-Results: mx.eider.test; spf=pass; dmarc=pass header.from=bank.test\r\n";
    const kept = "Authentication-Results: elsewhere.example; spf=fail\r\n";
    const data = message("Authenticated", forged + kept);
    const r = await smtplibSend(t.mxPort, { from: "sender@remote.test", rcpts: ["bob@eider.test"], data });
    expect(r.data?.[0]).toBe(250);
    const stored = (await storedRaw(t, bob, "Authenticated"))!.toString("latin1");
    const results = /\r\nAuthentication-Results: ([^]*?)\r\n(?![ \t])/.exec(stored)![1];
    expect(results).toMatch(/^mx\.eider\.test;/);
    expect(results).toMatch(/spf=pass/);
    expect(results).toMatch(/dmarc=pass/);
    expect(stored).not.toContain(forged);
    expect(stored).toContain(kept);
  });

  it("refuses a forged From under DMARC p=reject at DATA with 550 5.7.1 and stores nothing", async () => {
    const before = (await messagesIn(t, alice)).length;
    const data = Buffer.from(
      "From: The Bank <ceo@bank.test>\r\nTo: alice@eider.test\r\nSubject: Wire the money\r\n" +
        "Message-ID: <forged@bank.test>\r\n\r\nUrgent.\r\n",
    );
    const r = await smtplibSend(t.mxPort, { from: "ceo@bank.test", rcpts: ["alice@eider.test"], data });
    expect(r.rcpt[0][0]).toBe(250);
    expect(r.data?.[0]).toBe(550);
    expect(r.data?.[1]).toMatch(/^5\.7\.1 .*DMARC.*bank\.test/);
    expect((await messagesIn(t, alice)).length).toBe(before);
  });

  it("files a message failing DMARC p=quarantine in Junk", async () => {
    const data = Buffer.from(
      "From: Shop <offers@shop.test>\r\nTo: bob@eider.test\r\nSubject: Quarantined offer\r\n" +
        "Message-ID: <q@shop.test>\r\n\r\nBuy.\r\n",
    );
    const r = await smtplibSend(t.mxPort, { from: "offers@shop.test", rcpts: ["bob@eider.test"], data });
    expect(r.data?.[0]).toBe(250);
    expect((await messagesIn(t, bob, "INBOX")).map((m) => m.subject)).not.toContain("Quarantined offer");
    const junk = await storedRaw(t, bob, "Quarantined offer", "Junk");
    expect(junk!.toString()).toMatch(
      /^X-Spam-Status: Yes, reason=dmarc-quarantine \(shop\.test\)\r\nX-Spam-Flag: YES\r\n/m,
    );
  });

  it("answers RCPT 450 4.2.1 once a recipient got its limit of messages through the MX, and delivers to the others", async () => {
    await createUser(t.url, "frank", ["frank@eider.test"]);
    const one = (n: number) => [
      { send: "MAIL FROM:<sender@remote.test>\r\n", replies: 1 },
      { send: "RCPT TO:<frank@eider.test>\r\n", replies: 1 },
      { send: "DATA\r\n", replies: 1 },
      { send: `Subject: burst ${n}\r\nMessage-ID: <burst-${n}@remote.test>\r\n\r\nhi\r\n.\r\n`, replies: 1 },
    ];
    const replies = await rawSmtp(t.mxPort, [
      { send: "EHLO client.remote.test\r\n", replies: 1 },
      ...Array.from({ length: RECIPIENT_LIMIT }, (_, n) => one(n)).flat(),
      { send: "MAIL FROM:<sender@remote.test>\r\n", replies: 1 },
      { send: "RCPT TO:<frank@eider.test>\r\n", replies: 1 },
      { send: "RCPT TO:<alice@eider.test>\r\n", replies: 1 },
    ]);
    const dataReplies = replies.filter((_, i) => i >= 2 && i < 2 + 4 * RECIPIENT_LIMIT && (i - 2) % 4 === 3);
    expect(dataReplies.every((r) => r.startsWith("250 "))).toBe(true);
    expect(replies.at(-2)).toMatch(/^450 4\.2\.1 .*too many messages/);
    expect(replies.at(-1)).toMatch(/^250 /);
  });
});

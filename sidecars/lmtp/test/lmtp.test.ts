// The LMTP sidecar end to end: a real Eider (SQLite store, in-process bus) with its LMTP listener, driven by
// Python's smtplib.LMTP and by raw sockets; what was stored is read back over the GraphQL API and downloads.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  createUser,
  downloadRaw,
  gqlOk,
  startTestEider,
  type TestEider,
  type TestUser,
} from "../../../test/harness/eider.js";
import { pythonLmtp, RawLmtp } from "./clients.js";
import { expectTraceThenData } from "./trace.js";

const MAX = 64 * 1024;

async function inbox(url: string, user: TestUser): Promise<Array<{ id: string; size: number }>> {
  const data = await gqlOk(
    url,
    `query($id: ID!) { mailbox(id: $id) { messages(first: 50) { edges { node { id size } } } } }`,
    { id: user.inbox },
    user.token,
  );
  return data.mailbox.messages.edges.map((e: { node: { id: string; size: number } }) => e.node);
}

function message(subject: string, body = "Hello over LMTP.\r\n"): Buffer {
  return Buffer.from(
    `From: Sender <sender@remote.test>\r\nTo: alice@example.com\r\nSubject: ${subject}\r\n` +
      `Message-ID: <${subject.replace(/\W/g, "")}@remote.test>\r\n\r\n${body}`,
  );
}

describe("LMTP sidecar", () => {
  let t: TestEider;
  let port: number;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let tiny: TestUser;

  beforeAll(async () => {
    t = await startTestEider({ maxMessageBytes: MAX });
    port = t.eider.lmtp!.port;
    alice = await createUser(t.url, "alice", ["alice@example.com"]);
    bob = await createUser(t.url, "bob", ["bob@example.com"]);
    carol = await createUser(t.url, "carol", ["carol@example.com"]);
    tiny = await createUser(t.url, "tiny", ["tiny@example.com"], 2000);
    await gqlOk(
      t.url,
      `mutation($id: ID!) { updateUser(id: $id, input: { disabled: true }) { id } }`,
      { id: carol.id },
      ADMIN_TOKEN,
    );
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("delivers to two users in one transaction and refuses an unknown and a disabled one, each with its own reply", async () => {
    const data = message("Two users");
    const r = await pythonLmtp(port, {
      from: "sender@remote.test",
      rcpts: ["alice@example.com", "nobody@example.com", "bob@example.com", "carol@example.com"],
      data,
    });
    // What the server advertises after LHLO.
    expect(Object.keys(r.features)).toEqual(
      expect.arrayContaining(["pipelining", "8bitmime", "smtputf8", "enhancedstatuscodes", "size"]),
    );
    expect(r.features.size).toBe(String(MAX));
    expect(r.features).not.toHaveProperty("starttls");
    expect(r.features).not.toHaveProperty("auth");
    expect(r.rcpt.map(([code]) => code)).toEqual([250, 550, 250, 550]);
    expect(r.rcpt[1][1]).toMatch(/^5\.1\.1 /);
    expect(r.rcpt[3][1]).toMatch(/^5\.2\.1 /);
    // One reply per accepted recipient after DATA (RFC 2033 §4.2), in RCPT order.
    expect(r.data).toHaveLength(2);
    expect(r.data.every(([code, text]) => code === 250 && /^2\.\d\.\d /.test(text))).toBe(true);
    expect(r.data[0][1]).toContain("<alice@example.com>");
    expect(r.data[1][1]).toContain("<bob@example.com>");

    for (const [user, rcpt] of [
      [alice, "alice@example.com"],
      [bob, "bob@example.com"],
    ] as const) {
      const [stored] = await inbox(t.url, user);
      const raw = await downloadRaw(t.url, stored.id, user.token);
      expect(raw.status).toBe(200);
      expectTraceThenData(raw.body, data, "sender@remote.test", rcpt, port);
      expect(stored.size).toBe(raw.body.length);
    }
  });

  it("resolves +label and upper case to one user and stores one copy, with a reply for each", async () => {
    const before = (await inbox(t.url, alice)).length;
    const data = message("Variants");
    const rcpts = ["alice+news@example.com", "ALICE@Example.COM", "a.lice@example.com"];
    const r = await pythonLmtp(port, { from: "", rcpts, data });
    expect(r.rcpt.map(([code]) => code)).toEqual([250, 250, 250]);
    expect(r.data.map(([code]) => code)).toEqual([250, 250, 250]);
    const after = await inbox(t.url, alice);
    expect(after).toHaveLength(before + 1);
    // Delivered-To names the first of the user's recipients; the null sender is Return-Path: <>.
    const raw = await downloadRaw(t.url, after[0].id, alice.token);
    expectTraceThenData(raw.body, data, "", "alice+news@example.com", port);
  });

  it("delivers to a Unicode address at an IDN domain under SMTPUTF8, to the user holding its punycode form", async () => {
    const jorg = await createUser(t.url, "jorg", ["jörg@xn--bcher-kva.de"]);
    const data = Buffer.from("Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nTo: jörg@bücher.de\r\n\r\nGrüße\r\n");
    const c = await RawLmtp.connect(port);
    const replies = await c.send(
      "LHLO mx.client.test\r\nMAIL FROM:<sender@remote.test> SMTPUTF8 BODY=8BITMIME\r\nRCPT TO:<Jörg@Bücher.de>\r\nDATA\r\n",
      4,
    );
    expect(replies.map((r) => r.slice(0, 3))).toEqual(["250", "250", "250", "354"]);
    expect((await c.send(Buffer.concat([data, Buffer.from(".\r\n")]).toString("utf8"), 1))[0]).toMatch(
      /^250 /,
    );
    c.end();
    const [stored] = await inbox(t.url, jorg);
    const raw = await downloadRaw(t.url, stored.id, jorg.token);
    expect(raw.body.subarray(raw.body.length - data.length).equals(data)).toBe(true);
    expect(raw.body.toString("utf8")).toMatch(
      /^Return-Path: <sender@remote\.test>\r\nDelivered-To: Jörg@Bücher\.de\r\n/,
    );
    expect(raw.body.toString("utf8")).toContain(" with UTF8LMTP id ");
  });

  it("refuses a trailing-dot domain at RCPT as a syntax error (RFC 5321 §4.1.2 has no root dot)", async () => {
    const r = await pythonLmtp(port, { from: "", rcpts: ["alice@example.com."], data: message("Dot") });
    expect(r.rcpt).toEqual([[501, expect.stringMatching(/^5\.\d\.\d /)]]);
  });

  it("refuses a declared SIZE over the limit at MAIL FROM", async () => {
    const r = await pythonLmtp(port, {
      from: "sender@remote.test",
      rcpts: ["alice@example.com"],
      data: message("Too big"),
      mailOptions: [`SIZE=${MAX + 1}`],
    });
    expect(r.mail[0]).toBe(552);
    expect(r.mail[1]).toMatch(/^5\.3\.4 /);
  });

  it("takes pipelined commands, refuses oversize DATA while streaming with 552 5.3.4 per recipient and stores nothing", async () => {
    const before = [(await inbox(t.url, alice)).length, (await inbox(t.url, bob)).length];
    const c = await RawLmtp.connect(port);
    const replies = await c.send(
      "LHLO mx.client.test\r\nMAIL FROM:<sender@remote.test>\r\nRCPT TO:<alice@example.com>\r\n" +
        "RCPT TO:<bob@example.com>\r\nDATA\r\n",
      5,
    );
    expect(replies.map((r) => r.slice(0, 3))).toEqual(["250", "250", "250", "250", "354"]);
    const line = "x".repeat(998) + "\r\n";
    const head = "Subject: big\r\n\r\n";
    // Four times the limit, in pieces: the server counts and drops, it does not hold the message.
    for (let i = 0; i < 4; i++) await c.write(head.repeat(i === 0 ? 1 : 0) + line.repeat(MAX / 1000));
    const after = await c.send(".\r\n", 2);
    expect(after).toHaveLength(2);
    for (const r of after) expect(r).toMatch(/^552 5\.3\.4 /);
    // The session goes on: the next transaction works.
    expect(await c.send("RSET\r\nNOOP\r\n", 2)).toEqual([
      expect.stringMatching(/^250 /),
      expect.stringMatching(/^250 /),
    ]);
    expect((await c.send("QUIT\r\n"))[0]).toMatch(/^221 /);
    expect([(await inbox(t.url, alice)).length, (await inbox(t.url, bob)).length]).toEqual(before);
  });

  it("stores a message of exactly the announced SIZE: the trace lines do not count against it", async () => {
    const head = "Subject: at the limit\r\n\r\n";
    const data = Buffer.from(head + "z".repeat(MAX - head.length - 2) + "\r\n");
    expect(data.length).toBe(MAX);
    const r = await pythonLmtp(port, {
      from: "sender@remote.test",
      rcpts: ["bob@example.com"],
      data,
      mailOptions: [`SIZE=${MAX}`],
    });
    expect(r.data).toEqual([[250, expect.stringMatching(/^2\.\d\.\d /)]]);
    const [stored] = await inbox(t.url, bob);
    const raw = await downloadRaw(t.url, stored.id, bob.token);
    expectTraceThenData(raw.body, data, "sender@remote.test", "bob@example.com", port);
  });

  it("refuses an empty message for every recipient, for good", async () => {
    const c = await RawLmtp.connect(port);
    await c.send(
      "LHLO mx.client.test\r\nMAIL FROM:<sender@remote.test>\r\nRCPT TO:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n",
      5,
    );
    const replies = await c.send(".\r\n", 2);
    expect(replies).toHaveLength(2);
    for (const r of replies) expect(r).toMatch(/^5\d\d 5\.\d\.\d /);
    c.end();
  });

  it("answers over quota with 452 4.2.2 at RCPT (declared SIZE) and after DATA", async () => {
    const c = await RawLmtp.connect(port);
    await c.send("LHLO mx.client.test\r\n");
    expect(
      await c.send("MAIL FROM:<sender@remote.test> SIZE=5000\r\nRCPT TO:<tiny@example.com>\r\n", 2),
    ).toEqual([expect.stringMatching(/^250 /), expect.stringMatching(/^452 4\.2\.2 /)]);
    await c.send("RSET\r\n");
    // No SIZE: accepted at RCPT, refused once the message is there.
    const replies = await c.send(
      "MAIL FROM:<sender@remote.test>\r\nRCPT TO:<tiny@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n",
      4,
    );
    expect(replies.map((r) => r.slice(0, 3))).toEqual(["250", "250", "250", "354"]);
    const after = await c.send(message("Quota", "y".repeat(4000) + "\r\n").toString() + ".\r\n", 2);
    expect(after[0]).toMatch(/^452 4\.2\.2 /);
    expect(after[1]).toMatch(/^250 /);
    expect(await inbox(t.url, tiny)).toHaveLength(0);
    c.end();
  });

  it("answers bad commands and bad order with clear errors and keeps the session", async () => {
    const c = await RawLmtp.connect(port);
    expect((await c.send("MAIL FROM:<a@b.test>\r\n"))[0]).toMatch(/^503 /); // LHLO first
    expect((await c.send("EHLO mx.client.test\r\n"))[0]).toMatch(/^5\d\d /); // LMTP has no EHLO
    await c.send("LHLO mx.client.test\r\n");
    expect((await c.send("FROBNICATE\r\n"))[0]).toMatch(/^500 5\.5\.\d /);
    expect((await c.send("RCPT TO:<alice@example.com>\r\n"))[0]).toMatch(/^503 /); // MAIL first
    expect((await c.send("DATA\r\n"))[0]).toMatch(/^503 /);
    expect((await c.send("MAIL FROM:<a@b.test> BODY=8BITMIME SMTPUTF8\r\n"))[0]).toMatch(/^250 /);
    expect((await c.send("RCPT TO:<not an address>\r\n"))[0]).toMatch(/^5\d\d /);
    expect((await c.send("NOOP\r\n"))[0]).toMatch(/^250 /);
    expect((await c.send("QUIT\r\n"))[0]).toMatch(/^221 /);
  });
});

describe("LMTP sidecar with over_quota_permanent", () => {
  let t: TestEider;
  beforeAll(async () => {
    t = await startTestEider({ env: { EIDER_LMTP_OVER_QUOTA_PERMANENT: "true" } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("answers a full mailbox with 552 5.2.2, at RCPT and after DATA", async () => {
    const full = await createUser(t.url, "full", ["full@example.com"], 1000);
    const c = await RawLmtp.connect(t.eider.lmtp!.port);
    await c.send("LHLO mx.client.test\r\n");
    expect(
      await c.send("MAIL FROM:<s@remote.test> SIZE=5000\r\nRCPT TO:<full@example.com>\r\nRSET\r\n", 3),
    ).toEqual([
      expect.stringMatching(/^250 /),
      expect.stringMatching(/^552 5\.2\.2 /),
      expect.stringMatching(/^250 /),
    ]);
    await c.send("MAIL FROM:<s@remote.test>\r\nRCPT TO:<full@example.com>\r\nDATA\r\n", 3);
    const after = await c.send(message("Full", "q".repeat(3000) + "\r\n").toString() + ".\r\n", 1);
    expect(after[0]).toMatch(/^552 5\.2\.2 /);
    expect(await inbox(t.url, full)).toHaveLength(0);
    c.end();
  });
});

describe("LMTP sidecar idle timeout", () => {
  let t: TestEider;
  beforeAll(async () => {
    t = await startTestEider({ env: { EIDER_LMTP_IDLE_TIMEOUT_SECONDS: "1" } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("closes a connection that stays silent past idle_timeout_seconds, with 421", async () => {
    const c = await RawLmtp.connect(t.eider.lmtp!.port);
    // Nothing is sent: the server ends it (the test waits for the close, not for a duration).
    expect((await c.read(1))[0]).toMatch(/^421 /);
    await c.closed;
  });
});

describe("LMTP sidecar connection cap", () => {
  let t: TestEider;
  beforeAll(async () => {
    t = await startTestEider({ env: { EIDER_LMTP_MAX_CONNECTIONS: "2" } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("answers a connection past max_connections with 421 and closes it; the others go on", async () => {
    const port = t.eider.lmtp!.port;
    const a = await RawLmtp.connect(port);
    const b = await RawLmtp.connect(port);
    const third = await RawLmtp.connect(port, false);
    expect((await third.read(1))[0]).toMatch(/^421 .*Too many connected clients/);
    await third.closed;
    expect((await a.send("NOOP\r\n"))[0]).toMatch(/^250 /);
    for (const c of [a, b]) {
      expect((await c.send("QUIT\r\n"))[0]).toMatch(/^221 /);
      await c.closed;
    }
  });
});

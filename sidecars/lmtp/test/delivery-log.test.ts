// The delivery log and duplicate suppression end to end: mail delivered over LMTP (Python's smtplib.LMTP and raw
// sockets) to a real Eider, the log read back over GraphQL by the user and by the admin.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  createUser,
  errorCode,
  gql,
  gqlOk,
  startTestEider,
  type TestEider,
  type TestUser,
} from "../../../test/harness/eider.js";
import { pythonLmtp, RawLmtp } from "./clients.js";

const ENTRY = `id userId at via clientIp clientName mailFrom from { name address } recipient messageIdHeader
  subject size outcome status detail mailboxId uid messageId verdict matchedFilters { id name }
  spam { spam score reason }`;

let serial = 0;
function message(subject: string, messageId: string | null = `<log-${Date.now()}-${++serial}@remote.test>`) {
  return Buffer.from(
    `From: "Remote Sender" <sender@remote.test>\r\nTo: alice@example.com\r\nSubject: ${subject}\r\n` +
      (messageId ? `Message-ID: ${messageId}\r\n` : "") +
      `\r\nHello over LMTP.\r\n`,
  );
}

describe("Delivery log and duplicate suppression over LMTP", () => {
  let t: TestEider;
  let port: number;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;

  beforeAll(async () => {
    t = await startTestEider();
    port = t.eider.lmtp!.port;
    alice = await createUser(t.url, "alice", ["alice@example.com"]);
    bob = await createUser(t.url, "bob", ["bob@example.com"]);
    carol = await createUser(t.url, "carol", ["carol@example.com"]);
    await gqlOk(
      t.url,
      `mutation($id: ID!) { updateUser(id: $id, input: { disabled: true }) { id } }`,
      { id: carol.id },
      ADMIN_TOKEN,
    );
  });
  afterAll(async () => t?.stop());

  const myLog = async (user: TestUser, first = 20) =>
    (
      await gqlOk(
        t.url,
        `query($first: Int!) { me { deliveries(first: $first) { edges { cursor node { ${ENTRY} } } pageInfo { hasNextPage endCursor } } } }`,
        { first },
        user.token,
      )
    ).me.deliveries;

  const inbox = async (user: TestUser) =>
    (
      await gqlOk(
        t.url,
        `query($id: ID!) { mailbox(id: $id) { messages(first: 100) { edges { node { id uid messageIdHeader } } } } }`,
        { id: user.inbox },
        user.token,
      )
    ).mailbox.messages.edges.map((e: any) => e.node);

  it("shows the user each delivery with its route, client, sender, headers and where it was stored", async () => {
    const data = message("Invoice 42");
    const r = await pythonLmtp(port, {
      from: "bounce@remote.test",
      rcpts: ["alice@example.com", "nobody@example.com", "bob@example.com", "carol@example.com"],
      data,
    });
    expect(r.data.map(([code]) => code)).toEqual([250, 250]);
    const [stored] = await inbox(alice);
    const { edges } = await myLog(alice);
    expect(edges).toHaveLength(1);
    expect(edges[0].node).toMatchObject({
      userId: alice.id,
      via: "LMTP",
      clientIp: "127.0.0.1",
      clientName: "mx.client.test",
      mailFrom: "bounce@remote.test",
      from: [{ name: "Remote Sender", address: "sender@remote.test" }],
      recipient: "alice@example.com",
      messageIdHeader: stored.messageIdHeader,
      subject: "Invoice 42",
      size: data.length,
      outcome: "STORED",
      status: "stored",
      mailboxId: alice.inbox,
      uid: stored.uid,
      messageId: stored.id,
      verdict: "inbox",
      matchedFilters: [],
      spam: { spam: false, score: null, reason: null },
    });
    expect(Date.now() - Date.parse(edges[0].node.at)).toBeLessThan(60_000);
    // The disabled account's refusal is in its own log, read by the admin.
    const carolLog = await gqlOk(
      t.url,
      `query($id: ID!) { deliveries(userId: $id) { edges { node { ${ENTRY} } } } }`,
      { id: carol.id },
      ADMIN_TOKEN,
    );
    expect(carolLog.deliveries.edges.map((e: any) => [e.node.outcome, e.node.status])).toEqual([
      ["REFUSED", "disabled"],
    ]);
  });

  it("logs a recipient refused at RCPT for its quota, with the client, the sender and the announced size", async () => {
    const tiny = await createUser(t.url, "tiny", ["tiny@example.com"], 1000);
    const r = await pythonLmtp(port, {
      from: "big@remote.test",
      rcpts: ["tiny@example.com"],
      data: message("Too big for tiny"),
      mailOptions: ["SIZE=5000"],
    });
    expect(r.rcpt.map(([code]) => code)).toEqual([452]);
    const { edges } = await myLog(tiny);
    expect(edges.map((e: any) => e.node)).toEqual([
      expect.objectContaining({
        via: "LMTP",
        clientIp: "127.0.0.1",
        clientName: "mx.client.test",
        mailFrom: "big@remote.test",
        recipient: "tiny@example.com",
        size: 5000,
        outcome: "REFUSED",
        status: "over-quota",
        mailboxId: null,
        uid: null,
      }),
    ]);
  });

  it("stores a message delivered twice once; the second gets its 250 and the log says duplicate", async () => {
    const before = (await inbox(alice)).length;
    const data = message("Sent twice");
    const first = await pythonLmtp(port, { from: "s@remote.test", rcpts: ["alice@example.com"], data });
    const second = await pythonLmtp(port, { from: "s@remote.test", rcpts: ["alice@example.com"], data });
    expect(first.data[0][0]).toBe(250);
    expect(second.data[0][0]).toBe(250);
    const after = await inbox(alice);
    expect(after).toHaveLength(before + 1);
    const [dup, orig] = (await myLog(alice, 2)).edges.map((e: any) => e.node);
    expect(orig.outcome).toBe("STORED");
    expect(dup).toMatchObject({ outcome: "DUPLICATE", uid: orig.uid, messageId: orig.messageId });
  });

  it("stores each copy of a message without a Message-ID", async () => {
    const before = (await inbox(alice)).length;
    const data = message("No id", null);
    for (let i = 0; i < 2; i++)
      expect((await pythonLmtp(port, { from: "", rcpts: ["alice@example.com"], data })).data[0][0]).toBe(250);
    expect(await inbox(alice)).toHaveLength(before + 2);
  });

  it("stores once when two LMTP connections end the same message's DATA at the same moment", async () => {
    const before = (await inbox(bob)).length;
    const data = message("Two connections").toString("latin1");
    const connections = await Promise.all([RawLmtp.connect(port), RawLmtp.connect(port)]);
    for (const c of connections)
      expect(
        await c.send(
          "LHLO mx.client.test\r\nMAIL FROM:<s@remote.test>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n",
          4,
        ),
      ).toEqual([
        expect.stringMatching(/^250/),
        expect.stringMatching(/^250/),
        expect.stringMatching(/^250/),
        expect.stringMatching(/^354/),
      ]);
    for (const c of connections) await c.write(data);
    // Both end-of-data markers go out before either reply is read: the two deliveries are in flight together.
    await Promise.all(connections.map((c) => c.write(".\r\n")));
    const replies = await Promise.all(connections.map((c) => c.read(1)));
    for (const c of connections) c.end();
    expect(replies.flat().map((r) => r.slice(0, 3))).toEqual(["250", "250"]);
    expect(await inbox(bob)).toHaveLength(before + 1);
    const outcomes = (await myLog(bob, 2)).edges.map((e: any) => e.node.outcome).sort();
    expect(outcomes).toEqual(["DUPLICATE", "STORED"]);
  });

  it("pages a user's log newest first with Relay cursors", async () => {
    for (const s of ["one", "two", "three"])
      await pythonLmtp(port, {
        from: "p@remote.test",
        rcpts: ["bob@example.com"],
        data: message(`page ${s}`),
      });
    const page1 = await myLog(bob, 2);
    expect(page1.edges.map((e: any) => e.node.subject)).toEqual(["page three", "page two"]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = await gqlOk(
      t.url,
      `query($after: String) { me { deliveries(first: 1, after: $after) { edges { node { subject } } } } }`,
      { after: page1.pageInfo.endCursor },
      bob.token,
    );
    expect(page2.me.deliveries.edges.map((e: any) => e.node.subject)).toEqual(["page one"]);
  });

  it("shows a user only its own log, and the admin anyone's or everyone's", async () => {
    const bobs = (await myLog(bob, 100)).edges.map((e: any) => e.node);
    expect(bobs.length).toBeGreaterThan(0);
    expect(bobs.every((e: any) => e.userId === bob.id)).toBe(true);
    const top = await gqlOk(t.url, `{ deliveries(first: 100) { edges { node { userId } } } }`, {}, bob.token);
    expect(top.deliveries.edges.every((e: any) => e.node.userId === bob.id)).toBe(true);
    for (const query of [
      `query($id: ID!) { deliveries(userId: $id) { edges { node { id } } } }`,
      `query($id: ID!) { user(id: $id) { deliveries { edges { node { id } } } } }`,
    ]) {
      const res = await gql(t.url, query, { id: alice.id }, bob.token);
      expect(res.data ?? null).toBeNull();
      expect(errorCode(res)).toBe("FORBIDDEN");
    }
    const anonymous = await gql(t.url, `{ deliveries { edges { node { id } } } }`, {});
    expect(errorCode(anonymous)).toBe("UNAUTHENTICATED");
    const admin = await gqlOk(
      t.url,
      `query($id: ID!) { all: deliveries(first: 100) { edges { node { userId } } }
         alice: user(id: $id) { deliveries(first: 100) { edges { node { userId } } } } }`,
      { id: alice.id },
      ADMIN_TOKEN,
    );
    const users = new Set(admin.all.edges.map((e: any) => e.node.userId));
    expect(users).toContain(alice.id);
    expect(users).toContain(bob.id);
    expect(users).toContain(carol.id);
    expect(admin.alice.deliveries.edges.length).toBeGreaterThan(0);
    expect(admin.alice.deliveries.edges.every((e: any) => e.node.userId === alice.id)).toBe(true);
  });
});

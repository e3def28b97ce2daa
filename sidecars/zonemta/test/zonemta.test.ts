// ZoneMTA 3.10 as a real process on FerretDB + Redis with the Eider plugin loaded from dist/, an Eider on the same
// MongoDB database and Redis prefix, and an smtp-server sink as every recipient's MX. Python's smtplib submits to
// ZoneMTA's feeder with AUTH, as a mail client in a cluster would.
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dkimVerify } from "mailauth";
import { ADMIN, type DkimKey } from "../../../src/core/index.js";
import { stubResolver } from "../../mx/stub-resolver.js";
import {
  ADMIN_TOKEN,
  createUser,
  downloadRaw,
  gqlOk,
  startTestEider,
  type TestEider,
  type TestUser,
} from "../../../test/harness/eider.js";
import { freePort, serviceUrl, skipReason, uniqueDbName } from "../../../test/harness/services.js";
import { TestRelay } from "../../../test/harness/smtp-relay.js";
import { startZoneMta, zoneMtaSkipReason, type TestZoneMta } from "../../../test/harness/zonemta.js";
import { zonemtaTransport } from "../../../src/outbound/zonemta.js";
import { submitWithSmtplib } from "./smtplib.js";

const mongodbUrl = serviceUrl("mongodb");
const redisUrl = serviceUrl("redis");
const skip = skipReason("mongodb") ?? skipReason("redis") ?? zoneMtaSkipReason();
if (skip) console.log(`SKIPPED: ZoneMTA with the Eider plugin (${skip})`);

/** The sink's copy without the trace header ZoneMTA's sender puts on top (RFC 5321 §4.4). */
function withoutTopReceived(raw: Buffer): Buffer {
  const text = raw.toString("latin1");
  const match = /^Received:[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*/i.exec(text);
  if (!match) throw new Error(`the relayed message has no Received header on top:\n${text.slice(0, 300)}`);
  return raw.subarray(match[0].length);
}

describe.skipIf(skip)("ZoneMTA with the Eider plugin", () => {
  const relayLogin = { user: "eider-outbox", pass: randomBytes(18).toString("base64url") };
  let sink: TestRelay;
  let eider: TestEider;
  let zonemta: TestZoneMta;
  let feeder: { host: string; port: number };
  let zonemtaUrl: string;
  let alice: TestUser;
  let bob: TestUser;
  let dkimKey: DkimKey;
  const aliceLogin = { user: "alice", pass: "pw-alice-secret" };

  /** The raw bytes of the messages in a user's mailbox of this special use, newest first. */
  async function mailboxBytes(user: TestUser, specialUse: "\\Inbox" | "\\Sent"): Promise<Buffer[]> {
    const { mailboxes } = await gqlOk(eider.url, `{ mailboxes { id specialUse } }`, {}, user.token);
    const box = mailboxes.find((m: { specialUse: string | null }) => m.specialUse === specialUse);
    if (!box) return [];
    const { mailbox } = await gqlOk(
      eider.url,
      `query($id: ID!) { mailbox(id: $id) { messages(first: 20) { edges { node { id } } } } }`,
      { id: box.id },
      user.token,
    );
    const ids = mailbox.messages.edges.map((e: { node: { id: string } }) => e.node.id);
    return Promise.all(ids.map(async (id: string) => (await downloadRaw(eider.url, id, user.token)).body));
  }

  beforeAll(async () => {
    sink = new TestRelay();
    const sinkPort = Number(new URL(await sink.listen()).port);
    const database = uniqueDbName("zonemta_eider");
    const port = await freePort();
    zonemtaUrl = `smtp://${relayLogin.user}:${relayLogin.pass}@127.0.0.1:${port}`;
    const shared = {
      EIDER_STORE_MONGODB_URL: mongodbUrl!,
      EIDER_STORE_MONGODB_DATABASE: database,
      EIDER_STORE_MONGODB_BLOB_DATABASE: `${database}_att`,
      EIDER_BUS_REDIS_URL: redisUrl!,
      EIDER_BUS_REDIS_PREFIX: `${database}:`,
      EIDER_OUTBOUND_ZONEMTA_URL: zonemtaUrl,
      EIDER_OUTBOUND_MODE: "zonemta",
      EIDER_ADMIN_TOKEN: ADMIN_TOKEN,
    };
    eider = await startTestEider({ env: shared });
    zonemta = await startZoneMta({
      mongodbUrl: mongodbUrl!,
      redisUrl: redisUrl!,
      port,
      eiderEnv: { ...shared, EIDER_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "eider-zonemta-plugin-")) },
      relayTo: { host: "127.0.0.1", port: sinkPort },
    });
    feeder = { host: zonemta.host, port: zonemta.port };
    alice = await createUser(eider.url, "alice", ["alice@example.test"]);
    bob = await createUser(eider.url, "bob", ["bob@example.test"]);
    dkimKey = await eider.eider.core.dkim.create(ADMIN, { domain: "example.test", selector: "cluster" });
  }, 120_000);

  afterAll(async () => {
    await zonemta?.stop();
    await eider?.stop();
    await sink?.close();
  });

  it("refuses a wrong password with 535 5.7.8 and writes the attempt to Eider's auth log", async () => {
    const result = await submitWithSmtplib(
      feeder,
      { user: "alice", pass: "not-her-password" },
      { from: "alice@example.test", to: ["x@remote.test"] },
      Buffer.from("Subject: x\r\n\r\nx\r\n"),
    );
    expect(result.auth[0]).toBe(535);
    expect(result.auth[1]).toMatch(/^5\.7\.8 /);
    const log = await eider.eider.core.authLog.list(ADMIN, { ip: "127.0.0.1" }, { first: 10 });
    expect(log.entries).toContainEqual(
      expect.objectContaining({
        username: "alice",
        protocol: "submission",
        result: "failure",
        reason: "wrong-password",
      }),
    );
  });

  it("takes the outbox transport's relay login as Eider: the message is queued unchanged and reaches the MX", async () => {
    // A From of no user of this server: the plugin checks nothing for Eider's own outbox, which checked it already.
    const raw = Buffer.from(
      "From: Someone Else <someone@elsewhere.test>\r\nTo: carol@remote.test\r\nSubject: from the outbox\r\n" +
        "Message-ID: <outbox-1@example.test>\r\n\r\nChecked and signed by Eider already.\r\n",
    );
    const transport = zonemtaTransport(zonemtaUrl, { name: "eider.test" });
    const before = sink.received.length;
    try {
      const result = await transport.deliver({
        mailFrom: "someone@elsewhere.test",
        recipients: ["carol@remote.test", "dave@remote.test"],
        raw,
      });
      expect(result.refused).toEqual([]);
      expect(result.accepted.map((a) => a.recipient)).toEqual(["carol@remote.test", "dave@remote.test"]);
      expect(result.accepted[0].response).toMatch(/^250 Message queued as /);
      expect(transport.name).toBe(`zonemta smtp://127.0.0.1:${feeder.port}`);
    } finally {
      await transport.close();
    }
    // ZoneMTA queues and sends a delivery per recipient.
    const got = (await sink.waitForMessages(before + 2)).slice(before);
    expect(got.flatMap((m) => m.rcptTo).sort()).toEqual(["carol@remote.test", "dave@remote.test"]);
    for (const m of got) {
      expect(m.mailFrom).toBe("someone@elsewhere.test");
      expect(withoutTopReceived(m.raw).equals(raw)).toBe(true);
    }
  });

  it("gives every recipient a temporary refusal with ZoneMTA's 535 when the relay login is wrong", async () => {
    const wrong = new URL(zonemtaUrl);
    wrong.password = "not-the-secret";
    const transport = zonemtaTransport(wrong.toString(), { name: "eider.test" });
    try {
      const result = await transport.deliver({
        mailFrom: "alice@example.test",
        recipients: ["carol@remote.test"],
        raw: Buffer.from("Subject: x\r\n\r\nx\r\n"),
      });
      expect(result.accepted).toEqual([]);
      expect(result.refused).toEqual([
        {
          recipient: "carol@remote.test",
          response: expect.stringMatching(/: 535 5\.7\.8 /),
          permanent: false,
        },
      ]);
    } finally {
      await transport.close();
    }
  });

  it("signs a user's message, stores the bytes ZoneMTA sends in Sent, delivers the local recipient through Eider", async () => {
    const raw = Buffer.from(
      "From: Alice <alice@example.test>\r\nTo: bob@example.test, carol@remote.test\r\n" +
        "Bcc: erin@remote.test\r\nSubject: through ZoneMTA\r\nDate: Tue, 01 Dec 2026 09:00:00 +0000\r\n" +
        "Message-ID: <cluster-1@example.test>\r\n\r\nHello from the cluster.\r\n",
    );
    const before = sink.received.length;
    const result = await submitWithSmtplib(
      feeder,
      aliceLogin,
      { from: "alice@example.test", to: ["bob@example.test", "carol@remote.test", "erin@remote.test"] },
      raw,
    );
    expect(result.auth[0]).toBe(235);
    expect(result.rcpt!.map((r) => r[0])).toEqual([250, 250, 250]);
    expect(result.data![0]).toBe(250);
    expect(result.data![1]).toMatch(/^Message queued as /);
    const got = (await sink.waitForMessages(before + 2)).slice(before);
    // Only the remote recipients reach the MX; the local one was delivered by Eider.
    expect(got.flatMap((m) => m.rcptTo).sort()).toEqual(["carol@remote.test", "erin@remote.test"]);
    const [sent] = await mailboxBytes(alice, "\\Sent");
    for (const m of got) {
      expect(m.mailFrom).toBe("alice@example.test");
      expect(withoutTopReceived(m.raw).equals(sent)).toBe(true); // byte-exact, the MX's trace aside
    }
    const sentText = sent.toString();
    expect(sentText).toMatch(/^DKIM-Signature: /);
    expect(sentText).not.toMatch(/^Bcc:/im);
    expect(sent.subarray(sent.length - 25).toString()).toBe("Hello from the cluster.\r\n");
    const { results } = await dkimVerify(got[0].raw, {
      resolver: stubResolver({ [dkimKey.dnsName]: { TXT: [dkimKey.dnsTxtStrings] } }) as never,
    });
    expect(results[0]).toMatchObject({
      signingDomain: "example.test",
      selector: "cluster",
      status: { result: "pass" },
    });
    const [inBobsInbox] = await mailboxBytes(bob, "\\Inbox");
    expect(inBobsInbox.toString()).toContain("Message-ID: <cluster-1@example.test>");
    expect(inBobsInbox.toString()).toContain("DKIM-Signature: ");
  });

  it("answers 250 without queueing when every recipient is local", async () => {
    const result = await submitWithSmtplib(
      feeder,
      aliceLogin,
      { from: "alice@example.test", to: ["bob@example.test"] },
      Buffer.from(
        "From: alice@example.test\r\nTo: bob@example.test\r\nSubject: next door\r\n" +
          "Message-ID: <cluster-2@example.test>\r\n\r\nHi Bob.\r\n",
      ),
    );
    expect(result.data).toEqual([250, "2.0.0 Ok: delivered to 1 local recipient, nothing to relay"]);
    const [inBobsInbox] = await mailboxBytes(bob, "\\Inbox");
    expect(inBobsInbox.toString()).toContain("Message-ID: <cluster-2@example.test>");
  });

  it("refuses a forged From with 550 5.7.1: nothing in Sent, nothing queued", async () => {
    const sentBefore = (await mailboxBytes(alice, "\\Sent")).length;
    const before = sink.received.length;
    const forged = await submitWithSmtplib(
      feeder,
      aliceLogin,
      { from: "alice@example.test", to: ["carol@remote.test"] },
      Buffer.from(
        "From: The CEO <ceo@example.test>\r\nTo: carol@remote.test\r\nSubject: wire money\r\n\r\nNow.\r\n",
      ),
    );
    expect(forged.data![0]).toBe(550);
    expect(forged.data![1]).toMatch(/^5\.7\.1 .*ceo@example\.test/);
    // The next message the MX sees is the one sent after: the forged one never entered ZoneMTA's queue.
    const after = Buffer.from(
      "From: alice@example.test\r\nTo: carol@remote.test\r\nSubject: honest\r\nMessage-ID: <cluster-3@example.test>\r\n\r\nHi.\r\n",
    );
    const ok = await submitWithSmtplib(
      feeder,
      aliceLogin,
      { from: "alice@example.test", to: ["carol@remote.test"] },
      after,
    );
    expect(ok.data![0]).toBe(250);
    const [next] = (await sink.waitForMessages(before + 1)).slice(before);
    expect(next.raw.toString()).toContain("Message-ID: <cluster-3@example.test>");
    expect((await mailboxBytes(alice, "\\Sent")).length).toBe(sentBefore + 1);
  });

  it("hands what Eider's outbox sends (GraphQL sendMessage's service) to the same ZoneMTA, signed as in Sent", async () => {
    const before = sink.received.length;
    const sent = await eider.eider.core.submission.send(
      { kind: "user", userId: alice.id },
      {
        from: { name: "Alice", address: "alice@example.test" },
        to: [{ address: "frank@remote.test" }],
        subject: "composed in the API",
        text: "Sent through the outbox and ZoneMTA.",
      },
      { via: "graphql" },
    );
    expect(sent.entry.recipients.map((r) => r.address)).toEqual(["frank@remote.test"]);
    const [got] = (await sink.waitForMessages(before + 1)).slice(before);
    expect(got.rcptTo).toEqual(["frank@remote.test"]);
    const copy = (await mailboxBytes(alice, "\\Sent")).find((m) =>
      m.toString().includes("composed in the API"),
    );
    expect(copy).toBeDefined();
    expect(withoutTopReceived(got.raw).equals(copy!)).toBe(true);
    const { results } = await dkimVerify(got.raw, {
      resolver: stubResolver({ [dkimKey.dnsName]: { TXT: [dkimKey.dnsTxtStrings] } }) as never,
    });
    expect(results[0].status.result).toBe("pass");
  });
});

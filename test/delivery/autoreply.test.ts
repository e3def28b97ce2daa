// Autoreply (vacation) end to end: a real Eider delivering over LMTP (Python's smtplib.LMTP), its outbound port
// pointed at a real SMTP server (smtp-server) standing in for the relay. Each test waits for the replies under
// way to settle (`core.autoreplies.idle()`), so "no reply" is checked after the decision, not after a sleep.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pythonLmtp } from "../../sidecars/lmtp/test/clients.js";
import { createUser, gql, gqlOk, startTestEider, type TestEider, type TestUser } from "../harness/eider.js";
import { freePort } from "../harness/services.js";
import { TestRelay } from "../harness/smtp-relay.js";

const SET = `mutation($i: AutoreplyInput!) { setAutoreply(input: $i) { enabled active canSend } }`;
const AWAY = {
  enabled: true,
  text: "I am away until Monday.",
  html: "<p>I am away until <b>Monday</b>.</p>",
};

function mail(from: string, subject: string, extra = "", to = "Alice <alice@example.com>"): Buffer {
  return Buffer.from(
    `From: ${from}\r\nTo: ${to}\r\nSubject: ${subject}\r\n` +
      `Message-ID: <${subject.replace(/\W/g, "")}@remote.test>\r\n` +
      `References: <earlier@remote.test>\r\n${extra}\r\nHello Alice.\r\n`,
  );
}

describe("Autoreply over LMTP with a real relay", () => {
  const relay = new TestRelay();
  let relayUrl: string;
  let dataDir: string;
  let t: TestEider;
  let alice: TestUser;

  const start = async () =>
    startTestEider({
      dataDir,
      env: {
        EIDER_OUTBOUND_RELAY: relayUrl,
        EIDER_OUTBOUND_ATTEMPTS: "3",
        EIDER_OUTBOUND_RETRY_DELAY_SECONDS: "0.01",
      },
    });

  /** Delivers over LMTP and waits until the autoreply has decided (and sent, or given up). */
  async function deliver(mailFrom: string, data: Buffer, rcpts = ["alice@example.com"]) {
    const r = await pythonLmtp(t.eider.lmtp!.port, { from: mailFrom, rcpts, data });
    expect(r.data.map((d) => d[0])).toEqual(rcpts.map(() => 250));
    await t.eider.core.autoreplies.idle();
  }

  beforeAll(async () => {
    relayUrl = await relay.listen();
    dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-autoreply-"));
    t = await start();
    alice = await createUser(t.url, "alice", ["alice@example.com"]);
    const set = await gqlOk(t.url, SET, { i: AWAY }, alice.token);
    expect(set.setAutoreply).toEqual({ enabled: true, active: true, canSend: true });
  });
  afterAll(async () => {
    await t?.stop();
    await relay.close();
  });

  it("answers ordinary mail once, to the envelope sender, with the RFC 3834 fields and text + HTML", async () => {
    await deliver("bob@remote.test", mail("Bob <bob.header@remote.test>", "Lunch on Friday"));
    const replies = relay.to("bob@remote.test");
    expect(replies).toHaveLength(1);
    expect(replies[0].mailFrom).toBe(""); // MAIL FROM:<>
    expect(replies[0].rcptTo).toEqual(["bob@remote.test"]);
    const reply = await simpleParser(replies[0].raw);
    expect(reply.from?.value[0].address).toBe("alice@example.com");
    expect((reply.to as { value: Array<{ address: string }> }).value[0].address).toBe("bob@remote.test");
    expect(reply.subject).toBe("Auto: Lunch on Friday");
    expect(reply.headers.get("auto-submitted")).toBe("auto-replied");
    expect(reply.inReplyTo).toBe("<LunchonFriday@remote.test>");
    expect(reply.references).toEqual(["<earlier@remote.test>", "<LunchonFriday@remote.test>"]);
    expect(reply.text?.trim()).toBe("I am away until Monday.");
    expect(reply.html).toContain("<b>Monday</b>");
    expect(reply.headers.get("content-type")).toMatchObject({ value: "multipart/alternative" });
  });

  it("does not answer the same sender again within the period", async () => {
    await deliver("bob@remote.test", mail("bob@remote.test", "Lunch on Friday, again"));
    await deliver("BOB@remote.test", mail("bob@remote.test", "Lunch on Friday, third"));
    expect(relay.to("bob@remote.test")).toHaveLength(1);
  });

  // Each case comes from a sender of its own, so that only the rule under test can hold its reply back.
  it.each([
    ["the null sender (a bounce)", "", ""],
    ["MAILER-DAEMON", "MAILER-DAEMON@remote.test", ""],
    ["a list owner", "owner-hikers@lists.test", ""],
    ["a -request address", "hikers-request@lists.test", ""],
    [
      "Auto-Submitted: auto-replied (another autoreply)",
      "vacation1@remote.test",
      "Auto-Submitted: auto-replied\r\n",
    ],
    ["Auto-Submitted: auto-generated", "robot1@remote.test", "Auto-Submitted: auto-generated\r\n"],
    ["Precedence: bulk", "news1@remote.test", "Precedence: bulk\r\n"],
    ["Precedence: list", "list1@remote.test", "Precedence: list\r\n"],
    ["Precedence: junk", "junk1@remote.test", "Precedence: junk\r\n"],
    ["List-Id", "list2@remote.test", "List-Id: Hikers <hikers.lists.test>\r\n"],
    ["List-Unsubscribe", "list3@remote.test", "List-Unsubscribe: <mailto:leave@lists.test>\r\n"],
    ["its own address", "alice@example.com", ""],
    [
      "spam (routed to Junk by the trusted X-Spam-Status)",
      "spammer@remote.test",
      "X-Spam-Status: Yes, score=12.0\r\n",
    ],
  ])("does not answer %s", async (_what, sender, extra) => {
    const before = relay.received.length;
    await deliver(sender, mail(sender || "daemon@remote.test", `Case ${sender || "null"}`, extra));
    expect(relay.received.length).toBe(before);
  });

  it("does not answer mail where none of the user's addresses is in To or Cc", async () => {
    await deliver("carl@remote.test", mail("carl@remote.test", "To the team", "", "team@remote.test"));
    expect(relay.to("carl@remote.test")).toHaveLength(0);
    // The same sender, naming Alice in Cc, is answered: it was the addressing that held the first back.
    await deliver(
      "carl@remote.test",
      mail("carl@remote.test", "To the team 2", "Cc: alice@example.com\r\n", "team@remote.test"),
    );
    expect(relay.to("carl@remote.test")).toHaveLength(1);
  });

  it("remembers whom it answered across a restart", async () => {
    await t.stop();
    t = await start();
    await deliver("bob@remote.test", mail("bob@remote.test", "After the restart"));
    expect(relay.to("bob@remote.test")).toHaveLength(1);
    await deliver("dora@remote.test", mail("dora@remote.test", "New after the restart"));
    expect(relay.to("dora@remote.test")).toHaveLength(1);
  });

  it("answers nobody outside its dates or while disabled, and everyone once again when set anew", async () => {
    const hour = 3600_000;
    const cases = [
      { ...AWAY, startsAt: new Date(Date.now() + hour).toISOString() },
      {
        ...AWAY,
        startsAt: new Date(Date.now() - 2 * hour).toISOString(),
        endsAt: new Date(Date.now() - hour).toISOString(),
      },
      { ...AWAY, enabled: false },
    ];
    for (const [i, setting] of cases.entries()) {
      const set = await gqlOk(t.url, SET, { i: setting }, alice.token);
      expect(set.setAutoreply).toMatchObject({ active: false, canSend: true });
      await deliver("erin@remote.test", mail("erin@remote.test", `Dates ${i}`));
      expect(relay.to("erin@remote.test")).toHaveLength(0);
    }
    await gqlOk(
      t.url,
      SET,
      { i: { ...AWAY, endsAt: new Date(Date.now() + hour).toISOString() } },
      alice.token,
    );
    await deliver("erin@remote.test", mail("erin@remote.test", "Dates again"));
    await deliver("bob@remote.test", mail("bob@remote.test", "After the new setting"));
    expect(relay.to("erin@remote.test")).toHaveLength(1);
    expect(relay.to("bob@remote.test")).toHaveLength(2);
  });

  it("does not answer a copy a filter discarded or sent to Junk", async () => {
    const create = `mutation($i: CreateFilterInput!) { createFilter(input: $i) { id } }`;
    await gqlOk(
      t.url,
      create,
      { i: { name: "drop", conditions: { subject: "Drop me" }, actions: { delete: true } } },
      alice.token,
    );
    await gqlOk(
      t.url,
      create,
      { i: { name: "junk", conditions: { subject: "Junk me" }, actions: { markSpam: true } } },
      alice.token,
    );
    await deliver("ivan@remote.test", mail("ivan@remote.test", "Drop me"));
    await deliver("ivan@remote.test", mail("ivan@remote.test", "Junk me"));
    expect(relay.to("ivan@remote.test")).toHaveLength(0);
    await deliver("ivan@remote.test", mail("ivan@remote.test", "Keep me"));
    expect(relay.to("ivan@remote.test")).toHaveLength(1);
  });

  it("does not answer a duplicate (the same Message-ID delivered again)", async () => {
    await deliver("hana@remote.test", mail("hana@remote.test", "Only once"));
    expect(relay.to("hana@remote.test")).toHaveLength(1);
    // A new setting forgets whom it answered, so only duplicate suppression can hold the next reply back.
    await gqlOk(t.url, SET, { i: AWAY }, alice.token);
    await deliver("hana@remote.test", mail("hana@remote.test", "Only once"));
    expect(relay.to("hana@remote.test")).toHaveLength(1);
    await deliver("hana@remote.test", mail("hana@remote.test", "Something new"));
    expect(relay.to("hana@remote.test")).toHaveLength(2);
  });

  it("retries a reply the relay refuses for now, and gives up after the configured attempts", async () => {
    relay.refuse = 2;
    await deliver("fred@remote.test", mail("fred@remote.test", "Retry me"));
    expect(relay.to("fred@remote.test")).toHaveLength(1);

    relay.refuse = 3;
    const attempts = relay.rcptAttempts;
    await deliver("gina@remote.test", mail("gina@remote.test", "Give up on me"));
    expect(relay.rcptAttempts - attempts).toBe(3);
    expect(relay.to("gina@remote.test")).toHaveLength(0);
    // Given up, so not recorded as answered: the sender's next message is answered.
    await deliver("gina@remote.test", mail("gina@remote.test", "Give up on me, then not"));
    expect(relay.to("gina@remote.test")).toHaveLength(1);
  });

  it("shows the setting on the account and refuses a bad one with INVALID_INPUT", async () => {
    const me = await gqlOk(
      t.url,
      `{ me { autoreply { enabled subject text html startsAt endsAt canSend updatedAt } } }`,
      {},
      alice.token,
    );
    expect(me.me.autoreply).toMatchObject({ enabled: true, subject: null, text: AWAY.text, html: AWAY.html });
    expect(me.me.autoreply.updatedAt).toEqual(expect.any(String));
    for (const bad of [
      { ...AWAY, subject: "two\r\nlines" },
      { ...AWAY, text: " " },
      { ...AWAY, startsAt: "2026-07-02T00:00:00Z", endsAt: "2026-07-01T00:00:00Z" },
    ]) {
      const res = await gql(t.url, SET, { i: bad }, alice.token);
      expect(res.errors?.[0]?.extensions?.code).toBe("INVALID_INPUT");
    }
  });
});

describe("Autoreply and the relay: down, requiring AUTH, or not configured", () => {
  /** A delivery to Alice must be acknowledged and stored whatever becomes of the reply, which is waited for. */
  async function expectDelivered(t: TestEider, alice: TestUser, subject: string) {
    const r = await pythonLmtp(t.eider.lmtp!.port, {
      from: "bob@remote.test",
      rcpts: ["alice@example.com"],
      data: mail("bob@remote.test", subject),
    });
    expect(r.data).toEqual([[250, expect.any(String)]]);
    await t.eider.core.autoreplies.idle();
    const box = await gqlOk(
      t.url,
      `query($id: ID!) { mailbox(id: $id) { total } }`,
      { id: alice.inbox },
      alice.token,
    );
    expect(box.mailbox.total).toBe(1);
  }

  it("never fails or holds up a delivery when the relay is down, and gives up after its attempts", async () => {
    const t = await startTestEider({
      env: {
        EIDER_OUTBOUND_RELAY: `smtp://127.0.0.1:${await freePort()}`,
        EIDER_OUTBOUND_ATTEMPTS: "2",
        EIDER_OUTBOUND_RETRY_DELAY_SECONDS: "0.01",
      },
    });
    try {
      const alice = await createUser(t.url, "alice", ["alice@example.com"]);
      await gqlOk(t.url, SET, { i: AWAY }, alice.token);
      await expectDelivered(t, alice, "Relay down");
    } finally {
      await t.stop();
    }
  });

  it("authenticates to a relay that requires it, with the user and password in [outbound] relay", async () => {
    const relay = new TestRelay({ user: "eider", pass: "relay secret" });
    const port = new URL(await relay.listen()).port;
    const t = await startTestEider({
      env: { EIDER_OUTBOUND_RELAY: `smtp://eider:relay%20secret@127.0.0.1:${port}` },
    });
    try {
      const alice = await createUser(t.url, "alice", ["alice@example.com"]);
      await gqlOk(t.url, SET, { i: AWAY }, alice.token);
      await expectDelivered(t, alice, "Relay with AUTH");
      expect(relay.received.map((r) => [r.user, r.rcptTo])).toEqual([["eider", ["bob@remote.test"]]]);
    } finally {
      await t.stop();
      await relay.close();
    }
  });

  it("says it cannot send when no relay is configured, and still delivers", async () => {
    const t = await startTestEider();
    try {
      const alice = await createUser(t.url, "alice", ["alice@example.com"]);
      const set = await gqlOk(t.url, SET, { i: AWAY }, alice.token);
      expect(set.setAutoreply).toEqual({ enabled: true, active: false, canSend: false });
      await expectDelivered(t, alice, "No relay");
    } finally {
      await t.stop();
    }
  });
});

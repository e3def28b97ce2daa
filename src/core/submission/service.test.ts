// The submission service on real stores, with the real outbox and its runner on a hand-moved clock, sending
// through the smarthost transport to a real smtp-server standing in for the remote MX: what leaves, what is kept
// in Sent, what local recipients get, and what is refused with nothing stored or queued.
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisBus } from "../../bus/redis.js";
import { smarthost } from "../../outbound/smarthost.js";
import { openMongoStore } from "../../storage/mongo/index.js";
import { openTestCore, testStores, type TestCore } from "../../../test/harness/core.js";
import { ManualClock } from "../../../test/harness/manual-clock.js";
import { watchOutbox, type OutboxWatch } from "../../../test/harness/outbox-watch.js";
import { serviceUrl, skipReason, uniqueDbName } from "../../../test/harness/services.js";
import { SmtpSink } from "../../../test/harness/smtp-sink.js";
import {
  ADMIN,
  createCore,
  DELIVERY,
  type Core,
  type OutboxEntry,
  type OutboxState,
  type Principal,
} from "../index.js";

const S = 1000;

describe.each(testStores())("Submission service on the $kind store", ({ kind, skip }) => {
  if (skip) {
    it.skip(`needs a MongoDB-protocol server (${skip})`, () => {});
    return;
  }
  let sink: SmtpSink;
  let t: TestCore;
  let clock: ManualClock;
  let alice: Principal;
  let bob: Principal;
  let aliceId: string;
  let watch: OutboxWatch;
  let unique = 0;

  beforeAll(async () => {
    sink = new SmtpSink();
    const port = await sink.listen();
    clock = new ManualClock(new Date());
    t = await openTestCore({
      store: kind,
      maxMessageBytes: 200_000,
      outbox: {
        transport: smarthost(`smtp://127.0.0.1:${port}?tls.rejectUnauthorized=false`, {
          name: "out.eider.test",
        }),
        hostname: "mx.eider.test",
        clock,
      },
      submission: { hostname: "mail.eider.test", recipientsPerDay: 1000 },
    });
    ({ userId: aliceId } = await t.addUser("alice", { addresses: ["alice@eider.test"] }));
    alice = { kind: "user", userId: aliceId };
    bob = { kind: "user", userId: (await t.addUser("bob", { addresses: ["bob@eider.test"] })).userId };
    watch = await watchOutbox(t.core, aliceId);
    t.core.outbox.start();
  });
  afterAll(async () => {
    await t?.core.outbox.stop();
    await t?.close();
    await sink?.close();
  });

  function reached(id: string, state: OutboxState): Promise<OutboxEntry> {
    return watch.reached(id, state);
  }

  async function mailbox(p: Principal, path: string) {
    const box = (await t.core.mailboxes.list(p)).find((b) => b.path === path)!;
    return (await t.core.messages.list(p, box.id, 100)).messages;
  }

  async function sentCopies(p: Principal) {
    return mailbox(p, "Sent Mail");
  }

  function subject(what: string) {
    return `${what} ${++unique}`;
  }

  it("sends a composed message: Bcc gets it but never sees it, the Sent copy is the bytes the MX received, a local recipient has it at once", async () => {
    const topic = subject("Quarterly numbers");
    const before = sink.received.length;
    const result = await t.core.submission.send(
      alice,
      {
        from: { name: "Alice", address: "alice@eider.test" },
        to: [{ address: "carol@remote.test" }, { address: "bob@eider.test" }],
        bcc: [{ address: "dave@remote.test" }],
        subject: topic,
        text: "See attached.",
        attachments: [{ filename: "q.csv", contentType: "text/csv", content: Buffer.from("a,b\n1,2\n") }],
      },
      { via: "graphql" },
    );
    expect(result.local).toEqual([
      expect.objectContaining({ recipient: "bob@eider.test", status: "stored" }),
    ]);
    // Bob has it in INBOX before anything went out.
    const inbox = await mailbox(bob, "INBOX");
    expect(inbox.map((m) => m.subject)).toContain(topic);
    await reached(result.entry.id, "sent");
    const [received] = (await sink.waitForMessages(before + 1)).slice(before);
    expect(received.rcptTo.sort()).toEqual(["carol@remote.test", "dave@remote.test"]);
    expect(received.mailFrom).toBe("alice@eider.test");
    expect(received.raw.toString("latin1")).not.toContain("dave@remote.test");
    const sent = (await sentCopies(alice)).find((m) => m.subject === topic)!;
    expect(sent.flags).toContain("\\Seen");
    expect((await t.core.messages.raw(alice, sent.id)).equals(received.raw)).toBe(true);
    expect(result.entry.sentCopyId).toBe(sent.id);
    const parsed = await simpleParser(received.raw);
    expect(parsed.messageId).toMatch(/^<[0-9a-f]+@mail\.eider\.test>$/);
    expect(parsed.attachments[0].content.toString()).toBe("a,b\n1,2\n");
    expect(parsed.bcc).toBeUndefined();
  });

  it("takes a raw message as it is, removing only the folded Bcc field, byte for byte", async () => {
    const topic = subject("Raw");
    const head =
      `From: alice@eider.test\r\nTo: carol@remote.test\r\nSubject: ${topic}\r\nDate: Tue, 01 Dec 2026 08:00:00 +0000\r\n` +
      `Message-ID: <raw-${unique}@client.test>\r\n`;
    const body = "X-Odd:   spacing   kept\r\n\r\nbody line\r\n.leading dot\r\n";
    const raw = Buffer.from(`${head}Bcc: erin@remote.test,\r\n\tfrank@remote.test\r\n${body}`);
    const before = sink.received.length;
    const result = await t.core.submission.sendRaw(alice, raw, { via: "graphql" });
    expect(result.entry.recipients.map((r) => r.address).sort()).toEqual([
      "carol@remote.test",
      "erin@remote.test",
      "frank@remote.test",
    ]);
    await reached(result.entry.id, "sent");
    const [received] = (await sink.waitForMessages(before + 1)).slice(before);
    expect(received.raw.toString("latin1")).toBe(head + body);
    const sent = (await sentCopies(alice)).find((m) => m.subject === topic)!;
    expect((await t.core.messages.raw(alice, sent.id)).toString("latin1")).toBe(head + body);
  });

  it("refuses a forged From and a forged envelope sender with FORBIDDEN, storing and queueing nothing", async () => {
    const entriesBefore = (await t.core.outbox.list(alice, { first: 100 })).length;
    const sentBefore = (await sentCopies(alice)).length;
    await expect(
      t.core.submission.send(
        alice,
        { from: { address: "bob@eider.test" }, to: [{ address: "carol@remote.test" }], subject: "forged" },
        { via: "graphql" },
      ),
    ).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining('"bob@eider.test"') });
    const raw = Buffer.from("From: alice@eider.test\r\nTo: carol@remote.test\r\nSubject: x\r\n\r\nx\r\n");
    await expect(
      t.core.submission.submitRaw(
        alice,
        { mailFrom: "ceo@bank.test", recipients: ["carol@remote.test"], raw },
        { via: "smtp" },
      ),
    ).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("envelope sender") });
    const forgedHeader = Buffer.from(
      "From: ceo@bank.test\r\nTo: carol@remote.test\r\nSubject: x\r\n\r\nx\r\n",
    );
    await expect(
      t.core.submission.submitRaw(
        alice,
        { mailFrom: "alice@eider.test", recipients: ["carol@remote.test"], raw: forgedHeader },
        { via: "smtp" },
      ),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(t.core.submission.checkSender!(alice, "ALICE+x@Eider.test")).resolves.toBeUndefined();
    await expect(t.core.submission.checkSender!(alice, "bob@eider.test")).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    expect((await t.core.outbox.list(alice, { first: 100 })).length).toBe(entriesBefore);
    expect((await sentCopies(alice)).length).toBe(sentBefore);
  });

  it("refuses no recipients, a bad address, a message over the size limit and a disabled user", async () => {
    const from = { address: "alice@eider.test" };
    await expect(
      t.core.submission.send(alice, { from, subject: "nobody" }, { via: "graphql" }),
    ).rejects.toMatchObject({ code: "INVALID_INPUT", message: expect.stringContaining("no recipients") });
    await expect(
      t.core.submission.send(alice, { from, to: [{ address: "not-an-address" }] }, { via: "graphql" }),
    ).rejects.toMatchObject({ code: "INVALID_INPUT", message: expect.stringContaining('"not-an-address"') });
    await expect(
      t.core.submission.send(
        alice,
        {
          from,
          to: [{ address: "carol@remote.test" }],
          attachments: [
            { filename: "big.bin", contentType: "application/octet-stream", content: Buffer.alloc(300_000) },
          ],
        },
        { via: "graphql" },
      ),
    ).rejects.toMatchObject({ code: "MESSAGE_TOO_LARGE" });
    const { userId } = await t.addUser(`mallory${unique++}`, { addresses: [`mallory${unique}@eider.test`] });
    await t.core.users.update(ADMIN, userId, { disabled: true });
    await expect(
      t.core.submission.send(
        { kind: "user", userId },
        { from: { address: `mallory${unique}@eider.test` }, to: [{ address: "carol@remote.test" }] },
        { via: "graphql" },
      ),
    ).rejects.toMatchObject({ code: "ACCOUNT_DISABLED" });
  });

  it("holds for the undo-send time: cancelled, it is back in Drafts with its Bcc and nothing left", async () => {
    await t.core.submission.setSendHold(alice, 10);
    expect(await t.core.submission.sendHold(alice)).toBe(10);
    await expect(t.core.submission.setSendHold(alice, 31)).rejects.toMatchObject({ code: "INVALID_INPUT" });
    const topic = subject("Regret");
    const before = sink.dataSeen;
    const result = await t.core.submission.send(
      alice,
      {
        from: { address: "alice@eider.test" },
        to: [{ address: "bob@eider.test" }],
        bcc: [{ address: "dave@remote.test" }],
        subject: topic,
        text: "I quit.",
      },
      { via: "graphql" },
    );
    expect(result.entry.state).toBe("held");
    expect(result.releaseAt.getTime()).toBe(clock.now().getTime() + 10 * S);
    expect(result.local).toEqual([]);
    const cancelled = await t.core.submission.cancelSend(alice, result.entry.id);
    expect(cancelled.entry.state).toBe("cancelled");
    const draft = (await mailbox(alice, "Drafts")).find((m) => m.subject === topic)!;
    expect(cancelled.draft?.messageId).toBe(draft.id);
    expect(draft.flags.sort()).toEqual(["\\Draft", "\\Seen"]);
    const parsed = await simpleParser(await t.core.messages.raw(alice, draft.id));
    expect((parsed.bcc as { value: unknown[] }).value).toEqual([{ name: "", address: "dave@remote.test" }]);
    clock.advance(20 * S);
    expect((await mailbox(bob, "INBOX")).map((m) => m.subject)).not.toContain(topic);
    expect((await sentCopies(alice)).map((m) => m.subject)).not.toContain(topic);
    expect(sink.dataSeen).toBe(before);
    await t.core.submission.setSendHold(alice, 0);
  });

  it("releases a held message when its time comes: signed bytes in Sent, the local recipient served, the rest sent", async () => {
    await t.core.submission.setSendHold(alice, 5);
    const topic = subject("Later");
    const before = sink.received.length;
    const result = await t.core.submission.send(
      alice,
      {
        from: { address: "alice@eider.test" },
        to: [{ address: "bob@eider.test" }, { address: "carol@remote.test" }],
        subject: topic,
        text: "x",
      },
      { via: "graphql" },
    );
    expect(result.entry.state).toBe("held");
    expect((await mailbox(bob, "INBOX")).map((m) => m.subject)).not.toContain(topic);
    clock.advance(5 * S);
    const done = await reached(result.entry.id, "sent");
    expect(done.recipients.find((r) => r.address === "bob@eider.test")?.state).toBe("sent");
    expect((await mailbox(bob, "INBOX")).map((m) => m.subject)).toContain(topic);
    const [received] = (await sink.waitForMessages(before + 1)).slice(before);
    const sent = (await sentCopies(alice)).find((m) => m.subject === topic)!;
    expect(done.sentCopyId).toBe(sent.id);
    expect((await t.core.messages.raw(alice, sent.id)).equals(received.raw)).toBe(true);
    await t.core.submission.setSendHold(alice, 0);
  });

  it("schedules with sendAt, within a minute of the past up to the configured days ahead", async () => {
    const now = clock.now().getTime();
    const input = {
      from: { address: "alice@eider.test" },
      to: [{ address: "carol@remote.test" }],
      subject: "s",
    };
    await expect(
      t.core.submission.send(alice, input, { via: "graphql", sendAt: new Date(now - 2 * 60 * S) }),
    ).rejects.toMatchObject({ code: "INVALID_INPUT", message: expect.stringContaining("in the past") });
    await expect(
      t.core.submission.send(alice, input, { via: "graphql", sendAt: new Date(now + 31 * 86_400 * S) }),
    ).rejects.toMatchObject({ code: "INVALID_INPUT", message: expect.stringContaining("30 days") });
    const at = new Date(now + 3600 * S);
    const held = await t.core.submission.send(alice, input, { via: "graphql", sendAt: at });
    expect(held.entry.state).toBe("held");
    expect(held.releaseAt.getTime()).toBe(at.getTime());
    expect(held.entry.releaseAt.getTime()).toBe(at.getTime());
    await t.core.submission.cancelSend(alice, held.entry.id);
  });

  it("marks the message answered \\Answered and the one forwarded $Forwarded, with the threading headers", async () => {
    const topic = subject("Lunch?");
    const [delivered] = await t.core.delivery.deliver(DELIVERY, {
      via: "lmtp",
      mailFrom: "carol@remote.test",
      recipients: ["alice@eider.test"],
      raw: Buffer.from(
        `From: carol@remote.test\r\nTo: alice@eider.test\r\nSubject: ${topic}\r\n` +
          `Message-ID: <lunch-${unique}@remote.test>\r\nReferences: <earlier-${unique}@remote.test>\r\n\r\nLunch?\r\n`,
      ),
    });
    const originalId = delivered.stored!.messageId;
    const before = sink.received.length;
    const reply = await t.core.submission.send(
      alice,
      {
        from: { address: "alice@eider.test" },
        to: [{ address: "carol@remote.test" }],
        subject: `Re: ${topic}`,
        text: "Yes.",
        inReplyTo: originalId,
      },
      { via: "graphql" },
    );
    await reached(reply.entry.id, "sent");
    const [received] = (await sink.waitForMessages(before + 1)).slice(before);
    const parsed = await simpleParser(received.raw);
    expect(parsed.inReplyTo).toBe(`<lunch-${unique}@remote.test>`);
    expect(parsed.references).toEqual([`<earlier-${unique}@remote.test>`, `<lunch-${unique}@remote.test>`]);
    expect((await t.core.messages.get(alice, originalId)).flags).toContain("\\Answered");
    const forward = await t.core.submission.send(
      alice,
      {
        from: { address: "alice@eider.test" },
        to: [{ address: "dave@remote.test" }],
        subject: `Fwd: ${topic}`,
        text: "See below.",
        forwardOf: originalId,
      },
      { via: "graphql" },
    );
    await reached(forward.entry.id, "sent");
    expect((await t.core.messages.get(alice, originalId)).flags).toContain("$Forwarded");
    // Another user's message id finds nothing.
    await expect(
      t.core.submission.send(
        bob,
        { from: { address: "bob@eider.test" }, to: [{ address: "x@remote.test" }], inReplyTo: originalId },
        { via: "graphql" },
      ),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("attaches a part of one of the user's stored messages, and finds nothing in another user's", async () => {
    const [delivered] = await t.core.delivery.deliver(DELIVERY, {
      via: "lmtp",
      mailFrom: "carol@remote.test",
      recipients: ["alice@eider.test"],
      raw: Buffer.from(
        "From: carol@remote.test\r\nTo: alice@eider.test\r\nSubject: report\r\nMIME-Version: 1.0\r\n" +
          'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n' +
          '--b\r\nContent-Type: application/pdf; name="r.pdf"\r\nContent-Disposition: attachment; filename="r.pdf"\r\n' +
          "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n",
      ),
    });
    const id = delivered.stored!.messageId;
    const before = sink.received.length;
    const result = await t.core.submission.send(
      alice,
      {
        from: { address: "alice@eider.test" },
        to: [{ address: "dave@remote.test" }],
        subject: "fwd report",
        attachments: [{ messageId: id, partId: "2" }],
      },
      { via: "graphql" },
    );
    await reached(result.entry.id, "sent");
    const [received] = (await sink.waitForMessages(before + 1)).slice(before);
    const parsed = await simpleParser(received.raw);
    expect(parsed.attachments.map((a) => [a.filename, a.contentType, a.content.toString()])).toEqual([
      ["r.pdf", "application/pdf", "%PDF-1.4\n"],
    ]);
    await expect(
      t.core.submission.send(
        bob,
        {
          from: { address: "bob@eider.test" },
          to: [{ address: "x@remote.test" }],
          attachments: [{ messageId: id, partId: "2" }],
        },
        { via: "graphql" },
      ),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("saves, replaces and sends a draft: its Bcc is used and removed, the draft goes once sent", async () => {
    const topic = subject("Draft");
    const input = {
      from: { address: "alice@eider.test" },
      to: [{ address: "carol@remote.test" }],
      bcc: [{ address: "erin@remote.test" }],
      subject: topic,
      text: "first",
    };
    const first = await t.core.submission.saveDraft(alice, input);
    const second = await t.core.submission.saveDraft(alice, { ...input, text: "second" }, first.messageId);
    const drafts = (await mailbox(alice, "Drafts")).filter((m) => m.subject === topic);
    expect(drafts.map((m) => m.id)).toEqual([second.messageId]);
    await expect(t.core.submission.saveDraft(alice, input, "no-such-id")).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const before = sink.received.length;
    const result = await t.core.submission.sendDraft(alice, second.messageId, { via: "graphql" });
    expect(result.entry.draftId).toBe(second.messageId);
    await reached(result.entry.id, "sent");
    const [received] = (await sink.waitForMessages(before + 1)).slice(before);
    expect(received.rcptTo.sort()).toEqual(["carol@remote.test", "erin@remote.test"]);
    expect(received.raw.toString("latin1")).not.toMatch(/^bcc:/im);
    expect((await simpleParser(received.raw)).text?.trim()).toBe("second");
    expect((await mailbox(alice, "Drafts")).filter((m) => m.subject === topic)).toEqual([]);
  });
});

const mongoUrl = serviceUrl("mongodb");
const redisUrl = serviceUrl("redis");
const clusterSkip = !mongoUrl ? skipReason("mongodb") : !redisUrl ? skipReason("redis") : undefined;

describe("Submission: the daily recipient limit across two processes' cores (MongoDB protocol + Redis)", () => {
  if (clusterSkip) {
    it.skip(`needs a MongoDB-protocol server and Redis (${clusterSkip})`, () => {});
    return;
  }
  const cores: Core[] = [];
  beforeAll(async () => {
    const dbName = uniqueDbName("eider_submit");
    for (let i = 0; i < 2; i++)
      cores.push(
        createCore(
          await openMongoStore({ url: mongoUrl!, dbName }),
          new RedisBus(redisUrl!, { keyPrefix: `${dbName}:` }),
          {
            adminToken: "test-admin-token-0123456789",
            sessionTtlMs: 3600_000,
            maxMessageBytes: 1024 * 1024,
            loginAttempts: 10,
            loginWindowMs: 60_000,
            journalRetentionMs: 86_400_000,
            submission: { hostname: "mail.eider.test", recipientsPerDay: 5 },
          },
        ),
      );
  });
  afterAll(async () => {
    for (const c of cores) await c.close();
  });

  it("counts one user's recipients in both, refusing the message that would pass the limit with the wait", async () => {
    const [a, b] = cores;
    const user = await a.users.create(ADMIN, {
      username: "quota-sender",
      password: "a long secret",
      addresses: ["sender@eider.test"],
    });
    const p: Principal = { kind: "user", userId: user.id };
    const to = (n: number) => Array.from({ length: n }, (_, i) => ({ address: `r${i}@remote.test` }));
    const from = { address: "sender@eider.test" };
    await a.submission.send(p, { from, to: to(3), subject: "one" }, { via: "graphql" });
    const refused = await b.submission
      .send(p, { from, to: to(3), subject: "two" }, { via: "graphql" })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: "RATE_LIMITED",
      message: expect.stringContaining("daily limit of 5"),
    });
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(23 * 3600_000);
    // Refused whole and not counted: two more still fit, in either process.
    await b.submission.send(p, { from, to: to(2), subject: "three" }, { via: "graphql" });
    await expect(
      a.submission.send(p, { from, to: to(1), subject: "four" }, { via: "graphql" }),
    ).rejects.toMatchObject({ code: "RATE_LIMITED" });
    // An admin-set limit of the user's own counts instead of the configured one.
    await a.users.update(ADMIN, user.id, { recipientsPerDay: 6 });
    await a.submission.send(p, { from, to: to(1), subject: "five" }, { via: "graphql" });
  });
});

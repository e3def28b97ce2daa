import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestCore, testStores, type TestCore } from "../../../test/harness/core.js";
import { ADMIN, DELIVERY, type DeliverArgs } from "../index.js";

const DAY_MS = 86_400_000;

const message = (subject: string, messageId: string | null = `<${subject.replace(/\W/g, "")}@remote.test>`) =>
  Buffer.from(
    `From: "Sender Name" <sender@remote.test>\r\nTo: bob@example.com\r\nSubject: ${subject}\r\n` +
      (messageId ? `Message-ID: ${messageId}\r\n` : "") +
      `\r\nBody.\r\n`,
  );

const lmtp = (recipients: string[], raw: Buffer, over: Partial<DeliverArgs> = {}): DeliverArgs => ({
  via: "lmtp",
  client: { ip: "192.0.2.25", name: "mx.remote.test" },
  mailFrom: "bounces@remote.test",
  recipients,
  raw,
  ...over,
});

describe.each(testStores())("Core: the delivery log on the $kind store", ({ kind, skip }) => {
  if (skip) {
    it.skip(`needs a MongoDB-protocol server (${skip})`, () => {});
    return;
  }
  let t: TestCore;
  let bob: { userId: string; inboxId: string };
  let carol: { userId: string; inboxId: string };
  let full: { userId: string; inboxId: string };

  beforeAll(async () => {
    t = await openTestCore({ store: kind, deliveryLogRetentionMs: 30 * DAY_MS, duplicateWindowMs: DAY_MS });
    bob = await t.addUser("bob", { addresses: ["bob@example.com", "robert@example.com"] });
    carol = await t.addUser("carol", { addresses: ["carol@example.com"] });
    full = await t.addUser("full", { addresses: ["full@example.com"], quotaBytes: 10 });
  });
  afterAll(async () => t?.close());

  const logOf = async (userId: string) =>
    (await t.core.deliveryLog.list(ADMIN, { userId, first: 50 })).entries;

  it("records per user who sent it, through what, its headers, and where the copy was stored", async () => {
    const raw = message("Quarterly report");
    const [r] = await t.core.delivery.deliver(DELIVERY, lmtp(["Robert@example.com", "bob@example.com"], raw));
    const [entry, ...more] = await logOf(bob.userId);
    expect(more.filter((e) => e.messageIdHeader === "<Quarterlyreport@remote.test>")).toEqual([]);
    expect(entry).toMatchObject({
      userId: bob.userId,
      via: "lmtp",
      clientIp: "192.0.2.25",
      clientName: "mx.remote.test",
      mailFrom: "bounces@remote.test",
      from: [{ name: "Sender Name", address: "sender@remote.test" }],
      recipient: "Robert@example.com",
      messageIdHeader: "<Quarterlyreport@remote.test>",
      subject: "Quarterly report",
      size: raw.length,
      outcome: "stored",
      status: "stored",
      mailboxId: bob.inboxId,
      uid: r.stored!.uid,
      messageId: r.stored!.messageId,
      verdict: "inbox",
      matchedFilters: [],
      spam: { spam: false, score: null, reason: null },
    });
  });

  it("records the spam verdict of the trusted headers and the Junk routing", async () => {
    const raw = Buffer.from(
      `From: spammer@remote.test\r\nTo: bob@example.com\r\nSubject: Cheap\r\nMessage-ID: <spam1@remote.test>\r\n` +
        `X-Spam-Score: 9.5\r\n\r\nBuy now.\r\n`,
    );
    const [r] = await t.core.delivery.deliver(DELIVERY, lmtp(["bob@example.com"], raw));
    const [entry] = await logOf(bob.userId);
    expect(entry).toMatchObject({
      outcome: "stored",
      verdict: "junk",
      mailboxId: r.stored!.mailboxId,
      spam: { spam: true, score: 9.5 },
    });
    expect(entry.mailboxId).not.toBe(bob.inboxId);
    expect(entry.spam!.reason).toMatch(/X-Spam-Score/i);
  });

  it("records a duplicate as such, pointing at the copy stored before", async () => {
    const raw = message("Sent twice");
    const [first] = await t.core.delivery.deliver(DELIVERY, lmtp(["bob@example.com"], raw));
    await t.core.delivery.deliver(DELIVERY, lmtp(["bob@example.com"], raw));
    const [second, earlier] = await logOf(bob.userId);
    expect(second).toMatchObject({ outcome: "duplicate", status: "stored", uid: first.stored!.uid });
    expect(second.detail).toMatch(/not stored again/);
    expect(earlier).toMatchObject({ outcome: "stored", uid: first.stored!.uid });
  });

  it("records refusals of known users with the reason (over quota, disabled), not unknown addresses", async () => {
    const dave = await t.addUser("dave", { addresses: ["dave@example.com"] });
    await t.core.users.update(ADMIN, dave.userId, { disabled: true });
    const results = await t.core.delivery.deliver(
      DELIVERY,
      lmtp(["full@example.com", "dave@example.com", "nobody@example.com"], message("Refused")),
    );
    expect(results.map((r) => r.status)).toEqual(["over-quota", "disabled", "unknown"]);
    const [overQuota] = await logOf(full.userId);
    expect(overQuota).toMatchObject({
      outcome: "refused",
      status: "over-quota",
      subject: "Refused",
      mailboxId: null,
      uid: null,
      verdict: null,
    });
    expect(overQuota.detail).toMatch(/quota/i);
    const [disabled] = await logOf(dave.userId);
    expect(disabled).toMatchObject({ outcome: "refused", status: "disabled" });
  });

  it("lets a user page through its own entries newest first, and refuses it another user's", async () => {
    for (const s of ["page one", "page two", "page three"])
      await t.core.delivery.deliver(DELIVERY, lmtp(["carol@example.com"], message(s)));
    const asCarol = { kind: "user" as const, userId: carol.userId };
    const first = await t.core.deliveryLog.list(asCarol, { first: 2 });
    expect(first.entries.map((e) => e.subject)).toEqual(["page three", "page two"]);
    expect(first.hasMore).toBe(true);
    const last = first.entries[1];
    const rest = await t.core.deliveryLog.list(asCarol, { first: 2, after: { at: last.at, id: last.id } });
    expect(rest.entries.map((e) => e.subject)).toEqual(["page one"]);
    expect(rest.hasMore).toBe(false);
    await expect(t.core.deliveryLog.list(asCarol, { userId: bob.userId, first: 10 })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(t.core.deliveryLog.list(DELIVERY, { first: 10 })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(t.core.deliveryLog.list(asCarol, { first: 0 })).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
    // The admin: one user's, or everyone's.
    const all = (await t.core.deliveryLog.list(ADMIN, { first: 500 })).entries;
    expect(new Set(all.map((e) => e.userId))).toEqual(
      new Set([bob.userId, carol.userId, full.userId, expect.any(String)]),
    );
  });

  it("is pruned by the maintenance run past its retention, with delivered Message-IDs past the window", async () => {
    const raw = message("Pruned later");
    await t.core.delivery.deliver(DELIVERY, lmtp(["carol@example.com"], raw));
    const soon = await t.core.maintenance.runOnce(ADMIN, new Date(Date.now() + 2 * DAY_MS));
    // Two days on: the Message-ID is past its one-day window, the log entry is kept (30 days).
    expect(soon!.deliveredIdsPruned).toBeGreaterThanOrEqual(1);
    expect(soon!.deliveriesPruned).toBe(0);
    const [again] = await t.core.delivery.deliver(DELIVERY, lmtp(["carol@example.com"], raw));
    expect(again.duplicate).toBeUndefined();
    const later = await t.core.maintenance.runOnce(ADMIN, new Date(Date.now() + 31 * DAY_MS));
    expect(later!.deliveriesPruned).toBeGreaterThanOrEqual(1);
    expect(await logOf(carol.userId)).toEqual([]);
  });
});

describe("Core: a delivery log that cannot be written", () => {
  it("still delivers, and reports the failed write", async () => {
    const reported: unknown[] = [];
    const t = await openTestCore({
      onBackgroundError: (err) => reported.push(err),
      wrapStore: (store) => ({
        ...store,
        deliveries: { ...store.deliveries, append: () => Promise.reject(new Error("log disk gone")) },
      }),
    });
    try {
      const bob = await t.addUser("bob", { addresses: ["bob@example.com"] });
      const [r] = await t.core.delivery.deliver(DELIVERY, lmtp(["bob@example.com"], message("Still here")));
      expect(r.status).toBe("stored");
      expect(await t.store.messages.listUids(bob.userId, bob.inboxId)).toHaveLength(1);
      expect(reported).toEqual([expect.objectContaining({ message: "log disk gone" })]);
      // The duplicate guard's entry was still written: a resend is suppressed.
      const [again] = await t.core.delivery.deliver(
        DELIVERY,
        lmtp(["bob@example.com"], message("Still here")),
      );
      expect(again.duplicate).toBe(true);
    } finally {
      await t.close();
    }
  });
});

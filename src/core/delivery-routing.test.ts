import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestCore, testStores, type TestCore } from "../../test/harness/core.js";
import { ADMIN, DELIVERY, type Principal } from "./index.js";

const message = (headers: string, body = "Hello.") =>
  Buffer.from(
    `From: Alice <alice@example.net>\r\nTo: someone@example.com\r\n${headers}` +
      `Message-ID: <${Math.random().toString(36).slice(2)}@example.net>\r\n\r\n${body}\r\n`,
  );

describe.each(testStores())("Core: delivery routing on the $kind store", ({ kind, skip }) => {
  if (skip) {
    it.skip(`needs a MongoDB-protocol server (${skip})`, () => {});
    return;
  }
  let t: TestCore;
  let n = 0;
  // Each case gets its own user, so filters and mailboxes of one case never meet another's.
  async function user(): Promise<{ p: Principal; userId: string; inboxId: string; address: string }> {
    const address = `r${++n}@example.com`;
    const u = await t.addUser(`r${n}`, { addresses: [address] });
    return { ...u, p: { kind: "user", userId: u.userId }, address };
  }
  const deliver = async (to: string, raw: Buffer) =>
    (
      await t.core.delivery.deliver(DELIVERY, {
        via: "lmtp",
        mailFrom: "alice@example.net",
        recipients: [to],
        raw,
      })
    )[0];
  const where = async (userId: string, messageId: string) => {
    const m = await t.store.messages.get(userId, messageId);
    const box = m && (await t.store.mailboxes.get(userId, m.mailboxId));
    return { path: box?.path, flags: m?.flags.sort() };
  };

  beforeAll(async () => {
    t = await openTestCore({ store: kind, spam: { defaultLevel: 5 } });
  });
  afterAll(async () => t?.close());

  it("applies the user's filters in order: moves, flags, and records every filter that matched", async () => {
    const u = await user();
    const lists = await t.core.mailboxes.create(u.p, "Lists");
    const seen = await t.core.filters.create(u.p, {
      name: "read lists",
      conditions: { listId: "dev.example" },
      actions: { markSeen: true },
    });
    const move = await t.core.filters.create(u.p, {
      name: "to Lists",
      conditions: { listId: "dev.example" },
      actions: { moveTo: lists.id, flag: true },
    });
    await t.core.filters.create(u.p, {
      name: "never",
      conditions: { subject: "zzz" },
      actions: { delete: true },
    });
    const r = await deliver(u.address, message("Subject: weekly\r\nList-Id: Dev <dev.example>\r\n"));
    expect(r.status).toBe("stored");
    expect(r).toMatchObject({ verdict: "mailbox", stored: { mailboxId: lists.id } });
    expect({ matchedFilters: r.matchedFilters, spam: r.spam }).toEqual({
      matchedFilters: [
        { id: seen.id, name: "read lists" },
        { id: move.id, name: "to Lists" },
      ],
      spam: { spam: false, score: null, reason: null },
    });
    expect(await where(u.userId, r.stored!.messageId)).toEqual({
      path: "Lists",
      flags: ["\\Flagged", "\\Seen"],
    });
    // Mail the filters do not match goes to INBOX untouched.
    const other = await deliver(u.address, message("Subject: hi\r\n"));
    expect(other).toMatchObject({ verdict: "inbox", stored: { mailboxId: u.inboxId }, matchedFilters: [] });
    expect(await where(u.userId, other.stored!.messageId)).toEqual({ path: "INBOX", flags: [] });
  });

  it("routes each recipient user's copy by that user's own filters and spam level, in one delivery", async () => {
    const [a, b, c] = [await user(), await user(), await user()];
    await t.core.filters.create(a.p, {
      name: "drop",
      conditions: { subject: "shared" },
      actions: { delete: true },
    });
    await t.core.filters.create(b.p, {
      name: "flag",
      conditions: { subject: "shared" },
      actions: { flag: true },
    });
    await t.core.filters.setSpamLevel(c.p, 1);
    // Once with one parse shared by all (no trace lines), once with a parse per user (per-user trace lines).
    for (const traceHeaders of [undefined, (rcpt: string) => `Delivered-To: ${rcpt}\r\n`]) {
      const raw = message("X-Spam-Score: 2.5\r\nSubject: shared news\r\n");
      const results = await t.core.delivery.deliver(DELIVERY, {
        via: "lmtp",
        mailFrom: "alice@example.net",
        recipients: [a.address, b.address, c.address],
        raw,
        traceHeaders,
      });
      expect(results.map((r) => [r.status, r.verdict, r.matchedFilters?.length])).toEqual([
        ["stored", "discarded", 1],
        ["stored", "inbox", 1],
        ["stored", "junk", 0],
      ]);
      expect(results.some((r) => r.duplicate)).toBe(false);
      expect(await where(b.userId, results[1].stored!.messageId)).toEqual({
        path: "INBOX",
        flags: ["\\Flagged"],
      });
      expect(await where(c.userId, results[2].stored!.messageId)).toEqual({ path: "Junk", flags: ["$Junk"] });
    }
  });

  it("discards on a delete filter: a stored status (the sender's 250) and nothing stored", async () => {
    const u = await user();
    const f = await t.core.filters.create(u.p, {
      name: "drop ads",
      conditions: { subject: "SALE" },
      actions: { delete: true },
    });
    const before = (await t.store.messages.listUids(u.userId, u.inboxId)).length;
    const r = await deliver(u.address, message("Subject: big sale today\r\n"));
    expect(r).toMatchObject({
      status: "stored",
      verdict: "discarded",
      matchedFilters: [{ id: f.id, name: "drop ads" }],
    });
    expect(r.message).toMatch(/Discarded/);
    expect(r.stored).toBeUndefined();
    expect((await t.store.messages.listUids(u.userId, u.inboxId)).length).toBe(before);
    expect((await t.store.users.get(u.userId))!.storageUsed).toBe(0);
    // The delivery log says what the filters did.
    const [entry] = (await t.core.deliveryLog.list(u.p, { first: 1 })).entries;
    expect(entry).toMatchObject({
      outcome: "discarded",
      verdict: "discarded",
      matchedFilters: [{ id: f.id, name: "drop ads" }],
      mailboxId: null,
    });
  });

  it("sends mail the trusted spam headers judge spam to Junk with $Junk, against the user's own level", async () => {
    const u = await user();
    const spam = await deliver(
      u.address,
      message("X-Spam-Status: Yes, score=6.1 required=5.0\r\nSubject: win\r\n"),
    );
    expect(spam).toMatchObject({ verdict: "junk", spam: { spam: true, score: 6.1 } });
    expect(spam.message).toMatch(/in Junk\. \(spam by X-Spam-Status, score 6\.1\)$/);
    expect(await where(u.userId, spam.stored!.messageId)).toEqual({ path: "Junk", flags: ["$Junk"] });
    const [entry] = (await t.core.deliveryLog.list(u.p, { first: 1 })).entries;
    expect(entry).toMatchObject({ outcome: "stored", verdict: "junk", mailboxId: spam.stored!.mailboxId });
    const rspamd = await deliver(u.address, message("X-Rspamd-Action: add header\r\nSubject: x\r\n"));
    expect((await where(u.userId, rspamd.stored!.messageId)).path).toBe("Junk");
    // The user raises its level: the same score is no longer spam.
    await t.core.filters.setSpamLevel(u.p, 7);
    const lenient = await deliver(
      u.address,
      message("X-Spam-Status: Yes, score=6.1 required=5.0\r\nSubject: win\r\n"),
    );
    expect(lenient).toMatchObject({ verdict: "inbox", spam: { spam: false, score: 6.1 } });
    expect(t.core.filters.spamLevelOf(await t.core.users.get(u.p))).toEqual({ level: 7, isDefault: false });
    await t.core.filters.setSpamLevel(u.p, null);
    expect(t.core.filters.spamLevelOf(await t.core.users.get(u.p))).toEqual({ level: 5, isDefault: true });
    await expect(t.core.filters.setSpamLevel(u.p, Infinity)).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });

  it("makes a Junk mailbox (special-use \\Junk) for a user who has none", async () => {
    const u = await user();
    const junk = (await t.store.mailboxes.list(u.userId)).find((b) => b.specialUse === "\\Junk")!;
    await t.store.mailboxes.delete(u.userId, junk.id);
    const r = await deliver(u.address, message("X-Spam-Flag: YES\r\nSubject: x\r\n"));
    const made = (await t.store.mailboxes.list(u.userId)).find((b) => b.specialUse === "\\Junk");
    expect(made).toMatchObject({ path: "Junk" });
    expect(made!.id).not.toBe(junk.id);
    expect(r).toMatchObject({ verdict: "junk", stored: { mailboxId: made!.id } });
  });

  it("makes one Junk when several spam deliveries find none at once", async () => {
    const u = await user();
    const junk = (await t.store.mailboxes.list(u.userId)).find((b) => b.specialUse === "\\Junk")!;
    await t.store.mailboxes.delete(u.userId, junk.id);
    const results = await Promise.all(
      [1, 2, 3, 4].map((i) => deliver(u.address, message(`X-Spam-Flag: YES\r\nSubject: ${i}\r\n`))),
    );
    const junks = (await t.store.mailboxes.list(u.userId)).filter((b) => b.path === "Junk");
    expect(junks).toHaveLength(1);
    expect(results.map((r) => [r.status, r.stored?.mailboxId])).toEqual(
      results.map(() => ["stored", junks[0].id]),
    );
    expect(await t.store.messages.listUids(u.userId, junks[0].id)).toHaveLength(4);
  });

  it("falls back to INBOX, and says so, when a filter's mailbox was deleted after the filter was saved", async () => {
    const u = await user();
    const gone = await t.core.mailboxes.create(u.p, "Gone");
    await t.core.filters.create(u.p, {
      name: "to Gone",
      conditions: { from: "alice" },
      actions: { moveTo: gone.id },
    });
    await t.core.mailboxes.delete(u.p, gone.id);
    const r = await deliver(u.address, message("Subject: x\r\n"));
    expect(r).toMatchObject({
      verdict: "inbox",
      stored: { mailboxId: u.inboxId },
      missingMailboxId: gone.id,
    });
    expect(r.message).toContain(gone.id);
    expect((await where(u.userId, r.stored!.messageId)).path).toBe("INBOX");
  });

  it("refuses a filter that moves into a mailbox the user does not have (another user's is not found either)", async () => {
    const u = await user();
    const other = await user();
    await expect(
      t.core.filters.create(u.p, { name: "steal", conditions: {}, actions: { moveTo: other.inboxId } }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    const f = await t.core.filters.create(u.p, { name: "ok", conditions: {}, actions: { markSeen: true } });
    await expect(
      t.core.filters.update(u.p, f.id, { actions: { moveTo: other.inboxId } }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(t.core.filters.get(other.p, f.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(t.core.filters.update(other.p, f.id, { name: "mine" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(t.core.filters.delete(other.p, f.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(t.core.filters.reorder(other.p, [f.id])).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await t.core.filters.get(u.p, f.id)).name).toBe("ok");
    // The admin reads a named user's filters; the delivery agent reads none.
    expect((await t.core.filters.list(ADMIN, u.userId)).map((x) => x.id)).toEqual([f.id]);
    await expect(t.core.filters.list(DELIVERY)).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("reorders (each filter exactly once) and delivery follows the new order", async () => {
    const u = await user();
    const a = await t.core.mailboxes.create(u.p, "A");
    const b = await t.core.mailboxes.create(u.p, "B");
    const fa = await t.core.filters.create(u.p, { name: "a", conditions: {}, actions: { moveTo: a.id } });
    const fb = await t.core.filters.create(u.p, { name: "b", conditions: {}, actions: { moveTo: b.id } });
    expect((await deliver(u.address, message("Subject: 1\r\n"))).stored?.mailboxId).toBe(a.id);
    await expect(t.core.filters.reorder(u.p, [fb.id])).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(t.core.filters.reorder(u.p, [fb.id, fb.id])).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
    const order = await t.core.filters.reorder(u.p, [fb.id, fa.id]);
    expect(order.map((f) => [f.name, f.position])).toEqual([
      ["b", 0],
      ["a", 1],
    ]);
    expect((await deliver(u.address, message("Subject: 2\r\n"))).stored?.mailboxId).toBe(b.id);
    // A disabled filter is skipped.
    await t.core.filters.update(u.p, fb.id, { enabled: false });
    expect((await deliver(u.address, message("Subject: 3\r\n"))).stored?.mailboxId).toBe(a.id);
  });

  it("caps the filters per user", async () => {
    const small = await openTestCore({ store: kind, limits: { maxFiltersPerUser: 2 } });
    try {
      const u = await small.addUser("capped");
      const p: Principal = { kind: "user", userId: u.userId };
      const f = { name: "x", conditions: {}, actions: { flag: true } };
      await small.core.filters.create(p, f);
      await small.core.filters.create(p, f);
      await expect(small.core.filters.create(p, f)).rejects.toMatchObject({
        code: "INVALID_INPUT",
        message: expect.stringMatching(/at most 2 filters/),
      });
    } finally {
      await small.close();
    }
  });
});

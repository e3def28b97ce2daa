// Contract cases for the outbound queue (OutboxStore), run by storeContract against every adapter.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutboxRecord, Store } from "../../src/storage/ports.js";

export interface OutboxContractContext {
  store(): Store;
  /** Opens a second handle on the same backing store (another process, as far as the store can tell). */
  open(): Promise<Store>;
  newUser(): Promise<{ user: { id: string } }>;
}

const T0 = new Date("2026-03-01T10:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
let counter = 0;
/** Ids sort by creation, as the core's do (time first). */
const newId = () => `${(0x6a000000 + counter++).toString(16)}${randomUUID().replace(/-/g, "").slice(0, 16)}`;

function entry(userId: string, over: Partial<OutboxRecord> = {}): OutboxRecord {
  return {
    id: newId(),
    userId,
    mailFrom: "alice@example.com",
    recipients: [
      { address: "bob@remote.test", state: "pending", response: null, attempts: 0, updatedAt: T0 },
      { address: "carol@remote.test", state: "sent", response: "250 2.0.0 OK", attempts: 1, updatedAt: T0 },
    ],
    state: "queued",
    subject: "Hello",
    messageIdHeader: "<m1@example.com>",
    size: 10,
    createdAt: T0,
    releaseAt: T0,
    nextAttemptAt: T0,
    lastResponse: null,
    sentCopyId: null,
    draftId: null,
    updatedAt: T0,
    dueAt: T0,
    finishedAt: null,
    claim: 0,
    leaseOwner: null,
    leaseUntil: null,
    ...over,
  };
}

export function outboxContract(ctx: OutboxContractContext): void {
  describe("outbound queue", () => {
    let other: Store;
    beforeAll(async () => {
      other = await ctx.open();
    });
    afterAll(async () => {
      await other?.close();
    });
    const store = () => ctx.store();

    it("stores an entry with its bytes and reads both back; another user's list does not show it", async () => {
      const { user } = await ctx.newUser();
      const stranger = await ctx.newUser();
      const raw = Buffer.concat([Buffer.from("Subject: Hello\r\n\r\n"), randomBytes(3 * 1024 * 1024 + 7)]);
      const e = entry(user.id, { size: raw.length, draftId: "d1", sentCopyId: "s1", lastResponse: "x" });
      await store().outbox.add(e, raw);
      expect(await store().outbox.get(e.id)).toEqual(e);
      expect((await other.outbox.readRaw(e.id))!.equals(raw)).toBe(true);
      expect(await store().outbox.list(stranger.user.id, { limit: 10 })).toEqual([]);
      expect(await store().outbox.get("ffffffffffffffffffffffff")).toBeNull();
      expect(await store().outbox.readRaw("ffffffffffffffffffffffff")).toBeNull();
    });

    it("lists a user's entries newest first, by state, in pages", async () => {
      const { user } = await ctx.newUser();
      const a = entry(user.id, { state: "held", dueAt: at(30) });
      const b = entry(user.id, { state: "deferred" });
      const c = entry(user.id, { state: "sent", dueAt: null, finishedAt: T0 });
      for (const e of [a, b, c]) await store().outbox.add(e, Buffer.from("x"));
      const ids = async (o: Parameters<Store["outbox"]["list"]>[1]) =>
        (await store().outbox.list(user.id, o)).map((r) => r.id);
      expect(await ids({ limit: 10 })).toEqual([c.id, b.id, a.id]);
      expect(await ids({ limit: 2 })).toEqual([c.id, b.id]);
      expect(await ids({ limit: 2, after: b.id })).toEqual([a.id]);
      expect(await ids({ limit: 10, states: ["held", "sent"] })).toEqual([c.id, a.id]);
      expect(await ids({ limit: 10, states: [] })).toEqual([]);
    });

    it("finds due entries soonest first and the next due time; finished ones are never due", async () => {
      const { user } = await ctx.newUser();
      // Far in the past, so other cases' entries (due at T0) do not come first.
      const base = new Date("2001-01-01T00:00:00Z").getTime();
      const d = (s: number) => new Date(base + s * 1000);
      const late = entry(user.id, { dueAt: d(20) });
      const soon = entry(user.id, { state: "held", dueAt: d(10) });
      const done = entry(user.id, { state: "bounced", dueAt: null, finishedAt: d(0) });
      for (const e of [late, soon, done]) await store().outbox.add(e, Buffer.from("x"));
      expect((await store().outbox.due(d(15), 10)).map((r) => r.id)).toEqual([soon.id]);
      expect((await store().outbox.due(d(25), 2)).map((r) => r.id)).toEqual([soon.id, late.id]);
      expect(await store().outbox.nextDueAt()).toEqual(d(10));
    });

    it("lets exactly one of many concurrent claimers over two connections win", async () => {
      const { user } = await ctx.newUser();
      const e = entry(user.id);
      await store().outbox.add(e, Buffer.from("x"));
      const claims = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          (i % 2 ? other : store()).outbox.claim(e.id, {
            owner: `runner-${i}`,
            now: at(1),
            until: at(601),
            dueBy: at(1),
          }),
        ),
      );
      const won = claims.filter((c) => c !== null);
      expect(won).toHaveLength(1);
      expect(won[0]!.claim).toBe(1);
      const stored = await store().outbox.get(e.id);
      expect(stored).toMatchObject({
        claim: 1,
        leaseOwner: won[0]!.leaseOwner,
        leaseUntil: at(601),
        dueAt: at(601),
      });
    });

    it("keeps a leased entry until the lease ends, then lets another claimer take it; the old holder can no longer settle", async () => {
      const { user } = await ctx.newUser();
      const e = entry(user.id);
      await store().outbox.add(e, Buffer.from("unsigned"));
      const first = await store().outbox.claim(e.id, { owner: "a", now: at(1), until: at(61), dueBy: at(1) });
      expect(first?.claim).toBe(1);
      // Leased: neither a runner nor a cancel takes it before the lease ends.
      expect(
        await other.outbox.claim(e.id, { owner: "b", now: at(30), until: at(90), dueBy: at(30) }),
      ).toBeNull();
      expect(await other.outbox.claim(e.id, { owner: "b", now: at(30), until: at(90) })).toBeNull();
      // The holder was killed: at the lease's end the entry is due and claimable again.
      expect((await other.outbox.due(at(61), 1000)).map((r) => r.id)).toContain(e.id);
      const second = await other.outbox.claim(e.id, {
        owner: "b",
        now: at(61),
        until: at(121),
        dueBy: at(61),
      });
      expect(second).toMatchObject({ claim: 2, leaseOwner: "b" });
      expect(
        await store().outbox.settle(e.id, 1, { state: "sent", dueAt: null, updatedAt: at(62) }),
      ).toBeNull();
      const sent = [
        { ...e.recipients[0], state: "sent" as const, response: "250 ok", attempts: 1, updatedAt: at(70) },
      ];
      const settled = await other.outbox.settle(
        e.id,
        2,
        {
          state: "sent",
          recipients: sent,
          dueAt: null,
          finishedAt: at(70),
          nextAttemptAt: null,
          lastResponse: "250 ok",
          updatedAt: at(70),
        },
        Buffer.from("signed"),
      );
      expect(settled).toMatchObject({
        state: "sent",
        recipients: sent,
        dueAt: null,
        finishedAt: at(70),
        leaseOwner: null,
        leaseUntil: null,
        claim: 2,
        updatedAt: at(70),
      });
      expect((await store().outbox.readRaw(e.id))!.toString()).toBe("signed");
      // Finished: nobody claims it any more.
      expect(await store().outbox.claim(e.id, { owner: "c", now: at(200), until: at(300) })).toBeNull();
    });

    it("renews a lease while the attempt runs, so nobody takes the entry at the old end; a stale or ended claim cannot", async () => {
      const { user } = await ctx.newUser();
      const e = entry(user.id);
      await store().outbox.add(e, Buffer.from("x"));
      expect(
        await store().outbox.claim(e.id, { owner: "a", now: at(1), until: at(61), dueBy: at(1) }),
      ).not.toBeNull();
      expect(await store().outbox.renew(e.id, 1, at(121))).toBe(true);
      expect(await store().outbox.get(e.id)).toMatchObject({ leaseUntil: at(121), dueAt: at(121) });
      expect(
        await other.outbox.claim(e.id, { owner: "b", now: at(90), until: at(150), dueBy: at(90) }),
      ).toBeNull();
      const taken = await other.outbox.claim(e.id, {
        owner: "b",
        now: at(121),
        until: at(181),
        dueBy: at(121),
      });
      expect(taken?.claim).toBe(2);
      expect(await store().outbox.renew(e.id, 1, at(200))).toBe(false);
      await other.outbox.settle(e.id, 2, {
        state: "sent",
        dueAt: null,
        finishedAt: at(130),
        updatedAt: at(130),
      });
      expect(await other.outbox.renew(e.id, 2, at(300))).toBe(false);
      expect(await store().outbox.get(e.id)).toMatchObject({ dueAt: null, leaseUntil: null });
    });

    it("claims only a due entry for a runner, any unfinished one for a cancel, and takes up the next number after a settle", async () => {
      const { user } = await ctx.newUser();
      const e = entry(user.id, { state: "deferred", dueAt: at(600) });
      await store().outbox.add(e, Buffer.from("x"));
      expect(
        await store().outbox.claim(e.id, { owner: "r", now: at(1), until: at(61), dueBy: at(1) }),
      ).toBeNull();
      const c = await store().outbox.claim(e.id, { owner: "cancel", now: at(1), until: at(61) });
      expect(c?.claim).toBe(1);
      expect(await store().outbox.settle(e.id, 1, { dueAt: at(600), updatedAt: at(2) })).toMatchObject({
        dueAt: at(600),
        leaseOwner: null,
      });
      expect(
        (await store().outbox.claim(e.id, { owner: "r", now: at(600), until: at(660), dueBy: at(600) }))
          ?.claim,
      ).toBe(2);
    });

    it("prunes entries finished before a time, with their bytes, and keeps the rest", async () => {
      const { user } = await ctx.newUser();
      const old = entry(user.id, {
        state: "sent",
        dueAt: null,
        finishedAt: new Date("2000-01-01T00:00:00Z"),
      });
      const recent = entry(user.id, { state: "bounced", dueAt: null, finishedAt: T0 });
      const open = entry(user.id, { state: "deferred", dueAt: at(100) });
      for (const e of [old, recent, open]) await store().outbox.add(e, Buffer.from("x"));
      expect(await store().outbox.prune(new Date("2001-01-01T00:00:00Z"))).toBeGreaterThanOrEqual(1);
      expect(await store().outbox.get(old.id)).toBeNull();
      expect(await store().outbox.readRaw(old.id)).toBeNull();
      expect(await store().outbox.get(recent.id)).not.toBeNull();
      expect(await store().outbox.get(open.id)).not.toBeNull();
    });

    it("removes a deleted user's entries with their bytes", async () => {
      const { user } = await ctx.newUser();
      const e = entry(user.id);
      await store().outbox.add(e, Buffer.from("x"));
      await store().users.delete(user.id);
      expect(await store().outbox.get(e.id)).toBeNull();
      expect(await store().outbox.readRaw(e.id)).toBeNull();
    });
  });
}

// The one bus contract: every adapter's test file calls `busContract` with a way to open a bus.
// Nothing here waits for a fixed time: a message that must NOT arrive is checked behind a fence (a later message
// on the same connection that must arrive), and an expiry is polled for with `eventually`, whose bound only
// decides when a broken adapter fails.
import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bus, BusMessage, Lock } from "../../src/bus/index.js";

export interface BusContractOptions {
  /** Opens a second, separate bus on the same backend: another process, as far as the bus can tell. */
  openSecond?: () => Promise<Bus>;
  /** Where the adapter's `onError` option puts handler errors, so the contract can check none is swallowed. */
  reportedErrors?: unknown[];
}

/** How long a poll or a wait for messages may take before the case fails. Passing cases take milliseconds. */
const FAIL_AFTER_MS = 10_000;
const POLL_EVERY_MS = 5;
/** A window so long that a test never straddles two of them (windows are aligned to the epoch). */
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

const unique = (label: string): string => `${label}-${randomUUID()}`;

/** Polls `check` until it returns a value other than undefined; fails after FAIL_AFTER_MS. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + FAIL_AFTER_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Still waiting after ${FAIL_AFTER_MS} ms for ${what}.`);
    await delay(POLL_EVERY_MS);
  }
}

/** Records what one handler receives and lets a test wait for a number of messages. */
class Received {
  readonly messages: BusMessage[] = [];
  readonly #waiters: Array<{ count: number; resolve: () => void }> = [];

  readonly handler = (message: BusMessage): void => {
    this.messages.push(message);
    for (const waiter of this.#waiters.filter((w) => this.messages.length >= w.count)) waiter.resolve();
  };

  /** Resolves with all messages once at least `count` have arrived. */
  async atLeast(count: number): Promise<BusMessage[]> {
    if (this.messages.length < count) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.#waiters.push({ count, resolve })),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new Error(
                  `Received ${this.messages.length} of ${count} messages within ${FAIL_AFTER_MS} ms.`,
                ),
              ),
            FAIL_AFTER_MS,
          );
        }),
      ]).finally(() => clearTimeout(timer));
    }
    return this.messages;
  }
}

const sequence = (count: number): number[] => Array.from({ length: count }, (_, i) => i);
const ascending = (values: number[]): number[] => [...values].sort((a, b) => a - b);
const range1 = (count: number): number[] => sequence(count).map((i) => i + 1);

export function busContract(name: string, open: () => Promise<Bus>, opts: BusContractOptions = {}): void {
  describe(`Bus contract: ${name}`, () => {
    let bus: Bus;
    beforeAll(async () => {
      bus = await open();
    });
    afterAll(async () => {
      await bus?.close();
    });

    describe("publish and subscribe", () => {
      it("delivers a JSON copy of the message, unaffected by later changes to the original", async () => {
        const channel = unique("json");
        const received = new Received();
        await bus.subscribe(channel, received.handler);
        const original = {
          text: "héllo",
          n: 42,
          list: [1, "two", null, { deep: true }],
          when: new Date(0),
          gone: undefined,
        };
        await bus.publish(channel, original);
        original.list.push("changed");
        const [message] = await received.atLeast(1);
        expect(message).toEqual({
          text: "héllo",
          n: 42,
          list: [1, "two", null, { deep: true }],
          when: "1970-01-01T00:00:00.000Z",
        });
        expect(message).not.toHaveProperty("gone");
      });

      it("rejects a message that JSON cannot carry", async () => {
        await expect(bus.publish(unique("bigint"), { n: 1n })).rejects.toThrow(TypeError);
      });

      it("delivers 1,000 messages to every subscriber in publish order", async () => {
        const channel = unique("order");
        const first = new Received();
        const second = new Received();
        await bus.subscribe(channel, first.handler);
        await bus.subscribe(channel, second.handler);
        // Not awaited one by one: the adapter must keep the order of calls, not only of completed calls.
        await Promise.all(sequence(1000).map((seq) => bus.publish(channel, { seq })));
        for (const received of [first, second]) {
          expect((await received.atLeast(1000)).map((m) => m.seq)).toEqual(sequence(1000));
        }
      });

      it("receives a publish made right after subscribe resolves, every time", async () => {
        for (let attempt = 0; attempt < 25; attempt++) {
          const channel = unique("ready");
          const received = new Received();
          await bus.subscribe(channel, received.handler);
          await bus.publish(channel, { attempt });
          expect(await received.atLeast(1)).toEqual([{ attempt }]);
        }
      });

      it("does not deliver a message published before the subscription", async () => {
        const channel = unique("before");
        await bus.publish(channel, { seq: 0 });
        const received = new Received();
        await bus.subscribe(channel, received.handler);
        await bus.publish(channel, { seq: 1 });
        expect(await received.atLeast(1)).toEqual([{ seq: 1 }]);
      });

      it("stops delivery to an unsubscribed handler while others on the channel still receive", async () => {
        const channel = unique("unsub-one");
        const leaving = new Received();
        const staying = new Received();
        const unsubscribe = await bus.subscribe(channel, leaving.handler);
        await bus.subscribe(channel, staying.handler);
        await bus.publish(channel, { seq: 0 });
        await leaving.atLeast(1);
        await unsubscribe();
        await unsubscribe();
        await bus.publish(channel, { seq: 1 });
        expect(await staying.atLeast(2)).toEqual([{ seq: 0 }, { seq: 1 }]);
        expect(leaving.messages).toEqual([{ seq: 0 }]);
      });

      it("stops delivery when the last handler of a channel unsubscribes", async () => {
        const channel = unique("unsub-last");
        const fenceChannel = unique("fence");
        const leaving = new Received();
        const fence = new Received();
        const unsubscribe = await bus.subscribe(channel, leaving.handler);
        await bus.subscribe(fenceChannel, fence.handler);
        await unsubscribe();
        await bus.publish(channel, { seq: 0 });
        await bus.publish(fenceChannel, { fence: true });
        await fence.atLeast(1);
        expect(leaving.messages).toEqual([]);
      });

      it("delivers to a handler that subscribes while the last one of the channel is unsubscribing", async () => {
        const channel = unique("resubscribe");
        const unsubscribe = await bus.subscribe(channel, () => {});
        const unsubscribing = unsubscribe();
        const received = new Received();
        await bus.subscribe(channel, received.handler);
        await unsubscribing;
        await bus.publish(channel, { seq: 0 });
        expect(await received.atLeast(1)).toEqual([{ seq: 0 }]);
      });

      it("keeps delivering to other handlers and later messages when a handler throws, and reports the error", async () => {
        const channel = unique("throws");
        const received = new Received();
        const failure = new Error(`This handler fails on purpose on ${channel}.`);
        await bus.subscribe(channel, () => {
          throw failure;
        });
        await bus.subscribe(channel, received.handler);
        await bus.publish(channel, { seq: 0 });
        await bus.publish(channel, { seq: 1 });
        expect(await received.atLeast(2)).toEqual([{ seq: 0 }, { seq: 1 }]);
        if (opts.reportedErrors) expect(opts.reportedErrors.filter((e) => e === failure)).toHaveLength(2);
      });

      it("gives each handler its own copy of a message", async () => {
        const channel = unique("copies");
        const second = new Received();
        await bus.subscribe(channel, (message) => {
          message.changed = true;
        });
        await bus.subscribe(channel, second.handler);
        await bus.publish(channel, { seq: 0 });
        expect(await second.atLeast(1)).toEqual([{ seq: 0 }]);
      });
    });

    describe("counters", () => {
      it("starts at 0 and adds 1, or the amount given, returning the new value", async () => {
        const key = unique("counter");
        expect(await bus.getCounter(key)).toBe(0);
        expect(await bus.increment(key)).toBe(1);
        expect(await bus.increment(key, 5)).toBe(6);
        expect(await bus.increment(key, -2)).toBe(4);
        expect(await bus.getCounter(key)).toBe(4);
      });

      it("stays atomic under 200 concurrent increments", async () => {
        const key = unique("atomic");
        const values = await Promise.all(sequence(200).map(() => bus.increment(key)));
        expect(ascending(values)).toEqual(range1(200));
        expect(await bus.getCounter(key)).toBe(200);
      });

      it("disappears after its TTL and starts again from 0", async () => {
        const key = unique("ttl");
        expect(await bus.increment(key, 3, 30)).toBe(3);
        await eventually("the counter to expire", async () =>
          (await bus.getCounter(key)) === 0 ? true : undefined,
        );
        expect(await bus.increment(key)).toBe(1);
      });

      it("keeps the first TTL: a later increment with a longer TTL does not extend it", async () => {
        const key = unique("ttl-kept");
        await bus.increment(key, 1, 30);
        expect(await bus.increment(key, 1, 60 * 60 * 1000)).toBe(2);
        await eventually("the counter to expire", async () =>
          (await bus.getCounter(key)) === 0 ? true : undefined,
        );
      });

      it("gives a counter without a TTL the TTL of a later increment (PEXPIRE NX)", async () => {
        const key = unique("ttl-late");
        await bus.increment(key);
        await bus.increment(key, 1, 30);
        await eventually("the counter to expire", async () =>
          (await bus.getCounter(key)) === 0 ? true : undefined,
        );
      });

      it("keeps counters without a TTL or with a very long one after a younger short-lived counter expired", async () => {
        const lasting = unique("no-ttl");
        // Longer than setTimeout's 2^31 - 1 ms, which Node would otherwise cut to 1 ms.
        const long = unique("long-ttl");
        const fleeting = unique("ttl-fence");
        await bus.increment(lasting, 2);
        await bus.increment(long, 3, 2 * YEAR_MS);
        await bus.increment(fleeting, 1, 30);
        await eventually("the fence counter to expire", async () =>
          (await bus.getCounter(fleeting)) === 0 ? true : undefined,
        );
        expect(await bus.getCounter(lasting)).toBe(2);
        expect(await bus.getCounter(long)).toBe(3);
      });

      it("tells how long a counter has left: its first TTL, none without one, none once it is gone", async () => {
        const key = unique("ttl-left");
        expect(await bus.counterTtl(key)).toBeNull();
        await bus.increment(key, 1, 60_000);
        await bus.increment(key, 1, 10 * 60_000);
        const left = await bus.counterTtl(key);
        expect(left).toBeGreaterThan(0);
        expect(left).toBeLessThanOrEqual(60_000);
        const lasting = unique("ttl-none");
        await bus.increment(lasting);
        expect(await bus.counterTtl(lasting)).toBeNull();
        const fleeting = unique("ttl-gone");
        await bus.increment(fleeting, 1, 30);
        await eventually("the counter to expire", async () =>
          (await bus.counterTtl(fleeting)) === null ? true : undefined,
        );
      });

      it("rejects an amount or TTL that is not a whole number", async () => {
        const key = unique("bad");
        await expect(bus.increment(key, 1.5)).rejects.toThrow(RangeError);
        await expect(bus.increment(key, 1, 0)).rejects.toThrow(RangeError);
        await expect(bus.increment(key, 1, 2.5)).rejects.toThrow(RangeError);
        expect(await bus.getCounter(key)).toBe(0);
      });
    });

    describe("rate limits", () => {
      it("allows exactly `limit` of 12 concurrent hits in one window and reports the window's end", async () => {
        const key = unique("rate");
        const before = Date.now();
        const results = await Promise.all(sequence(12).map(() => bus.hit(key, 5, YEAR_MS)));
        const after = Date.now();
        expect(results.filter((r) => r.allowed)).toHaveLength(5);
        expect(ascending(results.map((r) => r.count))).toEqual(range1(12));
        for (const r of results) {
          expect(r.limit).toBe(5);
          expect(r.allowed).toBe(r.count <= 5);
          expect(r.resetInMs).toBeGreaterThan(0);
          expect(r.resetInMs).toBeLessThanOrEqual(YEAR_MS);
          // Windows are aligned to the epoch: every hit here ends with the same window.
          const windowEnd = (Math.floor(before / YEAR_MS) + 1) * YEAR_MS;
          expect(r.resetInMs).toBeLessThanOrEqual(windowEnd - before);
          expect(r.resetInMs).toBeGreaterThanOrEqual(windowEnd - after);
        }
      });

      it("counts each key on its own", async () => {
        const key = unique("rate-a");
        await bus.hit(key, 1, YEAR_MS);
        expect((await bus.hit(key, 1, YEAR_MS)).allowed).toBe(false);
        expect(await bus.hit(unique("rate-b"), 1, YEAR_MS)).toMatchObject({
          allowed: true,
          count: 1,
          limit: 1,
        });
      });

      it("allows hits again once a new window starts", async () => {
        const key = unique("rate-window");
        let denied = false;
        await eventually("a hit allowed after a denied one", async () => {
          const result = await bus.hit(key, 1, 50);
          expect(result.resetInMs).toBeGreaterThan(0);
          expect(result.resetInMs).toBeLessThanOrEqual(50);
          if (!result.allowed) denied = true;
          return denied && result.allowed ? true : undefined;
        });
      });

      it("denies every hit when the limit is 0, and rejects a bad limit or window", async () => {
        expect(await bus.hit(unique("rate-zero"), 0, YEAR_MS)).toMatchObject({
          allowed: false,
          count: 1,
          limit: 0,
        });
        await expect(bus.hit(unique("rate-bad"), -1, 1000)).rejects.toThrow(RangeError);
        await expect(bus.hit(unique("rate-bad"), 1, 0)).rejects.toThrow(RangeError);
      });
    });

    describe("locks", () => {
      it("gives the lock to exactly one of 50 concurrent tryLock calls", async () => {
        const key = unique("lock");
        const locks = await Promise.all(sequence(50).map(() => bus.tryLock(key, 60_000)));
        const won = locks.filter((lock): lock is Lock => lock !== null);
        expect(won).toHaveLength(1);
        expect(won[0].key).toBe(key);
        await won[0].release();
      });

      it("lets the next caller take the lock once its owner releases it, and releasing twice is harmless", async () => {
        const key = unique("lock-release");
        const first = await bus.tryLock(key, 60_000);
        expect(first).not.toBeNull();
        expect(await bus.tryLock(key, 60_000)).toBeNull();
        await first!.release();
        await first!.release();
        const second = await bus.tryLock(key, 60_000);
        expect(second).not.toBeNull();
        await second!.release();
      });

      it("frees a lock when its TTL runs out, and its former owner cannot release the new owner's lock", async () => {
        const key = unique("lock-ttl");
        const stale = await bus.tryLock(key, 30);
        expect(stale).not.toBeNull();
        const current = await eventually(
          "the lock to expire",
          async () => (await bus.tryLock(key, 60_000)) ?? undefined,
        );
        await stale!.release();
        expect(await bus.tryLock(key, 60_000)).toBeNull();
        await current.release();
        const next = await bus.tryLock(key, 60_000);
        expect(next).not.toBeNull();
        await next!.release();
      });

      it("locks each key on its own, and rejects a bad TTL", async () => {
        const a = await bus.tryLock(unique("lock-a"), 60_000);
        const b = await bus.tryLock(unique("lock-b"), 60_000);
        expect(a).not.toBeNull();
        expect(b).not.toBeNull();
        await Promise.all([a!.release(), b!.release()]);
        await expect(bus.tryLock(unique("lock-bad"), 0)).rejects.toThrow(RangeError);
      });
    });

    describe("close", () => {
      it("rejects later calls with BusClosedError, while closing twice and unsubscribing still resolve", async () => {
        const closing = await open();
        const unsubscribe = await closing.subscribe(unique("closing"), () => {});
        const lock = await closing.tryLock(unique("closing-lock"), 60_000);
        await closing.close();
        await closing.close();
        await unsubscribe();
        const closedError = expect.objectContaining({ name: "BusClosedError" });
        await expect(closing.publish(unique("closed"), {})).rejects.toEqual(closedError);
        await expect(closing.subscribe(unique("closed"), () => {})).rejects.toEqual(closedError);
        await expect(closing.increment(unique("closed"))).rejects.toEqual(closedError);
        await expect(closing.getCounter(unique("closed"))).rejects.toEqual(closedError);
        await expect(closing.hit(unique("closed"), 1, 1000)).rejects.toEqual(closedError);
        await expect(closing.tryLock(unique("closed"), 1000)).rejects.toEqual(closedError);
        await expect(lock!.release()).rejects.toEqual(closedError);
        await expect(closing.ping()).rejects.toEqual(closedError);
      });

      it("does not call onLost when the bus is closed or a subscriber unsubscribes: that is no loss", async () => {
        const closing = await open();
        const lost: Error[] = [];
        const unsubscribe = await closing.subscribe(
          unique("no-loss"),
          () => {},
          (e) => lost.push(e),
        );
        await closing.subscribe(
          unique("no-loss-2"),
          () => {},
          (e) => lost.push(e),
        );
        await unsubscribe();
        await closing.close();
        await new Promise((r) => setTimeout(r, 50));
        expect(lost).toEqual([]);
      });
    });

    describe("health", () => {
      it("answers ping while open and names its kind", async () => {
        await expect(bus.ping()).resolves.toBeUndefined();
        expect(["memory", "redis"]).toContain(bus.kind);
      });
    });

    const openSecond = opts.openSecond;
    const sharedName = openSecond
      ? "shared by two instances (two processes)"
      : "shared by two instances (skipped: this adapter has no second instance sharing its state)";
    describe.skipIf(openSecond === undefined)(sharedName, () => {
      let other: Bus;
      beforeAll(async () => {
        other = await openSecond!();
      });
      afterAll(async () => {
        await other?.close();
      });

      it("delivers messages published on one instance to subscribers on both, in order", async () => {
        const channel = unique("shared-order");
        const here = new Received();
        const there = new Received();
        await bus.subscribe(channel, here.handler);
        await other.subscribe(channel, there.handler);
        await Promise.all(sequence(1000).map((seq) => bus.publish(channel, { seq })));
        for (const received of [here, there]) {
          expect((await received.atLeast(1000)).map((m) => m.seq)).toEqual(sequence(1000));
        }
      });

      it("receives on one instance a publish made on the other right after subscribe resolves, every time", async () => {
        for (let attempt = 0; attempt < 25; attempt++) {
          const channel = unique("shared-ready");
          const received = new Received();
          const [subscriber, publisher] = attempt % 2 === 0 ? [other, bus] : [bus, other];
          await subscriber.subscribe(channel, received.handler);
          await publisher.publish(channel, { attempt });
          expect(await received.atLeast(1)).toEqual([{ attempt }]);
        }
      });

      it("shares counters: 100 concurrent increments on each instance count to 200", async () => {
        const key = unique("shared-counter");
        const values = await Promise.all(
          sequence(200).map((i) => (i % 2 === 0 ? bus : other).increment(key)),
        );
        expect(ascending(values)).toEqual(range1(200));
        expect(await bus.getCounter(key)).toBe(200);
        expect(await other.getCounter(key)).toBe(200);
      });

      it("shares rate limits: hits on both instances count against one limit", async () => {
        const key = unique("shared-rate");
        const results = await Promise.all(
          sequence(12).map((i) => (i % 2 === 0 ? bus : other).hit(key, 5, YEAR_MS)),
        );
        expect(results.filter((r) => r.allowed)).toHaveLength(5);
        expect(ascending(results.map((r) => r.count))).toEqual(range1(12));
      });

      it("shares locks: one winner among 25 concurrent tryLock calls on each instance", async () => {
        const key = unique("shared-lock");
        const locks = await Promise.all(
          sequence(50).map((i) => (i % 2 === 0 ? bus : other).tryLock(key, 60_000)),
        );
        const won = locks.filter((lock): lock is Lock => lock !== null);
        expect(won).toHaveLength(1);
        const winnerIndex = locks.indexOf(won[0]);
        const loser = winnerIndex % 2 === 0 ? other : bus;
        expect(await loser.tryLock(key, 60_000)).toBeNull();
        await won[0].release();
        const taken = await loser.tryLock(key, 60_000);
        expect(taken).not.toBeNull();
        await taken!.release();
      });
    });
  });
}

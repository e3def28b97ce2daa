// The login limiter itself, on the in-process bus and on Redis (two limiters on one Redis: two processes' worth):
// right passwords only hold an in-flight place while they are checked, failures are counted as before, and
// parallel wrong guesses start at most `perUser - 1 + perUserAtOnce` password checks, whatever the interleaving.
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { MemoryBus } from "../bus/memory.js";
import type { Bus } from "../bus/ports.js";
import { RedisBus } from "../bus/redis.js";
import { serviceUrl, skipReason, uniqueDbName } from "../../test/harness/services.js";
import {
  AT_ONCE_RETRY_MS,
  isRefusal,
  LoginLimiter,
  type LoginLimitOptions,
  type LoginRefusal,
  type LoginReservation,
} from "./login-limits.js";

const redisUrl = serviceUrl("redis");
/** Each `open()` is a fresh, empty counting space; `process()` adds another process on the same one. */
const buses: Array<{ name: string; skip?: string; open: () => () => Bus }> = [
  {
    name: "memory",
    open: () => {
      const bus = new MemoryBus();
      return () => bus;
    },
  },
  {
    name: "redis",
    skip: redisUrl ? undefined : skipReason("redis"),
    open: () => {
      const keyPrefix = `${uniqueDbName("login-limits")}:`;
      return () => new RedisBus(redisUrl!, { keyPrefix });
    },
  },
];

const OPTIONS: LoginLimitOptions = {
  perUser: 10,
  perClient: 100,
  perUserAtOnce: 20,
  perClientAtOnce: 100,
  windowMs: 60_000,
  isExempt: () => false,
};

function admitted(r: LoginReservation | LoginRefusal): LoginReservation {
  if (isRefusal(r)) throw new Error(`refused: ${JSON.stringify(r)}`);
  return r;
}
function refused(r: LoginReservation | LoginRefusal): LoginRefusal {
  if (!isRefusal(r)) throw new Error("expected a refusal");
  return r;
}

describe.each(buses)("The login limiter on the $name bus", ({ skip, open }) => {
  if (skip) {
    it.skip(`needs Redis (${skip})`, () => {});
    return;
  }
  const opened = new Set<Bus>();
  /** Limiters sharing one counting space, each on a bus of its own where the bus is shared (Redis). */
  function limiters(count: number, options: Partial<LoginLimitOptions> = {}): LoginLimiter[] {
    const process = open();
    return Array.from({ length: count }, () => {
      const bus = process();
      opened.add(bus);
      return new LoginLimiter(bus, { ...OPTIONS, ...options });
    });
  }
  afterAll(async () => {
    for (const b of opened) await b.close();
  });

  it("admits 15 right passwords for one user at once, twice over, though the failure limit is 10", async () => {
    const [a, b] = limiters(2);
    for (let round = 0; round < 2; round++) {
      const held = await Promise.all(
        Array.from({ length: 15 }, (_, i) => (i % 2 ? a : b).reserve("Alice", `192.0.2.${i}`)),
      );
      await Promise.all(held.map((r) => admitted(r).settle(false)));
    }
    // Nothing was counted as a failure: ten wrong passwords still fit in the window.
    for (let i = 0; i < 10; i++) await admitted(await a.reserve("alice", "192.0.2.1")).settle(true);
    expect(refused(await b.reserve("alice", "192.0.2.1"))).toMatchObject({ by: "user", kind: "failures" });
  });

  it("refuses a check past the at-once cap as `at-once` (not as failures), and lets one in once a place is free", async () => {
    const [a, b] = limiters(2, { perUser: 3, perUserAtOnce: 3 });
    const held = await Promise.all(
      [0, 1, 2].map((i) => (i % 2 ? a : b).reserve("bob", "192.0.2.1")).map(async (r) => admitted(await r)),
    );
    expect(refused(await b.reserve("BOB", "192.0.2.2"))).toEqual({
      by: "user",
      kind: "at-once",
      retryAfterMs: AT_ONCE_RETRY_MS,
    });
    // The refusal gave its place back and counted nothing: freeing one place admits exactly one more.
    await held[0].settle(false);
    const next = admitted(await a.reserve("bob", "192.0.2.3"));
    expect(refused(await a.reserve("bob", "192.0.2.3")).kind).toBe("at-once");
    // Another username is not held back by bob's checks.
    await admitted(await b.reserve("carol", "192.0.2.1")).settle(false);
    await Promise.all([next, held[1], held[2]].map((r) => r.settle(true)));
    expect(refused(await a.reserve("bob", "192.0.2.4"))).toMatchObject({ by: "user", kind: "failures" });
  });

  it("caps one client's checks at once across usernames", async () => {
    const [a] = limiters(1, { perClientAtOnce: 2 });
    const held = [
      admitted(await a.reserve("u1", "198.51.100.7")),
      admitted(await a.reserve("u2", "198.51.100.7")),
    ];
    expect(refused(await a.reserve("u3", "198.51.100.7"))).toMatchObject({ by: "ip", kind: "at-once" });
    admitted(await a.reserve("u3", "198.51.100.8"));
    await held[0].settle(false);
    admitted(await a.reserve("u3", "198.51.100.7"));
  });

  it("reaches the bound perUser - 1 + perUserAtOnce exactly under the worst interleaving, and not one more", async () => {
    const [a, b] = limiters(2, { perUser: 4, perUserAtOnce: 5 });
    // perUser - 1 failures counted one after another...
    for (let i = 0; i < 3; i++)
      await admitted(await (i % 2 ? a : b).reserve("dave", "192.0.2.1")).settle(true);
    // ...then a full set of checks starts before any of them fails: each saw 3 < 4 failures.
    const inFlight = await Promise.all(
      Array.from({ length: 5 }, async (_, i) =>
        admitted(await (i % 2 ? a : b).reserve("dave", `192.0.2.${i}`)),
      ),
    );
    expect(refused(await a.reserve("dave", "192.0.2.9")).kind).toBe("at-once");
    await Promise.all(inFlight.map((r) => r.settle(true)));
    // 3 + 5 = 8 checks ran; from now on every guess is refused unchecked.
    for (let i = 0; i < 5; i++) expect(refused(await b.reserve("dave", "192.0.2.1")).kind).toBe("failures");
  });

  it("starts at most perUser - 1 + perUserAtOnce checks of parallel wrong guesses for one user, burst after burst", async () => {
    const perUser = 4;
    const perUserAtOnce = 6;
    const pair = limiters(2, { perUser, perUserAtOnce, perClient: 10_000, perClientAtOnce: 10_000 });
    let checks = 0;
    const guess = async (i: number) => {
      const r = await pair[i % 2].reserve("erin", `203.0.113.${i % 250}`);
      if (isRefusal(r)) return r.kind;
      checks++;
      await new Promise<void>((resolve) => setImmediate(resolve)); // the password check: wrong
      await r.settle(true);
      return "checked";
    };
    // Bursts of 100 until one is refused whole: each burst short of that checks at least one guess.
    for (;;) {
      const kinds = await Promise.all(Array.from({ length: 100 }, (_, i) => guess(i)));
      if (!kinds.includes("checked")) break;
    }
    expect(checks).toBeGreaterThanOrEqual(perUser);
    expect(checks).toBeLessThanOrEqual(perUser - 1 + perUserAtOnce);
    expect(refused(await pair[0].reserve("erin", "203.0.113.1")).kind).toBe("failures");
  });
});

describe("The login limiter when an in-flight counter expires under held places", () => {
  afterEach(() => vi.useRealTimers());

  it("gives no extra places afterwards: places freed after the expiry do not push the count below 0", async () => {
    vi.useFakeTimers();
    const bus = new MemoryBus();
    const limiter = new LoginLimiter(bus, { ...OPTIONS, perUserAtOnce: 2, windowMs: 1000 });
    const held = [
      admitted(await limiter.reserve("fay", "192.0.2.1")),
      admitted(await limiter.reserve("fay", "192.0.2.2")),
    ];
    vi.advanceTimersByTime(1001); // the in-flight counters' TTL ends while both checks run
    await Promise.all(held.map((r) => r.settle(false)));
    admitted(await limiter.reserve("fay", "192.0.2.1"));
    admitted(await limiter.reserve("fay", "192.0.2.2"));
    expect(refused(await limiter.reserve("fay", "192.0.2.3")).kind).toBe("at-once");
    await bus.close();
  });
});

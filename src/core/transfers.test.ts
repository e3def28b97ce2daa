// Daily transfer allowances on the bus: on the in-process bus and on Redis, where two cores (two processes'
// worth) share one count.
import { afterAll, describe, expect, it } from "vitest";
import { MemoryBus } from "../bus/memory.js";
import type { Bus } from "../bus/ports.js";
import { RedisBus } from "../bus/redis.js";
import { serviceUrl, skipReason, uniqueDbName } from "../../test/harness/services.js";
import { isDomainError, type DomainError, type Principal } from "./index.js";
import { TransferService } from "./transfers.js";

const alice: Principal = { kind: "user", userId: "u-alice" };
const bob: Principal = { kind: "user", userId: "u-bob" };
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a refusal");
    },
    (e: DomainError) => {
      if (!isDomainError(e)) throw e;
      return e;
    },
  );

const redisUrl = serviceUrl("redis");
const buses: Array<{ name: string; skip?: string; open: () => Bus }> = [
  { name: "memory", open: () => new MemoryBus() },
  {
    name: "redis",
    skip: redisUrl ? undefined : skipReason("redis"),
    open: () => new RedisBus(redisUrl!, { keyPrefix: `${uniqueDbName("transfers")}:` }),
  },
];

describe.each(buses)("Transfer allowances on the $name bus", ({ skip, open }) => {
  if (skip) {
    it.skip(`needs Redis (${skip})`, () => {});
    return;
  }
  const opened: Bus[] = [];
  const bus = () => {
    const b = open();
    opened.push(b);
    return b;
  };
  afterAll(async () => {
    for (const b of opened) await b.close();
  });

  it("counts a user's downloads up to the day's allowance; the charge that would pass it is refused and not counted", async () => {
    const t = new TransferService(bus(), { downloadBytesPerDay: 1000, uploadBytesPerDay: 0 });
    await t.charge(alice, "download", 600);
    await t.charge(alice, "download", 400);
    expect(await t.used(alice, "download")).toBe(1000);
    const e = await refusal(t.charge(alice, "download", 1));
    expect(e.code).toBe("TRANSFER_LIMIT");
    expect(e.message).toBe(
      "The daily download allowance of 1000 bytes would be exceeded by 1 bytes; try again in 24 hours.",
    );
    expect(e.retryAfterMs).toBeGreaterThan(23 * 3_600_000);
    expect(e.retryAfterMs).toBeLessThanOrEqual(86_400_000);
    expect(await t.used(alice, "download")).toBe(1000);
    // Another user, and the other direction (no limit set), are not affected.
    await t.charge(bob, "download", 1000);
    await t.charge(alice, "upload", 10_000_000);
  });

  it("a refused large charge leaves room for smaller ones", async () => {
    const t = new TransferService(bus(), { downloadBytesPerDay: 0, uploadBytesPerDay: 1000 });
    await t.charge(alice, "upload", 900);
    expect((await refusal(t.charge(alice, "upload", 500))).code).toBe("TRANSFER_LIMIT");
    await t.charge(alice, "upload", 100);
    expect(await t.used(alice, "upload")).toBe(1000);
  });

  it("is for users only: the admin and the delivery agent have no allowance to charge", async () => {
    const t = new TransferService(bus(), { downloadBytesPerDay: 10, uploadBytesPerDay: 10 });
    expect((await refusal(t.charge({ kind: "admin" }, "download", 1))).code).toBe("INVALID_INPUT");
    expect((await refusal(t.charge({ kind: "delivery" }, "upload", 1))).code).toBe("FORBIDDEN");
  });
});

describe.skipIf(!redisUrl)("Transfer allowances across processes (Redis)", () => {
  it("two services on two connections to one Redis share one count", async () => {
    const prefix = `${uniqueDbName("transfers")}:`;
    const a = new RedisBus(redisUrl!, { keyPrefix: prefix });
    const b = new RedisBus(redisUrl!, { keyPrefix: prefix });
    try {
      const limits = { downloadBytesPerDay: 1000, uploadBytesPerDay: 0 };
      const one = new TransferService(a, limits);
      const two = new TransferService(b, limits);
      await Promise.all([one.charge(alice, "download", 500), two.charge(alice, "download", 500)]);
      expect((await refusal(one.charge(alice, "download", 1))).code).toBe("TRANSFER_LIMIT");
      expect((await refusal(two.charge(alice, "download", 1))).code).toBe("TRANSFER_LIMIT");
      expect(await two.used(alice, "download")).toBe(1000);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

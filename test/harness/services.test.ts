// Proves the services harness: the servers global setup started really answer, through
// the same clients the adapters use. Skipped (with the reason in the name) when absent.
import { Redis } from "ioredis";
import { MongoClient, MongoServerError } from "mongodb";
import { describe, expect, inject, it } from "vitest";
import { SERVICE_ENV } from "./global-setup.js";
import { freePort, serviceUrl, skipReason, uniqueDbName } from "./services.js";

/** A test title that carries the skip reason when the service is missing. */
function title(name: "redis" | "mongodb", what: string): string {
  const reason = skipReason(name);
  return reason ? `${what} (skipped: ${reason})` : what;
}

describe("services harness", () => {
  const redisUrl = serviceUrl("redis");
  it.skipIf(!redisUrl)(title("redis", "Redis answers PING and keeps a key"), async () => {
    const redis = new Redis(redisUrl!);
    try {
      expect(await redis.ping()).toBe("PONG");
      const key = uniqueDbName("harness");
      await redis.set(key, "1", "EX", 60);
      expect(await redis.incr(key)).toBe(2);
    } finally {
      redis.disconnect();
    }
  });

  const mongoUrl = serviceUrl("mongodb");
  it.skipIf(!mongoUrl)(
    title("mongodb", "MongoDB-protocol server stores, finds and enforces a unique index"),
    async () => {
      const client = await MongoClient.connect(mongoUrl!);
      const db = client.db(uniqueDbName());
      try {
        const users = db.collection<{ name: string; n: number }>("users");
        await users.createIndex({ name: 1 }, { unique: true });
        await users.insertMany([
          { name: "ann", n: 1 },
          { name: "bob", n: 2 },
        ]);
        expect(
          await users
            .find({}, { projection: { _id: 0 } })
            .sort({ n: 1 })
            .toArray(),
        ).toEqual([
          { name: "ann", n: 1 },
          { name: "bob", n: 2 },
        ]);
        const duplicate = await users.insertOne({ name: "ann", n: 3 }).catch((err: unknown) => err);
        expect(duplicate).toBeInstanceOf(MongoServerError);
        expect((duplicate as MongoServerError).code).toBe(11000);
      } finally {
        await db.dropDatabase();
        await client.close();
      }
    },
  );

  it("hands out unique database names FerretDB accepts, and free ports", async () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueDbName()));
    expect(names.size).toBe(100);
    for (const name of names) expect(name).toMatch(/^eider_test_[0-9a-f]{12}$/);
    expect(uniqueDbName("a.b/c")).toMatch(/^a_b_c_[0-9a-f]{12}$/);
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
  });

  it("gets the URLs from global setup through provide/inject, not the environment", () => {
    const provided = inject("eiderServices"); // proves provide() reached this forked worker
    expect(provided).toBeDefined();
    for (const name of ["redis", "mongodb"] as const) {
      const url = serviceUrl(name);
      expect(url).toBe(provided[name].url);
      const given = process.env[SERVICE_ENV[name]];
      if (given) expect(url).toBe(given);
      // A server the harness started stays out of process.env, so an `eider` process a test
      // spawns does not switch to cluster mode by itself.
      else if (url) expect(Object.values(process.env)).not.toContain(url);
    }
  });
});

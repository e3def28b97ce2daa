// Quota usage that a crash left off is recounted by the server itself, on both stores: every user when it
// starts, then (a minute-long timer) the users whose usage changed since the last run, once the change has
// settled, so a write between its usage and its documents is never "fixed" into a drift.
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { MongoClient } from "mongodb";
import { afterAll, describe, expect, it } from "vitest";
import { MemoryBus } from "../../src/bus/index.js";
import { ADMIN } from "../../src/core/index.js";
import { MaintenanceService, USAGE_SETTLE_MS } from "../../src/core/maintenance.js";
import type { Store } from "../../src/storage/ports.js";
import { simpleMessage } from "../api/fixtures.js";
import { createUser, gqlOk, startTestEider, upload, type TestEiderOptions } from "../harness/eider.js";
import { serviceUrl, uniqueDbName } from "../harness/services.js";

const mongoUrl = serviceUrl("mongodb");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Case {
  name: string;
  options: () => TestEiderOptions;
  /** Sets the user's stored usage to `used + by` directly in the database, as a crash would leave it; `touchedAt`
   * also marks the usage as changed then (a reservation whose documents never came). */
  damage(o: TestEiderOptions, userId: string, by: number, touchedAt?: Date): Promise<void>;
}

const cases: Case[] = [
  {
    name: "embedded store",
    options: () => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-usage-"));
      dirs.push(dataDir);
      return { dataDir };
    },
    async damage(o, userId, by) {
      const db = new Database(path.join(o.dataDir!, "eider.sqlite"));
      try {
        db.prepare("UPDATE users SET storage_used = storage_used + ? WHERE id = ?").run(by, userId);
      } finally {
        db.close();
      }
    },
  },
];
if (mongoUrl)
  cases.push({
    name: "MongoDB store (FerretDB)",
    options: () => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-usage-"));
      dirs.push(dataDir);
      return { dataDir, mongodbUrl: mongoUrl, mongodbDatabase: uniqueDbName("eider_usage") };
    },
    async damage(o, userId, by, touchedAt) {
      const client = await MongoClient.connect(mongoUrl);
      try {
        await client
          .db(o.mongodbDatabase)
          .collection<{ _id: string }>("users")
          .updateOne(
            { _id: userId },
            { $inc: { storageUsed: by }, ...(touchedAt && { $set: { usageTouchedAt: touchedAt } }) },
          );
      } finally {
        await client.close();
      }
    },
  });

const ME = `{ me { storageUsed } }`;

for (const c of cases) {
  describe(`Quota usage reconcile (${c.name})`, () => {
    it("startEider recounts a usage that a crash left off", async () => {
      const o = c.options();
      const first = await startTestEider(o);
      const user = await createUser(first.url, "quincy");
      let sum = 0;
      for (const subject of ["a", "b", "c"]) {
        const res = await upload(first.url, user, simpleMessage({ subject, body: subject.repeat(5000) }));
        sum += res.data.uploadMessage.size;
      }
      expect((await gqlOk(first.url, ME, {}, user.token)).me.storageUsed).toBe(sum);
      await first.stop();

      // The crash was a while ago (a change younger than the settle time is the timer's, tested below).
      await c.damage(o, user.id, 185_000, new Date(Date.now() - 2 * USAGE_SETTLE_MS));
      const second = await startTestEider(o);
      try {
        // The start's recount runs in the background: poll (bounded) until it is done.
        let used = -1;
        for (let i = 0; i < 200 && used !== sum; i++) {
          used = (await gqlOk(second.url, ME, {}, user.token)).me.storageUsed;
          if (used !== sum) await new Promise((r) => setTimeout(r, 50));
        }
        expect(used).toBe(sum);
      } finally {
        await second.stop();
      }
    });

    it("a later run recounts a user whose usage changed since the last run, once the change has settled", async () => {
      const o = c.options();
      const server = await startTestEider(o);
      try {
        const store: Store = server.eider.adapters.store;
        const user = await createUser(server.url, "rosa");
        const res = await upload(server.url, user, simpleMessage({ subject: "kept" }));
        const sum = res.data.uploadMessage.size;
        const maintenance = new MaintenanceService(store, new MemoryBus(), {
          journalRetentionMs: 86_400_000,
        });
        const t0 = Date.now();
        await maintenance.reconcileUsage(ADMIN, new Date(t0)); // the first run: every user (all exact here)

        // A reservation whose documents never came (kill -9 between the two), marked as changed at t0 + 1 s.
        await c.damage(o, user.id, 25_000, new Date(t0 + 1000));
        const usage = async () => (await store.users.get(user.id))!.storageUsed;
        expect(await usage()).toBe(sum + 25_000);
        if (c.name.startsWith("MongoDB")) {
          // Still within the settle time: a write may be between its usage and its documents, so hands off.
          expect(await maintenance.reconcileUsage(ADMIN, new Date(t0 + 1000 + USAGE_SETTLE_MS / 2))).toBe(0);
          expect(await usage()).toBe(sum + 25_000);
        }
        expect(await maintenance.reconcileUsage(ADMIN, new Date(t0 + 2000 + USAGE_SETTLE_MS))).toBe(1);
        expect(await usage()).toBe(sum);
        // The next run finds nothing to do.
        expect(await maintenance.reconcileUsage(ADMIN, new Date(t0 + 3000 + 2 * USAGE_SETTLE_MS))).toBe(0);
      } finally {
        await server.stop();
      }
    });
  });
}

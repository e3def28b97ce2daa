// A core on a real store (embedded: SQLite + blob folder in a temp folder; or "mongo": the MongoDB-protocol
// server the test harness started, in a fresh database) and the in-memory bus, for core unit tests. The store is handed out too, so a test can check what was written without going through the core.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { MemoryBus } from "../../src/bus/index.js";
import { ADMIN, createCore, type Core, type CoreOptions } from "../../src/core/index.js";
import { openEmbeddedStore } from "../../src/storage/embedded/index.js";
import { openMongoStore } from "../../src/storage/mongo/index.js";
import type { Store } from "../../src/storage/ports.js";
import { serviceUrl, skipReason, uniqueDbName } from "./services.js";
import { TEST_CORE_OPTIONS } from "./core-options.js";

export { TEST_CORE_OPTIONS };

export interface TestCore {
  core: Core;
  store: Store;
  bus: MemoryBus;
  /** Creates a user with the default mailboxes; returns its id and INBOX id. */
  addUser(
    username: string,
    o?: { addresses?: string[]; quotaBytes?: number },
  ): Promise<{ userId: string; inboxId: string }>;
  close(): Promise<void>;
}

export interface TestCoreOptions extends Partial<CoreOptions> {
  /** What the core sees of the store: a test may put hooks around real store calls (the store is still real). */
  wrapStore?: (store: Store) => Store;
  /** Default "embedded". */
  store?: TestStoreKind;
}

export type TestStoreKind = "embedded" | "mongo";

/** The stores a core test runs on here, each with the reason when it cannot (no MongoDB-protocol server). */
export function testStores(): Array<{ kind: TestStoreKind; skip?: string }> {
  const mongo = serviceUrl("mongodb") ? undefined : (skipReason("mongodb") ?? "unavailable");
  return [{ kind: "embedded" }, { kind: "mongo", skip: mongo }];
}

export async function openTestCore(options: TestCoreOptions = {}): Promise<TestCore> {
  const { wrapStore, store: kind = "embedded", ...coreOptions } = options;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-core-"));
  const store =
    kind === "mongo"
      ? await openMongoStore({ url: serviceUrl("mongodb")!, dbName: uniqueDbName("eider_core") })
      : await openEmbeddedStore({ dataDir });
  const bus = new MemoryBus();
  const core = createCore(wrapStore ? wrapStore(store) : store, bus, {
    ...TEST_CORE_OPTIONS,
    ...coreOptions,
  });
  return {
    core,
    store,
    bus,
    async addUser(username, o = {}) {
      const user = await core.users.create(ADMIN, {
        username,
        password: "a long secret",
        addresses: o.addresses ?? [],
        quotaBytes: o.quotaBytes ?? 0,
      });
      const inbox = await store.mailboxes.getByPath(user.id, "INBOX");
      return { userId: user.id, inboxId: inbox!.id };
    },
    async close() {
      await bus.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

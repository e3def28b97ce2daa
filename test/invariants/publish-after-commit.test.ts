// A change that is committed stands even when the bus cannot carry its event: the caller gets its answer,
// the failure is reported, and watchers catch up from the journal.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MemoryBus } from "../../src/bus/index.js";
import { ADMIN, createCore } from "../../src/core/index.js";
import { openEmbeddedStore } from "../../src/storage/embedded/index.js";
import { simpleMessage } from "../api/fixtures.js";

describe("Core: events after the commit", () => {
  it("keeps an upload that the bus could not announce, and reports the bus failure", async () => {
    const store = await openEmbeddedStore({
      dataDir: mkdtempSync(path.join(os.tmpdir(), "eider-bus-down-")),
    });
    const bus = new MemoryBus();
    const reported: unknown[] = [];
    const core = createCore(store, bus, {
      adminToken: "admin",
      sessionTtlMs: 60_000,
      maxMessageBytes: 1 << 20,
      loginAttempts: 10,
      loginWindowMs: 60_000,
      journalRetentionMs: 86_400_000,
      onBackgroundError: (err) => reported.push(err),
    });
    try {
      const user = await core.users.create(ADMIN, { username: "busdown", password: "long enough" });
      const alice = { kind: "user", userId: user.id } as const;
      const inbox = (await core.mailboxes.getByPath(alice, "INBOX")).id;
      await bus.close(); // every publish now rejects
      const stored = await core.messages.upload(alice, inbox, simpleMessage());
      expect(reported.length).toBeGreaterThan(0);
      expect((await store.messages.get(user.id, stored.id))?.uid).toBe(1);
      const journal = await store.journal.since(user.id, 0, 100);
      expect(journal.some((e) => e.kind === "exists" && e.messageId === stored.id)).toBe(true);
    } finally {
      await store.close();
    }
  });
});

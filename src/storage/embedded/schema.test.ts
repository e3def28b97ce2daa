import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openEmbeddedStore } from "./index.js";
import { migrate, MMAP_BYTES } from "./schema.js";

describe("Embedded schema", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps savepoint undo pages in memory, not in a temporary file per change (temp_store = MEMORY)", () => {
    dir = mkdtempSync(path.join(tmpdir(), "eider-schema-"));
    const db = new Database(path.join(dir, "eider.sqlite"));
    try {
      migrate(db);
      expect(db.pragma("temp_store", { simple: true })).toBe(2);
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      // Reads are memory-mapped (a FETCH of a whole mailbox reads its overflow pages without a syscall each).
      expect(db.pragma("mmap_size", { simple: true })).toBe(MMAP_BYTES);
    } finally {
      db.close();
    }
  });

  it("adds the columns that came later to a database made before them (users.spam_level)", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "eider-schema-"));
    const old = new Database(path.join(dir, "eider.sqlite"));
    old.exec(`CREATE TABLE users (id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
      disabled INTEGER NOT NULL DEFAULT 0, quota_bytes INTEGER NOT NULL DEFAULT 0, storage_used INTEGER NOT NULL DEFAULT 0,
      modseq INTEGER NOT NULL DEFAULT 0, journal_floor INTEGER NOT NULL DEFAULT 0,
      last_uid_validity INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);
      INSERT INTO users (id, username, password_hash, created_at) VALUES ('u1', 'old', 'x', 0);`);
    old.close();
    const store = await openEmbeddedStore({ dataDir: dir });
    try {
      expect((await store.users.get("u1"))?.spamLevel).toBeNull();
      expect((await store.users.update("u1", { spamLevel: 3 }))?.spamLevel).toBe(3);
    } finally {
      await store.close();
    }
    // Opening again finds the column there and leaves the value alone.
    const again = await openEmbeddedStore({ dataDir: dir });
    try {
      expect((await again.users.get("u1"))?.spamLevel).toBe(3);
    } finally {
      await again.close();
    }
  });

  it("adds the spam columns to a delivery log made before them; its old entries read as not judged", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "eider-schema-"));
    const old = new Database(path.join(dir, "eider.sqlite"));
    old.exec(`CREATE TABLE deliveries (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, at INTEGER NOT NULL,
      via TEXT NOT NULL, client_ip TEXT, client_name TEXT, mail_from TEXT NOT NULL, addr_from TEXT NOT NULL,
      recipient TEXT NOT NULL, msgid TEXT, subject TEXT NOT NULL, size INTEGER NOT NULL, outcome TEXT NOT NULL,
      status TEXT NOT NULL, detail TEXT NOT NULL, mailbox_id TEXT, uid INTEGER, message_id TEXT, verdict TEXT,
      matched_filters TEXT NOT NULL);
      INSERT INTO deliveries VALUES ('d1', 'u1', 1, 'lmtp', NULL, NULL, '', '[]', 'a@b', NULL, 'old', 1, 'stored',
        'stored', '', NULL, NULL, NULL, 'inbox', '[]');`);
    old.close();
    const store = await openEmbeddedStore({ dataDir: dir });
    try {
      const [before] = await store.deliveries.list({ userId: "u1", limit: 10 });
      expect(before).toMatchObject({ id: "d1", subject: "old", spam: null });
      await store.deliveries.append([
        { ...before, id: "d2", at: new Date(2), spam: { spam: true, score: 8, reason: "X-Spam-Score: 8" } },
      ]);
      const [latest] = await store.deliveries.list({ userId: "u1", limit: 1 });
      expect(latest.spam).toEqual({ spam: true, score: 8, reason: "X-Spam-Score: 8" });
    } finally {
      await store.close();
    }
  });
});

import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openEmbeddedStore } from "./index.js";

describe("Embedded schema", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

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
});

import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Store } from "../ports.js";
import { SqliteAddressStore } from "./addresses.js";
import { SqliteAutoreplyStore } from "./autoreplies.js";
import { SqliteFilterStore } from "./filters.js";
import { SqliteAuthLogStore } from "./auth-log.js";
import { SqliteBlobStore, type BlobFileSystem } from "./blobs.js";
import { EmbeddedContext } from "./context.js";
import { SqliteDeliveredIdStore } from "./delivered-ids.js";
import { SqliteDeliveryLogStore } from "./deliveries.js";
import { SqliteDkimKeyStore } from "./dkim-keys.js";
import { SqliteJournalStore } from "./journal.js";
import { SqliteMailboxStore } from "./mailboxes.js";
import { SqliteMessageStore } from "./messages.js";
import { reconcileUsageEmbedded, repairEmbedded } from "./repair.js";
import { migrate } from "./schema.js";
import { SqliteOutboxStore } from "./outbox.js";
import { SqliteSessionStore } from "./sessions.js";
import { SqliteThreadStore } from "./threads.js";
import { SqliteUserStore } from "./users.js";

export interface EmbeddedStoreOptions {
  /** The data folder: `eider.sqlite` and `blobs/` live in it. */
  dataDir: string;
  /** The blob writer's file operations; tests pass one that fails like a full disk. */
  blobFiles?: BlobFileSystem;
  /** Remove the temp files of blob writes a crash interrupted (the server at start; doctor only reports them). */
  sweepTempFiles?: boolean;
}

/** Opens (creating if needed) the single-box store: SQLite in WAL mode plus a content-addressed blob folder. */
export async function openEmbeddedStore(options: EmbeddedStoreOptions): Promise<Store> {
  mkdirSync(options.dataDir, { recursive: true });
  const db = new Database(path.join(options.dataDir, "eider.sqlite"));
  migrate(db);
  const ctx = new EmbeddedContext(db, path.join(options.dataDir, "blobs"));
  const blobs = new SqliteBlobStore(ctx, options.blobFiles);
  // Temp files of writes a crash (kill -9, power loss) interrupted; those of a live process are left alone.
  if (options.sweepTempFiles) await blobs.sweepTempFiles();
  return {
    kind: "embedded",
    users: new SqliteUserStore(ctx),
    addresses: new SqliteAddressStore(ctx),
    mailboxes: new SqliteMailboxStore(ctx),
    messages: new SqliteMessageStore(ctx),
    blobs,
    journal: new SqliteJournalStore(ctx),
    threads: new SqliteThreadStore(ctx),
    sessions: new SqliteSessionStore(ctx),
    autoreplies: new SqliteAutoreplyStore(ctx),
    filters: new SqliteFilterStore(ctx),
    deliveries: new SqliteDeliveryLogStore(ctx),
    deliveredIds: new SqliteDeliveredIdStore(ctx),
    authLog: new SqliteAuthLogStore(ctx),
    outbox: new SqliteOutboxStore(ctx),
    dkimKeys: new SqliteDkimKeyStore(ctx),
    repair: (opts) => repairEmbedded(ctx, blobs, opts?.graceMs, opts?.dryRun),
    reconcileUsage: () => reconcileUsageEmbedded(ctx),
    ping: async () => {
      db.prepare("SELECT 1").get();
    },
    close: async () => {
      await ctx.drain();
      db.close();
    },
  };
}

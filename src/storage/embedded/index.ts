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
import { WriteThread } from "./write-thread.js";

export interface EmbeddedStoreOptions {
  /** The data folder: `eider.sqlite` and `blobs/` live in it. */
  dataDir: string;
  /** The blob writer's file operations; tests pass one that fails like a full disk. */
  blobFiles?: BlobFileSystem;
  /** Remove the temp files of blob writes a crash interrupted (the server at start; doctor only reports them). */
  sweepTempFiles?: boolean;
  /** Run every change on a thread of its own (the server; see write-thread.ts). */
  writeThread?: boolean;
}

/** The store's parts, over one connection: the event loop's, and the write thread's (see write-thread.ts). */
export function storeParts(ctx: EmbeddedContext, blobs: SqliteBlobStore): StoreParts {
  return {
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
  };
}

export type StoreParts = Omit<Store, "kind" | "repair" | "reconcileUsage" | "ping" | "close">;

/**
 * Opens (creating if needed) the single-box store: SQLite in WAL mode plus a content-addressed blob folder. With
 * `writeThread`, every change runs on a thread of its own (write-thread.ts) and reads stay on this thread.
 */
export async function openEmbeddedStore(options: EmbeddedStoreOptions): Promise<Store> {
  mkdirSync(options.dataDir, { recursive: true });
  const db = new Database(path.join(options.dataDir, "eider.sqlite"));
  migrate(db);
  const ctx = new EmbeddedContext(db, path.join(options.dataDir, "blobs"));
  const blobs = new SqliteBlobStore(ctx, options.blobFiles);
  // Temp files of writes a crash (kill -9, power loss) interrupted; those of a live process are left alone.
  if (options.sweepTempFiles) await blobs.sweepTempFiles();
  const local = storeParts(ctx, blobs);
  const closeLocal = async () => {
    await ctx.drain();
    db.close();
  };
  const ping = async () => {
    db.prepare("SELECT 1").get();
  };
  // The blob writer's file operations cannot be sent to another thread: a store given its own keeps its changes here.
  if (options.writeThread && !options.blobFiles) {
    let thread: WriteThread;
    try {
      thread = await WriteThread.start(options.dataDir);
    } catch (err) {
      await closeLocal();
      throw err;
    }
    return {
      kind: "embedded",
      ...changesThrough(thread, local),
      repair: (opts) => thread.call(null, "repair", [opts]) as ReturnType<Store["repair"]>,
      reconcileUsage: (window) =>
        thread.call(null, "reconcileUsage", [window]) as ReturnType<Store["reconcileUsage"]>,
      ping,
      close: async () => {
        await thread.close();
        await closeLocal();
      },
    };
  }
  return {
    kind: "embedded",
    ...local,
    repair: (opts) => repairEmbedded(ctx, blobs, opts?.graceMs, opts?.dryRun),
    reconcileUsage: () => reconcileUsageEmbedded(ctx),
    ping,
    close: closeLocal,
  };
}

/** Methods that only read, by name: they run on this thread's connection. Every other method is a change. */
const READS = /^(get|list|find|search|count|since|expungedSince|floor|read|open|info|uidListing)/;

/** Each part with its reads on `local` and its changes sent to the write thread. */
function changesThrough(thread: WriteThread, local: StoreParts): StoreParts {
  const parts: Record<string, Record<string, unknown>> = {};
  for (const [name, part] of Object.entries(local) as Array<[string, object]>) {
    const methods: Record<string, unknown> = {};
    for (
      let proto = Object.getPrototypeOf(part);
      proto && proto !== Object.prototype;
      proto = Object.getPrototypeOf(proto)
    )
      for (const method of Object.getOwnPropertyNames(proto)) {
        const fn = (part as Record<string, unknown>)[method];
        if (method === "constructor" || method in methods || typeof fn !== "function") continue;
        methods[method] = READS.test(method)
          ? fn.bind(part)
          : (...args: unknown[]) => thread.call(name, method, args);
      }
    parts[name] = methods;
  }
  return parts as unknown as StoreParts;
}

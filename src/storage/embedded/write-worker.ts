// The embedded store's write thread (see write-thread.ts): opens its own connection to the store and runs the
// calls it is sent with the same store code, so changes group-commit and sync here as they did on the event loop.
import Database from "better-sqlite3";
import path from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { EmbeddedContext } from "./context.js";
import { SqliteBlobStore } from "./blobs.js";
import { reconcileUsageEmbedded, repairEmbedded } from "./repair.js";
import { configureConnection } from "./schema.js";
import { storeParts } from "./index.js";
import { restoreBuffers, sendError } from "./thread-values.js";
import type { ThreadAnswer, ThreadCall, ThreadNotice } from "./write-thread.js";

const port = parentPort!;
const { dataDir } = workerData as { dataDir: string };
const notify = (notice: ThreadNotice) => port.postMessage(notice);

let close: () => Promise<void>;
let targets: Record<string, Record<string, (...args: unknown[]) => Promise<unknown>>>;
try {
  const db = new Database(path.join(dataDir, "eider.sqlite"));
  configureConnection(db);
  const ctx = new EmbeddedContext(db, path.join(dataDir, "blobs"));
  const blobs = new SqliteBlobStore(ctx);
  targets = {
    ...(storeParts(ctx, blobs) as unknown as typeof targets),
    "": {
      repair: (opts) => {
        const o = opts as { graceMs?: number; dryRun?: boolean } | undefined;
        return repairEmbedded(ctx, blobs, o?.graceMs, o?.dryRun);
      },
      reconcileUsage: () => reconcileUsageEmbedded(ctx),
    },
  };
  close = async () => {
    await ctx.drain();
    db.close();
  };
  notify({ ready: true });
} catch (err) {
  notify({ openFailed: sendError(err) });
  process.exit(1);
}

port.on("message", (m: ThreadCall | { close: true }) => {
  if ("close" in m) {
    void close().then(
      () => notify({ closed: true }),
      () => notify({ closed: true }),
    );
    return;
  }
  const answer = (a: ThreadAnswer) => port.postMessage(a);
  let pending: Promise<unknown>;
  try {
    const target = targets[m.part ?? ""];
    const fn = target?.[m.method];
    if (typeof fn !== "function") throw new Error(`The store has no method ${m.part ?? ""}.${m.method}.`);
    pending = Promise.resolve(fn.apply(target, restoreBuffers(m.args)));
  } catch (err) {
    pending = Promise.reject(err);
  }
  pending.then(
    (value) => answer({ id: m.id, value }),
    (err: unknown) => answer({ id: m.id, error: sendError(err) }),
  );
});

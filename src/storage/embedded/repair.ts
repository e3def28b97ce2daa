import { promises as fs } from "node:fs";
import path from "node:path";
import type { RepairReport } from "../ports.js";
import { TEMP_DIR, type SqliteBlobStore } from "./blobs.js";
import type { EmbeddedContext } from "./context.js";
import type { Row } from "./records.js";

const DEFAULT_GRACE_MS = 15 * 60_000;

/**
 * Recounts every blob's references, every user's storage and every mailbox's counters from the messages, then removes blobs
 * nobody references (rows and files, including files a crash left without a row) past the grace period.
 */
export async function repairEmbedded(
  ctx: EmbeddedContext,
  blobs: SqliteBlobStore,
  graceMs = DEFAULT_GRACE_MS,
  dryRun = false,
): Promise<RepairReport> {
  const { db } = ctx;
  const cutoff = Date.now() - graceMs;
  const report = { blobRefsFixed: 0, blobsRemoved: 0, quotaFixed: 0, tempFilesRemoved: 0 };
  const recount = db.transaction(() => {
    const held = new Map<string, number>();
    for (const r of db.prepare("SELECT blob_refs FROM messages").iterate() as Iterable<Row>) {
      for (const hash of JSON.parse(r.blob_refs) as string[]) held.set(hash, (held.get(hash) ?? 0) + 1);
    }
    const setRefs = db.prepare("UPDATE blobs SET refs = ? WHERE hash = ?");
    for (const b of db.prepare("SELECT hash, refs FROM blobs").all() as Row[]) {
      const actual = held.get(b.hash) ?? 0;
      if (actual !== b.refs) {
        setRefs.run(actual, b.hash);
        report.blobRefsFixed++;
      }
    }
    const fixQuota = db.prepare(
      `UPDATE users SET storage_used = (SELECT coalesce(sum(size), 0) FROM messages WHERE user_id = users.id)
       WHERE storage_used != (SELECT coalesce(sum(size), 0) FROM messages WHERE user_id = users.id)`,
    );
    report.quotaFixed = fixQuota.run().changes;
    db.prepare(
      `UPDATE mailboxes SET
         total_count = (SELECT count(*) FROM messages WHERE mailbox_id = mailboxes.id),
         unseen_count = (SELECT count(*) FROM messages WHERE mailbox_id = mailboxes.id AND seen = 0),
         total_size = (SELECT coalesce(sum(size), 0) FROM messages WHERE mailbox_id = mailboxes.id)`,
    ).run();
    const rows = db.prepare("SELECT hash FROM blobs WHERE refs = 0 AND created_at <= ?").all(cutoff) as Row[];
    db.prepare("DELETE FROM blobs WHERE refs = 0 AND created_at <= ?").run(cutoff);
    const hashes = rows.map((r) => r.hash as string);
    if (dryRun) throw new DryRunDone(hashes); // rolls the transaction back
    return hashes;
  });
  let doomed: string[];
  try {
    doomed = recount();
  } catch (err) {
    if (!(err instanceof DryRunDone)) throw err;
    report.blobsRemoved = err.doomed.length + (await removeStrayFiles(ctx, cutoff, true));
    report.tempFilesRemoved = await blobs.sweepTempFiles({ graceMs, dryRun: true });
    return report;
  }
  // The rows' removal reaches the disk before the files go (this transaction commits outside the group commit).
  await ctx.synced();
  // A file goes only if its row is still gone: a put between the transaction above and here brings it back.
  const known = db.prepare("SELECT 1 FROM blobs WHERE hash = ?");
  for (const hash of doomed) if (!known.get(hash)) await blobs.remove(hash);
  report.blobsRemoved = doomed.length + (await removeStrayFiles(ctx, cutoff, false));
  report.tempFilesRemoved = await blobs.sweepTempFiles({ graceMs, dryRun: false });
  return report;
}

/** Files in the blob folder with no row (a crash between the file write and the commit). */
class DryRunDone extends Error {
  constructor(readonly doomed: string[]) {
    super("dry run");
  }
}

async function removeStrayFiles(ctx: EmbeddedContext, cutoff: number, dryRun: boolean): Promise<number> {
  let removed = 0;
  const known = ctx.stmt("SELECT 1 FROM blobs WHERE hash = ?");
  for (const file of await walk(ctx.blobDir, path.join(ctx.blobDir, TEMP_DIR))) {
    const name = path.basename(file);
    const stat = await fs.stat(file);
    if (stat.mtimeMs > cutoff) continue;
    if (!known.get(name)) {
      if (!dryRun) await fs.rm(file, { force: true });
      removed++;
    }
  }
  return removed;
}

/** Every file under `dir`, except in `skip` (the temp folder, swept by its own rule). */
async function walk(dir: string, skip: string): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (full !== skip) out.push(...(await walk(full, skip)));
    } else out.push(full);
  }
  return out;
}

/**
 * Sets every user's `storage_used` to the sum of its message sizes. On SQLite a change and its usage commit
 * together, so usage cannot drift from a crash and there is no window to respect: one statement recounts all.
 */
export async function reconcileUsageEmbedded(ctx: EmbeddedContext): Promise<number> {
  return ctx.write(
    () =>
      ctx
        .stmt(
          `UPDATE users SET storage_used = (SELECT coalesce(sum(size), 0) FROM messages WHERE user_id = users.id)
           WHERE storage_used != (SELECT coalesce(sum(size), 0) FROM messages WHERE user_id = users.id)`,
        )
        .run().changes,
  );
}

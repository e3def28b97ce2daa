import { MongoRuntimeError, type Filter, type ObjectId } from "mongodb";
import type { UserDoc } from "./records.js";
import type { RepairReport } from "../ports.js";
import type { MongoContext } from "./context.js";

const DEFAULT_GRACE_MS = 15 * 60_000;

/**
 * Recounts blob references and quota usage from the messages and removes blobs nobody references.
 * Without transactions the counts are read while writers may run, so each fix is a compare-and-set on
 * the value read, and a blob is removed only when it has no references and nobody has put or referenced
 * it for `graceMs` (every put and every new reference raises its `touchedAt`).
 */
export async function repairMongo(
  ctx: MongoContext,
  graceMs = DEFAULT_GRACE_MS,
  dryRun = false,
): Promise<RepairReport> {
  const cutoff = new Date(Date.now() - graceMs);
  const blobRefsFixed = await recountBlobRefs(ctx, dryRun);
  const quotaFixed = await recountQuota(ctx, dryRun);
  const blobsRemoved =
    (await removeUnreferencedBlobs(ctx, cutoff, dryRun)) + (await removeStrayFiles(ctx, cutoff, dryRun));
  // GridFS writes leave no temp files: an interrupted upload is a stray file, counted above.
  return { blobRefsFixed, blobsRemoved, quotaFixed, tempFilesRemoved: 0 };
}

/**
 * Counts references client-side, streaming only the `blobRefs` of messages that have any. (`$unwind` +
 * `$group` would count in the server; FerretDB v1 computes only the first accumulator of a `$group`, see
 * README, so counting stays on the one path that is right on both.)
 */
async function recountBlobRefs(ctx: MongoContext, dryRun: boolean): Promise<number> {
  const held = new Map<string, number>();
  const cursor = ctx.messages.find(
    { "blobRefs.0": { $exists: true } },
    { projection: { _id: 0, blobRefs: 1 } },
  );
  for await (const m of cursor) for (const h of m.blobRefs) held.set(h, (held.get(h) ?? 0) + 1);
  let fixed = 0;
  for await (const b of ctx.blobs.find({}, { projection: { refs: 1 } })) {
    const actual = held.get(b._id) ?? 0;
    if (actual === b.refs) continue;
    if (dryRun) {
      fixed++;
      continue;
    }
    const { modifiedCount } = await ctx.blobs.updateOne(
      { _id: b._id, refs: b.refs },
      { $set: { refs: actual } },
    );
    fixed += modifiedCount;
  }
  return fixed;
}

/** Sums sizes per user with `$group`/`$sum: "$size"` and sets each user's `storageUsed` that differs. */
async function recountQuota(ctx: MongoContext, dryRun: boolean): Promise<number> {
  const used = new Map<string, number>();
  const sums = ctx.messages.aggregate<{ _id: string; used: number }>([
    { $group: { _id: "$user", used: { $sum: "$size" } } },
  ]);
  for await (const s of sums) used.set(s._id, s.used);
  let fixed = 0;
  for await (const u of ctx.users.find({}, { projection: { storageUsed: 1 } })) {
    const actual = used.get(u._id) ?? 0;
    if (actual === u.storageUsed) continue;
    if (dryRun) {
      fixed++;
      continue;
    }
    const { modifiedCount } = await ctx.users.updateOne(
      { _id: u._id, storageUsed: u.storageUsed },
      { $set: { storageUsed: actual } },
    );
    fixed += modifiedCount;
  }
  return fixed;
}

/** Deletes the blob document first (so nobody references a blob whose bytes are going), then its file. */
async function removeUnreferencedBlobs(ctx: MongoContext, cutoff: Date, dryRun: boolean): Promise<number> {
  let removed = 0;
  const doomed = ctx.blobs.find(
    { refs: { $lte: 0 }, touchedAt: { $lte: cutoff } },
    { projection: { file: 1 } },
  );
  for await (const b of doomed) {
    if (dryRun) {
      removed++;
      continue;
    }
    const { deletedCount } = await ctx.blobs.deleteOne({
      _id: b._id,
      refs: { $lte: 0 },
      touchedAt: { $lte: cutoff },
    });
    if (deletedCount === 0) continue;
    await deleteFile(ctx, b.file);
    removed++;
  }
  return removed;
}

/** GridFS files no blob document points at: a crash after an upload, or during a removal. */
async function removeStrayFiles(ctx: MongoContext, cutoff: Date, dryRun: boolean): Promise<number> {
  let removed = 0;
  for await (const f of ctx.bucket.find(
    { uploadDate: { $lte: cutoff } },
    { projection: { _id: 1, filename: 1 } },
  )) {
    const owner = await ctx.blobs.findOne({ _id: f.filename }, { projection: { file: 1 } });
    if (owner && owner.file.equals(f._id)) continue;
    if (!dryRun) await deleteFile(ctx, f._id);
    removed++;
  }
  return removed;
}

async function deleteFile(ctx: MongoContext, file: ObjectId): Promise<void> {
  try {
    await ctx.bucket.delete(file);
  } catch (err) {
    // A file already gone (a concurrent repair) is what we wanted; anything else is a real failure.
    if (!(err instanceof MongoRuntimeError) || !/not found/i.test(err.message)) throw err;
  }
}

/**
 * Sets `storageUsed` to the sum of the user's message sizes for users whose usage changed in the window, each
 * as a compare-and-set on the usage and its change time read before the sum: a write that starts meanwhile
 * changes one of them and wins. (No transactions: this is what keeps a crash between a usage change and its
 * documents from leaving the quota off until an admin runs doctor.)
 */
export async function reconcileUsageMongo(
  ctx: MongoContext,
  window: { since?: Date; settledBefore: Date },
): Promise<number> {
  const untouched = { usageTouchedAt: { $exists: false } } as const; // users from before the field existed
  const filter: Filter<UserDoc> = window.since
    ? { usageTouchedAt: { $gte: window.since, $lt: window.settledBefore } }
    : { $or: [{ usageTouchedAt: { $lt: window.settledBefore } }, untouched] };
  let fixed = 0;
  for await (const u of ctx.users.find(filter, { projection: { storageUsed: 1, usageTouchedAt: 1 } })) {
    const [sum] = await ctx.messages
      .aggregate<{ used: number }>([
        { $match: { user: u._id } },
        { $group: { _id: null, used: { $sum: "$size" } } },
      ])
      .toArray();
    const actual = sum?.used ?? 0;
    if (actual === u.storageUsed) continue;
    const { modifiedCount } = await ctx.users.updateOne(
      {
        _id: u._id,
        storageUsed: u.storageUsed,
        ...(u.usageTouchedAt ? { usageTouchedAt: u.usageTouchedAt } : untouched),
      },
      { $set: { storageUsed: actual } },
    );
    fixed += modifiedCount;
  }
  return fixed;
}

import { finished } from "node:stream/promises";
import { GridFSBucket, type Collection, type ObjectId } from "mongodb";
import type {
  OutboxClaimOptions,
  OutboxPatch,
  OutboxRecord,
  OutboxRecordState,
  OutboxStore,
} from "../ports.js";
import { isDuplicateKey } from "./constraint-errors.js";
import { OUTBOX_BUCKET, type MongoContext } from "./context.js";

/** An entry: the record with its id as `_id`, its owner as `user`, and the GridFS file of its bytes. */
type OutboxDoc = Omit<OutboxRecord, "id" | "userId"> & { _id: string; user: string; file: ObjectId };

/**
 * One claim of an entry. The unique `{entry, seq}` index arbitrates concurrent claimers: each inserts the number
 * after the latest claim it saw, and only one insert of a number succeeds, also where concurrent updates of one
 * document are lost (FerretDB v1), so no compare-and-set on the entry decides who sends.
 */
interface OutboxClaimDoc {
  entry: string;
  seq: number;
  owner: string;
  until: Date;
  released: boolean;
}

/**
 * The outbound queue on MongoDB: entries in `outbox`, claims in `outboxclaims`, the bytes in GridFS (bucket
 * `outbox` of the attachments database), so a 50 MB message never sits in a document. The file is written
 * before its entry, so an entry always points at whole bytes.
 */
export class MongoOutboxStore implements OutboxStore {
  private readonly entries: Collection<OutboxDoc>;
  private readonly claims: Collection<OutboxClaimDoc>;
  private readonly bucket: GridFSBucket;

  constructor(ctx: MongoContext) {
    this.entries = ctx.db.collection("outbox");
    this.claims = ctx.db.collection("outboxclaims");
    this.bucket = new GridFSBucket(ctx.blobDb, { bucketName: OUTBOX_BUCKET });
  }

  async add(r: OutboxRecord, raw: Buffer): Promise<void> {
    const file = await this.upload(r.id, raw);
    const { id, userId, ...rest } = r;
    try {
      await this.entries.insertOne({ _id: id, user: userId, ...rest, file });
    } catch (err) {
      await this.bucket.delete(file).catch(() => undefined);
      throw err;
    }
  }

  async get(id: string): Promise<OutboxRecord | null> {
    const d = await this.entries.findOne({ _id: id });
    return d ? toRecord(d) : null;
  }

  async list(
    userId: string,
    options: { states?: OutboxRecordState[]; limit: number; after?: string },
  ): Promise<OutboxRecord[]> {
    const filter: Record<string, unknown> = { user: userId };
    if (options.after !== undefined) filter._id = { $lt: options.after };
    if (options.states) filter.state = { $in: options.states };
    const docs = await this.entries.find(filter).sort({ _id: -1 }).limit(options.limit).toArray();
    return docs.map(toRecord);
  }

  async readRaw(id: string): Promise<Buffer | null> {
    const d = await this.entries.findOne({ _id: id }, { projection: { file: 1 } });
    if (!d) return null;
    const parts: Buffer[] = [];
    for await (const chunk of this.bucket.openDownloadStream(d.file)) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  }

  async due(now: Date, limit: number): Promise<OutboxRecord[]> {
    const docs = await this.entries
      .find({ dueAt: { $lte: now } })
      .sort({ dueAt: 1, _id: 1 })
      .limit(limit)
      .toArray();
    return docs.map(toRecord);
  }

  async nextDueAt(): Promise<Date | null> {
    const d = await this.entries.findOne(
      { dueAt: { $ne: null } },
      { sort: { dueAt: 1 }, projection: { dueAt: 1 } },
    );
    return d?.dueAt ?? null;
  }

  async claim(id: string, o: OutboxClaimOptions): Promise<OutboxRecord | null> {
    const claimable = (d: OutboxDoc | null): d is OutboxDoc =>
      d !== null && d.dueAt !== null && (o.dueBy === undefined || d.dueAt <= o.dueBy);
    const before = await this.entries.findOne({ _id: id });
    if (!claimable(before)) return null;
    const latest = await this.latestClaim(id);
    if (latest && !latest.released && latest.until > o.now) return null;
    const seq = Math.max(latest?.seq ?? 0, before.claim) + 1;
    try {
      await this.claims.insertOne({ entry: id, seq, owner: o.owner, until: o.until, released: false });
    } catch (err) {
      if (isDuplicateKey(err)) return null; // a concurrent claimer took this number
      throw err;
    }
    // Won. The entry may have been finished (or put off) by a claim that ended between the two reads.
    const current = await this.entries.findOne({ _id: id });
    if (!claimable(current)) {
      await this.claims.updateOne({ entry: id, seq }, { $set: { released: true } });
      return null;
    }
    const lease = { claim: seq, leaseOwner: o.owner, leaseUntil: o.until, dueAt: o.until };
    await this.entries.updateOne({ _id: id }, { $set: lease });
    return toRecord({ ...current, ...lease });
  }

  /** The claim row first: it is what a concurrent claimer reads to decide whether the lease still holds. */
  async renew(id: string, claim: number, until: Date): Promise<boolean> {
    const latest = await this.latestClaim(id);
    if (latest?.seq !== claim || latest.released) return false;
    await this.claims.updateOne({ entry: id, seq: claim }, { $set: { until } });
    const { matchedCount } = await this.entries.updateOne(
      { _id: id, claim },
      { $set: { leaseUntil: until, dueAt: until } },
    );
    return matchedCount > 0;
  }

  async settle(id: string, claim: number, patch: OutboxPatch, raw?: Buffer): Promise<OutboxRecord | null> {
    if ((await this.latestClaim(id))?.seq !== claim) return null; // the lease expired and was taken
    const old = await this.entries.findOne({ _id: id }, { projection: { file: 1 } });
    if (!old) return null;
    const file = raw ? await this.upload(id, raw) : old.file;
    const { matchedCount } = await this.entries.updateOne(
      { _id: id, claim },
      { $set: { ...patch, file, leaseOwner: null, leaseUntil: null } },
    );
    if (matchedCount === 0) {
      if (raw) await this.bucket.delete(file).catch(() => undefined);
      return null;
    }
    if (raw) await this.bucket.delete(old.file).catch(() => undefined); // a file left behind is only unused space
    await this.claims.updateOne({ entry: id, seq: claim }, { $set: { released: true } });
    return this.get(id);
  }

  async prune(before: Date): Promise<number> {
    let removed = 0;
    for (;;) {
      const batch = await this.entries
        .find({ finishedAt: { $lt: before } }, { projection: { _id: 1, file: 1 } })
        .limit(500)
        .toArray();
      if (batch.length === 0) return removed;
      removed += await removeEntries(this.entries, this.claims, this.bucket, batch);
    }
  }

  /** Removes every entry of a user (the user is being deleted). */
  async removeForUser(userId: string): Promise<void> {
    for (;;) {
      const batch = await this.entries
        .find({ user: userId }, { projection: { _id: 1, file: 1 } })
        .limit(500)
        .toArray();
      if (batch.length === 0) return;
      await removeEntries(this.entries, this.claims, this.bucket, batch);
    }
  }

  private latestClaim(id: string): Promise<OutboxClaimDoc | null> {
    return this.claims.findOne({ entry: id }, { sort: { seq: -1 } });
  }

  private async upload(id: string, raw: Buffer): Promise<ObjectId> {
    const stream = this.bucket.openUploadStream(id);
    stream.end(raw);
    await finished(stream);
    return stream.id as ObjectId;
  }
}

/** The entry documents first (so none points at a missing file), then their claims and files. */
async function removeEntries(
  entries: Collection<OutboxDoc>,
  claims: Collection<OutboxClaimDoc>,
  bucket: GridFSBucket,
  batch: Array<Pick<OutboxDoc, "_id" | "file">>,
): Promise<number> {
  const ids = batch.map((d) => d._id);
  const { deletedCount } = await entries.deleteMany({ _id: { $in: ids } });
  await claims.deleteMany({ entry: { $in: ids } });
  for (const d of batch) await bucket.delete(d.file).catch(() => undefined); // already gone: fine
  return deletedCount;
}

function toRecord(d: OutboxDoc): OutboxRecord {
  const { _id, user, ...rest } = d;
  delete (rest as Partial<OutboxDoc>).file;
  return { id: _id, userId: user, ...rest };
}

import { createHash } from "node:crypto";
import { finished } from "node:stream/promises";
import type { ObjectId } from "mongodb";
import type { BlobInfo, BlobStore } from "../ports.js";
import type { MongoContext } from "./context.js";
import { isDuplicateKey } from "./constraint-errors.js";

const HASH_PATTERN = /^[0-9a-f]{64}$/;

/**
 * Blob bytes live in GridFS (in the attachments database, filename = sha256); the `blobs` collection
 * holds one `{_id: hash, size, refs, file}` document per blob, written only after its file is complete,
 * so a blob document always points at whole bytes.
 */
export class MongoBlobStore implements BlobStore {
  constructor(private readonly ctx: MongoContext) {}

  /** Idempotent: a blob already stored is only touched; a concurrent put of the same bytes is tolerated. */
  async put(hash: string, data: Buffer): Promise<void> {
    assertHash(hash);
    const actual = createHash("sha256").update(data).digest("hex");
    if (actual !== hash) throw new Error(`Blob content hashes to ${actual}, not ${hash}.`);
    const { blobs, bucket } = this.ctx;
    const now = new Date();
    if ((await blobs.updateOne({ _id: hash }, { $max: { touchedAt: now } })).matchedCount === 1) return;
    const file = await this.upload(hash, data);
    try {
      await blobs.insertOne({ _id: hash, size: data.length, refs: 0, file, createdAt: now, touchedAt: now });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err; // the uploaded file, if any, is swept by repair
      await bucket.delete(file); // a concurrent put of the same bytes won
      await blobs.updateOne({ _id: hash }, { $max: { touchedAt: now } });
    }
  }

  async read(hash: string): Promise<Buffer> {
    assertHash(hash);
    const doc = await this.ctx.blobs.findOne({ _id: hash }, { projection: { file: 1 } });
    if (!doc) throw new Error(`Blob ${hash} does not exist.`);
    const parts: Buffer[] = [];
    for await (const chunk of this.ctx.bucket.openDownloadStream(doc.file)) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  }

  async open(hash: string): Promise<NodeJS.ReadableStream> {
    assertHash(hash);
    const doc = await this.ctx.blobs.findOne({ _id: hash }, { projection: { file: 1 } });
    if (!doc) throw new Error(`Blob ${hash} does not exist.`);
    return this.ctx.bucket.openDownloadStream(doc.file);
  }

  async info(hash: string): Promise<BlobInfo | null> {
    const d = await this.ctx.blobs.findOne({ _id: hash });
    return d ? { hash: d._id, size: d.size, refs: d.refs } : null;
  }

  private async upload(hash: string, data: Buffer): Promise<ObjectId> {
    const stream = this.ctx.bucket.openUploadStream(hash);
    stream.end(data);
    await finished(stream);
    return stream.id as ObjectId;
  }
}

function assertHash(hash: string): void {
  if (!HASH_PATTERN.test(hash)) throw new Error(`Blob hash "${hash}" is not a sha256 hex digest.`);
}

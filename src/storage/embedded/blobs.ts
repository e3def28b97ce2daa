import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import type { BlobInfo, BlobStore } from "../ports.js";
import type { EmbeddedContext } from "./context.js";
import type { Row } from "./rows.js";

const HASH_PATTERN = /^[0-9a-f]{64}$/;

/** Content-addressed files under `blobs/ab/cd/<sha256>`; each write is temp file + fsync + rename + dir fsync. */
export class SqliteBlobStore implements BlobStore {
  constructor(private readonly ctx: EmbeddedContext) {}

  pathOf(hash: string): string {
    if (!HASH_PATTERN.test(hash)) throw new Error(`Blob hash "${hash}" is not a sha256 hex digest.`);
    return path.join(this.ctx.blobDir, hash.slice(0, 2), hash.slice(2, 4), hash);
  }

  async put(hash: string, data: Buffer): Promise<void> {
    const actual = createHash("sha256").update(data).digest("hex");
    if (actual !== hash) throw new Error(`Blob content hashes to ${actual}, not ${hash}.`);
    // The row first, with a fresh time even when it exists: repair's grace period then covers a blob that
    // is being stored again for a new message (it may have had no references a moment ago), and repair
    // re-checks the row before it removes a file.
    await this.ctx.write(() =>
      this.ctx
        .stmt(
          "INSERT INTO blobs (hash, size, refs, created_at) VALUES (?, ?, 0, ?) ON CONFLICT (hash) DO UPDATE SET created_at = excluded.created_at",
        )
        .run(hash, data.length, Date.now()),
    );
    const file = this.pathOf(hash);
    if (!(await exists(file))) await writeDurably(file, data);
  }

  async read(hash: string): Promise<Buffer> {
    return fs.readFile(this.pathOf(hash));
  }

  async info(hash: string): Promise<BlobInfo | null> {
    const r = this.ctx.stmt("SELECT hash, size, refs FROM blobs WHERE hash = ?").get(hash) as Row | undefined;
    return r ? { hash: r.hash, size: r.size, refs: r.refs } : null;
  }

  async remove(hash: string): Promise<void> {
    await fs.rm(this.pathOf(hash), { force: true });
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

async function writeDurably(file: string, data: Buffer): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const handle = await fs.open(temp, "w");
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, file);
  const dirHandle = await fs.open(dir, "r");
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}

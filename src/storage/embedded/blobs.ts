import { createHash } from "node:crypto";
import { promises as fs, readFileSync } from "node:fs";
import path from "node:path";
import type { BlobInfo, BlobStore } from "../ports.js";
import type { EmbeddedContext } from "./context.js";
import type { Row } from "./records.js";

const HASH_PATTERN = /^[0-9a-f]{64}$/;

/**
 * A blob up to this size is read in one synchronous call, as better-sqlite3 reads the rows and inline bodies
 * beside it: the thread pool's open, fstat, read and close hand-offs cost the event loop more than the read
 * (about 0.2 ms against 0.03 ms for a cached 27 kB file; FETCH 1:* BODY[] reads one per attachment).
 */
export const SYNC_READ_BYTES = 256 * 1024;

/** Where blobs are written before their rename: one folder, so a sweep reads one directory, not the whole tree. */
export const TEMP_DIR = "tmp";

/**
 * A temp file older than this is left from a crash or a failed write, not being written: one blob is written
 * in seconds even on a slow disk, and a file whose writer process is gone goes sooner (see `sweepTempFiles`).
 */
export const TEMP_GRACE_MS = 15 * 60_000;

/** The file operations the blob writer uses; tests pass one that fails (a full disk) at a chosen step. */
export type BlobFileSystem = Pick<typeof fs, "open" | "rename" | "rm" | "mkdir" | "access" | "readFile">;

/**
 * Content-addressed files under `blobs/ab/cd/<sha256>`; each write is temp file (in `blobs/tmp/`) + fsync +
 * rename + dir fsync. A failed write removes its temp file; temp files a crash left are swept at open.
 */
export class SqliteBlobStore implements BlobStore {
  constructor(
    private readonly ctx: EmbeddedContext,
    private readonly files: BlobFileSystem = fs,
  ) {}

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
    if (!(await this.#exists(file))) await this.#writeDurably(file, data);
  }

  async read(hash: string, size?: number): Promise<Buffer> {
    const file = this.pathOf(hash);
    if (size !== undefined && size <= SYNC_READ_BYTES) return readFileSync(file);
    return this.files.readFile(file);
  }

  async open(hash: string): Promise<NodeJS.ReadableStream> {
    const handle = await this.files.open(this.pathOf(hash), "r");
    return handle.createReadStream({ highWaterMark: 256 * 1024 });
  }

  async info(hash: string): Promise<BlobInfo | null> {
    const r = this.ctx.stmt("SELECT hash, size, refs FROM blobs WHERE hash = ?").get(hash) as Row | undefined;
    return r ? { hash: r.hash, size: r.size, refs: r.refs } : null;
  }

  async remove(hash: string): Promise<void> {
    await this.files.rm(this.pathOf(hash), { force: true });
  }

  /** Removes (or, with `dryRun`, counts) the temp files nobody is writing any more; returns how many. */
  sweepTempFiles(options: { graceMs?: number; dryRun?: boolean } = {}): Promise<number> {
    return sweepTempFiles(path.join(this.ctx.blobDir, TEMP_DIR), options);
  }

  async #exists(file: string): Promise<boolean> {
    try {
      await this.files.access(file);
      return true;
    } catch {
      return false;
    }
  }

  async #writeDurably(file: string, data: Buffer): Promise<void> {
    const dir = path.dirname(file);
    const tempDir = path.join(this.ctx.blobDir, TEMP_DIR);
    await Promise.all([
      this.files.mkdir(dir, { recursive: true }),
      this.files.mkdir(tempDir, { recursive: true }),
    ]);
    const temp = path.join(
      tempDir,
      `${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`,
    );
    try {
      const handle = await this.files.open(temp, "w");
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.files.rename(temp, file);
    } catch (err) {
      // A full disk, a quota, an I/O error: the half-written file must not stay behind.
      await this.files.rm(temp, { force: true }).catch(() => undefined);
      throw err;
    }
    const dirHandle = await this.files.open(dir, "r");
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }
}

/**
 * Temp files whose writer is gone: older than the grace period, or named after a process id that no longer
 * runs on this host (the embedded store lives on a local disk, so the writer was on this host).
 */
async function sweepTempFiles(
  tempDir: string,
  { graceMs = TEMP_GRACE_MS, dryRun = false }: { graceMs?: number; dryRun?: boolean },
): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(tempDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw err;
  }
  const cutoff = Date.now() - graceMs;
  let swept = 0;
  for (const name of names) {
    if (!name.endsWith(".tmp")) continue;
    const file = path.join(tempDir, name);
    let mtimeMs: number;
    try {
      mtimeMs = (await fs.stat(file)).mtimeMs;
    } catch {
      continue; // renamed or removed meanwhile
    }
    const pid = Number(name.split(".")[1]);
    if (mtimeMs > cutoff && isRunning(pid)) continue;
    if (!dryRun) await fs.rm(file, { force: true });
    swept++;
  }
  return swept;
}

function isRunning(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return true; // not ours to judge: wait for the grace period
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

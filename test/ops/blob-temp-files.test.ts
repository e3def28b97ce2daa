// The blob folder keeps no temp files: a failed write removes its own, a crash's are swept when the store
// opens (those of a live writer are left alone), and `eider doctor` reports them and `--fix` removes them.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  promises as fs,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuild } from "../cli/ensure-build.js";
import { runEider } from "../cli/run-eider.js";
import { ADMIN_TOKEN, startTestEider } from "../harness/eider.js";
import { openEmbeddedStore } from "../../src/storage/embedded/index.js";
import type { BlobFileSystem } from "../../src/storage/embedded/blobs.js";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "eider-blob-tmp-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const blob = (n: number) => {
  const data = Buffer.alloc(n, 7);
  return { data, hash: createHash("sha256").update(data).digest("hex") };
};
const tempFiles = (dataDir: string) => {
  try {
    return readdirSync(path.join(dataDir, "blobs", "tmp"));
  } catch {
    return [];
  }
};
const enospc = () => Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });

/** A file system whose file handles write half the data and then fail (`write`), or fail to sync (`sync`). */
function failingFiles(step: "write" | "sync"): BlobFileSystem {
  return {
    ...fs,
    open: (async (file: string, flags: string) => {
      const handle = await fs.open(file, flags);
      if (flags !== "w") return handle;
      return Object.assign(Object.create(handle) as typeof handle, {
        writeFile: async (data: Buffer) => {
          if (step !== "write") return handle.writeFile(data);
          await handle.writeFile(data.subarray(0, data.length >> 1));
          throw enospc();
        },
        sync: async () => {
          if (step === "sync") throw Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" });
          return handle.sync();
        },
        close: () => handle.close(),
      });
    }) as BlobFileSystem["open"],
  };
}

describe("Blob temp files", () => {
  for (const step of ["write", "sync"] as const) {
    it(`a blob write that fails at ${step} leaves no temp file and no blob file`, async () => {
      const dataDir = tempDir();
      const store = await openEmbeddedStore({ dataDir, blobFiles: failingFiles(step) });
      try {
        const { data, hash } = blob(100_000);
        await expect(store.blobs.put(hash, data)).rejects.toMatchObject({
          code: step === "write" ? "ENOSPC" : "EIO",
        });
        expect(tempFiles(dataDir)).toEqual([]);
        await expect(
          fs.access(path.join(dataDir, "blobs", hash.slice(0, 2), hash.slice(2, 4), hash)),
        ).rejects.toThrow();
      } finally {
        await store.close();
      }
    });
  }

  it("opening the store sweeps temp files left by a dead writer or older than the grace period, and keeps a live writer's", async () => {
    const dataDir = tempDir();
    await (await openEmbeddedStore({ dataDir })).close();
    const tmp = path.join(dataDir, "blobs", "tmp");
    mkdirP(tmp);
    const { hash } = blob(10);
    const deadPid = spawnSync(process.execPath, ["-e", ""]).pid; // exited: no process has this id now
    const old = `${hash}.${process.pid}.old.tmp`;
    const ofDeadWriter = `${hash}.${deadPid}.dead.tmp`;
    const inFlight = `${hash}.${process.pid}.live.tmp`;
    for (const name of [old, ofDeadWriter, inFlight]) writeFileSync(path.join(tmp, name), "partial");
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(path.join(tmp, old), hourAgo, hourAgo);

    // Other commands (user add, doctor) leave them: doctor reports them.
    await (await openEmbeddedStore({ dataDir })).close();
    expect(tempFiles(dataDir).sort()).toEqual([inFlight, ofDeadWriter, old].sort());
    // The server at start sweeps them.
    await (await openEmbeddedStore({ dataDir, sweepTempFiles: true })).close();
    expect(tempFiles(dataDir)).toEqual([inFlight]);
  });

  it("the server sweeps them when it starts (startEider)", async () => {
    const dataDir = tempDir();
    await (await openEmbeddedStore({ dataDir })).close();
    const tmp = path.join(dataDir, "blobs", "tmp");
    mkdirP(tmp);
    const deadPid = spawnSync(process.execPath, ["-e", ""]).pid;
    const left = `${blob(3).hash}.${deadPid}.crash.tmp`;
    writeFileSync(path.join(tmp, left), "partial");
    const server = await startTestEider({ dataDir });
    try {
      expect(tempFiles(dataDir)).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  describe("eider doctor", () => {
    let dataDir: string;
    let env: Record<string, string>;
    beforeAll(async () => {
      await ensureBuild();
      dataDir = tempDir();
      env = { EIDER_DATA_DIR: dataDir, EIDER_ADMIN_TOKEN: ADMIN_TOKEN };
      await (await openEmbeddedStore({ dataDir })).close();
    });

    it("reports stale temp files, and --fix removes them", async () => {
      const tmp = path.join(dataDir, "blobs", "tmp");
      mkdirP(tmp);
      // Left an hour ago (by this test process, which still runs: only their age makes them stale).
      const names = ["a", "b"].map((s) => `${blob(1).hash}.${process.pid}.${s}.tmp`);
      const hourAgo = new Date(Date.now() - 3600_000);
      for (const name of names) {
        writeFileSync(path.join(tmp, name), "partial");
        utimesSync(path.join(tmp, name), hourAgo, hourAgo);
      }
      const check = await runEider(["doctor"], env);
      expect(check.stdout).toMatch(/^ok +counts: .*2 temp files of interrupted blob writes to sweep/m);
      expect(tempFiles(dataDir).sort()).toEqual(names.sort());
      const fix = await runEider(["doctor", "--fix"], env);
      expect(fix.code).toBe(0);
      expect(fix.stdout).toMatch(/^ok +repair: .*2 temp files of interrupted blob writes removed$/m);
      expect(tempFiles(dataDir)).toEqual([]);
    });
  });
});

function mkdirP(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

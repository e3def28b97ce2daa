// The `eider` command runs from the compiled build (bin/eider.js imports dist/). `npm test` builds before
// vitest, so this normally does nothing; it builds when dist/ is missing or older than a source file, e.g.
// when one test file runs alone. A lock directory keeps two test workers from running tsc at once.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../..", import.meta.url));
export const EIDER_BIN = path.join(REPO, "bin/eider.js");
const BUILT_CLI = path.join(REPO, "dist/src/cli/main.js");
const SOURCE_DIRS = ["src", "sidecars"].map((d) => path.join(REPO, d));
const LOCK_WAIT_MS = 180_000;

/** Runs `npm run build` unless dist/src/cli/main.js is newer than every non-test source file. */
export async function ensureBuild(): Promise<void> {
  if (isBuildFresh()) return;
  const lock = path.join(
    os.tmpdir(),
    `eider-build-${createHash("sha1").update(REPO).digest("hex").slice(0, 12)}.lock`,
  );
  const t0 = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    if (Date.now() - t0 > LOCK_WAIT_MS)
      throw new Error(`Another build has held ${lock} for ${LOCK_WAIT_MS} ms; remove it if no build runs.`);
    await new Promise((r) => setTimeout(r, 200));
  }
  try {
    if (isBuildFresh()) return; // another worker built it while this one waited
    await new Promise<void>((resolve, reject) =>
      execFile("npm", ["run", "build"], { cwd: REPO, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
        err ? reject(new Error(`npm run build failed (${err.message}):\n${stdout}${stderr}`)) : resolve(),
      ),
    );
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function isBuildFresh(): boolean {
  let built: number;
  try {
    built = statSync(BUILT_CLI).mtimeMs;
  } catch {
    return false;
  }
  return SOURCE_DIRS.every((dir) => newestSource(dir) <= built);
}

function newestSource(dir: string): number {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "node_modules") newest = Math.max(newest, newestSource(full));
    } else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")) {
      newest = Math.max(newest, statSync(full).mtimeMs);
    }
  }
  return newest;
}

// The `eider` command runs the compiled build in dist/. In a checkout, a build missing or older than a
// source file (after a pull, a rebase or an edit) is rebuilt before it runs, with a note on stderr, so an
// old build never runs silently. Without TypeScript at hand it refuses with what to run instead.
// A lock directory keeps two commands started together (or test workers) from running tsc at once.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, constants, existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BUILT_CLI = path.join(REPO, "dist/src/cli/main.js");
// What tsconfig.build.json compiles.
const SOURCE_DIRS = ["src", "sidecars", "bench", "support"];
const TSC = path.join(REPO, "node_modules/typescript/bin/tsc");
const LOCK = path.join(
  os.tmpdir(),
  `eider-build-${createHash("sha1").update(REPO).digest("hex").slice(0, 12)}.lock`,
);
const LOCK_WAIT_MS = 300_000;

/** Resolves when dist/ is at least as new as every source file; throws a one-line reason when it cannot be. */
export async function ensureFreshBuild() {
  // An installed package ships dist/ without its sources: nothing to compare.
  if (!existsSync(path.join(REPO, "src"))) return;
  let stale = staleReason();
  if (!stale) return;
  if (!existsSync(TSC))
    throw new Error(`${stale}, and TypeScript is not installed here: run "npm install && npm run build".`);
  const dist = path.join(REPO, "dist");
  if (!writable(existsSync(dist) ? dist : REPO))
    throw new Error(`${stale}, and this user cannot write it: run "npm run build" as the owner of ${REPO}.`);
  await withLock(async () => {
    stale = staleReason(); // another process may have built it while this one waited
    if (!stale) return;
    process.stderr.write(`eider: ${stale}; building (npm run build) ...\n`);
    const t0 = Date.now();
    await new Promise((resolve, reject) =>
      execFile(
        process.execPath,
        [TSC, "-p", "tsconfig.build.json"],
        { cwd: REPO, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => {
          if (!err) return resolve();
          // tsc emits despite type errors: drop the entry point so the next command does not run that build.
          try {
            rmSync(BUILT_CLI, { force: true });
          } catch {
            // a read-only install: nothing was written either
          }
          reject(new Error(`the build failed; fix it and run "npm run build":\n${stdout}${stderr}`));
        },
      ),
    );
    process.stderr.write(`eider: built in ${Math.round((Date.now() - t0) / 1000)} s\n`);
  });
}

function writable(dir) {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Why dist/ cannot be used as it is, or null when it can. */
function staleReason() {
  let built;
  try {
    built = statSync(BUILT_CLI).mtimeMs;
  } catch {
    return "dist/ has not been built";
  }
  const newest = newestSource();
  return newest.mtimeMs > built ? `dist/ is older than ${path.relative(REPO, newest.file)}` : null;
}

function newestSource() {
  let newest = { file: "", mtimeMs: 0 };
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== "node_modules") walk(full);
      } else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")) {
        const mtimeMs = statSync(full).mtimeMs;
        if (mtimeMs > newest.mtimeMs) newest = { file: full, mtimeMs };
      }
    }
  };
  for (const dir of SOURCE_DIRS) walk(path.join(REPO, dir));
  return newest;
}

async function withLock(fn) {
  const t0 = Date.now();
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (err) {
      if (err.code !== "EEXIST") throw err;
    }
    if (Date.now() - t0 > LOCK_WAIT_MS)
      throw new Error(
        `another build has held ${LOCK} for ${LOCK_WAIT_MS / 1000} s; remove it if no build runs`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
  try {
    await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

// Eider as a child process (`node bin/eider.js serve`, what an admin runs), and the same settings for the
// in-process core that prepares data before the server starts.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { loadConfig, type EiderConfig } from "../../src/config/config.js";
import { REPO } from "../../support/repo.js";
import { freePort, startProcess, waitFor } from "../../support/services.js";

export const ADMIN_TOKEN = "bench-admin-token-0123456789";

/** Where one measurement keeps its data: a data folder, and for the cluster a database and a Redis prefix. */
export interface StoreSetup {
  dataDir: string;
  mongodbUrl?: string;
  mongodbDatabase?: string;
  redisUrl?: string;
  redisPrefix?: string;
  /** More EIDER_* settings for the child (e.g. a larger message limit). */
  env?: Record<string, string>;
}

export function eiderEnv(s: StoreSetup, port: number): Record<string, string> {
  const env: Record<string, string> = {
    EIDER_DATA_DIR: s.dataDir,
    EIDER_ADMIN_TOKEN: ADMIN_TOKEN,
    EIDER_HTTP_PORT: String(port),
    EIDER_LMTP_PORT: "0",
    EIDER_POP3_PORT: "0",
    EIDER_POP3_TLS_PORT: "0",
    EIDER_IMAP_PORT: "0",
    EIDER_IMAP_TLS_PORT: "0",
    EIDER_SUBMISSION_PORT: "0",
    EIDER_SUBMISSION_TLS_PORT: "0",
    EIDER_LOG_LEVEL: "warn",
  };
  if (s.mongodbUrl) {
    env.EIDER_STORE_MONGODB_URL = s.mongodbUrl;
    env.EIDER_STORE_MONGODB_DATABASE = s.mongodbDatabase ?? "eider_bench";
    env.EIDER_STORE_MONGODB_BLOB_DATABASE = `${env.EIDER_STORE_MONGODB_DATABASE}_att`;
  }
  if (s.redisUrl) env.EIDER_BUS_REDIS_URL = s.redisUrl;
  if (s.redisPrefix) env.EIDER_BUS_REDIS_PREFIX = s.redisPrefix;
  return { ...env, ...s.env };
}

/** The config a child Eider on `s` would load, for `openCore` in this process. */
export function configFor(s: StoreSetup): EiderConfig {
  return loadConfig({ env: eiderEnv(s, 0) });
}

export interface EiderProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts `node bin/eider.js serve` on a free port; resolves once /health answers.
 * With BENCH_CPU_PROF=DIR set, each Eider writes a V8 CPU profile into DIR when it stops.
 */
export async function spawnEider(s: StoreSetup): Promise<EiderProcess> {
  const port = await freePort();
  const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...eiderEnv(s, port) };
  const profile = process.env.BENCH_CPU_PROF
    ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`]
    : [];
  const p = startProcess(
    "eider",
    process.execPath,
    () => [...profile, path.join(REPO, "bin/eider.js"), "serve"],
    env,
    REPO,
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(p, async () => (await fetch(`${url}/health`)).ok, 30_000);
  return { url, pid: p.child.pid!, stop: p.stop };
}

/** `eider user add NAME --password P --address A...` against `s`'s store (the command line an admin types). */
export function addUser(s: StoreSetup, name: string, password: string, addresses: string[] = []): void {
  execFileSync(
    process.execPath,
    [
      path.join(REPO, "bin/eider.js"),
      ...["user", "add", name, "--password", password],
      ...addresses.flatMap((a) => ["--address", a]),
    ],
    {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...eiderEnv(s, 0) },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
}

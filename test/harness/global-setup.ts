// vitest global setup: starts a throwaway Redis and FerretDB (a MongoDB wire-protocol
// server) for the whole run, hands their URLs to the test workers through
// `project.provide("eiderServices", ...)` (read them with test/harness/services.ts), and
// stops them afterwards. REDIS_URL / MONGODB_URL, when set, name servers to use instead.
// A missing binary skips the suites that need it, with one line saying so.
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import net from "node:net";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
// Types only: services.ts imports "vitest", which must not load in the main process.
import type { ServiceInfo, ServiceMap, ServiceName } from "./services.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const FERRETDB_BIN = path.join(ROOT, ".tools", "ferretdb");
const READY_TIMEOUT_MS = 20_000;
const GIVEN_READY_TIMEOUT_MS = 5_000; // a server named by REDIS_URL / MONGODB_URL is already up
const STOP_TIMEOUT_MS = 5_000;
const INSTALL_HINT = "run scripts/install-test-deps.sh";

/** The environment variable that names an already running service to use instead. */
export const SERVICE_ENV: Record<ServiceName, string> = { redis: "REDIS_URL", mongodb: "MONGODB_URL" };

interface Started {
  child: ChildProcess;
  dir: string;
  /** The last few kB of its stdout and stderr, for error messages (the temp dir is removed). */
  output: string;
  startedAt: number;
}
const started: Started[] = [];

export async function setup(project: TestProject): Promise<void> {
  // If the run dies without teardown (Ctrl-C), still do not leave servers behind.
  process.once("exit", killAllNow);
  const [redis, mongodb] = await Promise.all([setupRedis(), setupMongo()]);
  const map: ServiceMap = { redis, mongodb };
  if (redis.skipReason) console.log(`SKIPPED: Redis suites (${redis.skipReason})`);
  if (mongodb.skipReason) console.log(`SKIPPED: MongoDB-protocol suites (${mongodb.skipReason})`);
  project.provide("eiderServices", map);
}

export async function teardown(): Promise<void> {
  await Promise.all(started.splice(0).map(stop));
  process.off("exit", killAllNow);
}

async function setupRedis(): Promise<ServiceInfo> {
  const given = process.env[SERVICE_ENV.redis];
  if (given) return { url: await waitReady("redis", given, () => pingRedis(given)) };
  const bin = findOnPath("redis-server");
  if (!bin) return { skipReason: `no redis-server on PATH; ${INSTALL_HINT}` };

  // Redis cannot pick its own port and report it, so a port taken between freePort()
  // and its bind makes it exit at once: try a few ports.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const s = startProcess("redis", bin, (dir) => [
      ...["--port", String(port), "--bind", "127.0.0.1", "--dir", dir],
      ...["--save", "", "--appendonly", "no", "--daemonize", "no"],
    ]);
    const url = `redis://127.0.0.1:${port}`;
    try {
      return { url: await waitReady("redis", url, () => pingRedis(url), s) };
    } catch (err) {
      await stop(s);
      if (attempt === 3) throw err;
    }
  }
}

async function setupMongo(): Promise<ServiceInfo> {
  const given = process.env[SERVICE_ENV.mongodb];
  if (given) return { url: await waitReady("mongodb", given, () => pingMongo(given)) };
  if (!isExecutable(FERRETDB_BIN)) return { skipReason: `no .tools/ferretdb; ${INSTALL_HINT}` };

  // Port 0: FerretDB binds a free port itself and prints its URL as the first stdout line.
  const s = startProcess("ferretdb", FERRETDB_BIN, (dir) => {
    mkdirSync(path.join(dir, "data"));
    return ["-listen", "127.0.0.1:0", "-dir", path.join(dir, "data")];
  });
  try {
    const url = await firstLine(s.child, READY_TIMEOUT_MS);
    if (!url.startsWith("mongodb://")) throw new Error(`printed ${JSON.stringify(url)}, not a URL`);
    return { url: await waitReady("mongodb", url, () => pingMongo(url), s) };
  } catch (err) {
    await stop(s);
    throw new Error(`${FERRETDB_BIN} did not start: ${String(err)}\nits output:\n${s.output}`);
  }
}

/** Spawns `bin` in a fresh temp dir, keeping the tail of its output. */
function startProcess(name: string, bin: string, args: (dir: string) => string[]): Started {
  const dir = mkdtempSync(path.join(os.tmpdir(), `eider-${name}-`));
  const child = spawn(bin, args(dir), { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  const s: Started = { child, dir, output: "", startedAt: Date.now() };
  const keep = (chunk: Buffer): void => {
    s.output = (s.output + chunk.toString()).slice(-4_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  started.push(s);
  return s;
}

/** Polls `ping` until it succeeds; fails early if the process `s` exits. Returns `url`. */
async function waitReady(name: string, url: string, ping: () => Promise<void>, s?: Started): Promise<string> {
  const t0 = Date.now();
  const timeoutMs = s ? READY_TIMEOUT_MS : GIVEN_READY_TIMEOUT_MS;
  let lastError: unknown;
  while (Date.now() - t0 < timeoutMs) {
    if (s && (s.child.exitCode !== null || s.child.signalCode !== null)) {
      const how = s.child.exitCode ?? s.child.signalCode;
      throw new Error(`${name} exited (${how}) at start; its output:\n${s.output}`);
    }
    try {
      await ping();
      const from = s ? `started in ${Date.now() - s.startedAt} ms` : "from the environment";
      console.log(`services: ${name} ready at ${url} (${from})`);
      return url;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${name} at ${url} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (re-exported by services.ts).
 * Another process may take it before the caller binds it: retry on EADDRINUSE, or
 * better, listen on port 0 and read the bound port back.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// The drivers load lazily: test workers import this file (for freePort) through services.ts.
async function pingRedis(url: string): Promise<void> {
  const { Redis } = await import("ioredis");
  const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  let cause: unknown; // connect() only says "Connection is closed"; the "error" event says why
  client.on("error", (err) => (cause = err));
  try {
    await client.connect().catch((err: unknown) => Promise.reject(cause ?? err));
    const reply = await client.ping();
    if (reply !== "PONG") throw new Error(`PING answered ${reply}`);
  } finally {
    client.disconnect();
  }
}

async function pingMongo(url: string): Promise<void> {
  const { MongoClient } = await import("mongodb");
  // The driver's own connect is the TCP check; serverSelectionTimeoutMS bounds one try.
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 2_000, connectTimeoutMS: 2_000 });
  try {
    await client.db("admin").command({ ping: 1 });
  } finally {
    await client.close();
  }
}

/** Resolves with the first stdout line of `child` (other readers of stdout still get everything). */
function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => finish(new Error(`no output within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      if (text.includes("\n")) finish(text.slice(0, text.indexOf("\n")).trim());
    };
    const onExit = (code: number | null): void => finish(new Error(`exited with code ${code} at start`));
    const finish = (result: string | Error): void => {
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      child.off("exit", onExit);
      if (typeof result === "string") resolve(result);
      else reject(result);
    };
    child.stdout!.on("data", onData);
    child.once("exit", onExit);
  });
}

async function stop(s: Started): Promise<void> {
  if (s.child.exitCode === null && s.child.signalCode === null) {
    const exited = new Promise((r) => s.child.once("exit", r));
    s.child.kill("SIGTERM");
    const timer = setTimeout(() => s.child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
  rmSync(s.dir, { recursive: true, force: true });
}

function killAllNow(): void {
  for (const s of started) {
    s.child.kill("SIGKILL");
    rmSync(s.dir, { recursive: true, force: true });
  }
}

function findOnPath(name: string): string | undefined {
  const dirs = (process.env.PATH ?? "").split(path.delimiter).filter(Boolean);
  return dirs.map((d) => path.join(d, name)).find(isExecutable);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

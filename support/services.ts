// Throwaway Redis and FerretDB servers on free loopback ports, each in a temp folder, for the tests
// (test/harness/global-setup.ts) and the benchmarks alike. Free of vitest: the benchmarks run compiled.
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { REPO } from "./repo.js";

export const FERRETDB_BIN = path.join(REPO, ".tools", "ferretdb");
const READY_TIMEOUT_MS = 20_000;

export interface Service {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
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

export function findOnPath(name: string): string | undefined {
  return (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter(Boolean)
    .map((d) => path.join(d, name))
    .find(isExecutable);
}

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * `redis-server` on a free port, no persistence, ready when it answers PING. Redis cannot pick its own port
 * and report it, so a port taken between freePort() and its bind makes it exit at once: a few ports are tried.
 */
export async function startRedis(bin: string): Promise<Service> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const s = startProcess("redis", bin, (dir) => [
      ...["--port", String(port), "--bind", "127.0.0.1", "--dir", dir],
      ...["--save", "", "--appendonly", "no", "--daemonize", "no"],
    ]);
    const url = `redis://127.0.0.1:${port}`;
    try {
      await waitFor(s, () => pingRedis(url).then(() => true));
      return { ...s, url };
    } catch (err) {
      await s.stop();
      if (attempt === 3) throw err;
    }
  }
}

// The drivers load lazily, so importing this file costs nothing where they are not needed.
export async function pingRedis(url: string): Promise<void> {
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

export async function pingMongo(url: string): Promise<void> {
  const { MongoClient } = await import("mongodb");
  // The driver's own connect is the TCP check; serverSelectionTimeoutMS bounds one try.
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 2_000, connectTimeoutMS: 2_000 });
  try {
    await client.db("admin").command({ ping: 1 });
  } finally {
    await client.close();
  }
}

/** `.tools/ferretdb` (FerretDB v1, SQLite handler); it binds port 0 and prints its URL as its first stdout line. */
export async function startFerretDB(): Promise<Service> {
  const s = startProcess("ferretdb", FERRETDB_BIN, (dir) => {
    mkdirSync(path.join(dir, "data"));
    return ["-listen", "127.0.0.1:0", "-dir", path.join(dir, "data")];
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = "";
    const timer = setTimeout(
      () => reject(new Error(`ferretdb printed no URL within ${READY_TIMEOUT_MS} ms: ${s.output()}`)),
      READY_TIMEOUT_MS,
    );
    s.child.stdout!.on("data", (d: Buffer) => {
      text += d.toString();
      if (text.includes("\n")) {
        clearTimeout(timer);
        resolve(text.slice(0, text.indexOf("\n")).trim());
      }
    });
    s.child.once("exit", (code) => reject(new Error(`ferretdb exited with ${code}: ${s.output()}`)));
  });
  if (!url.startsWith("mongodb://")) {
    await s.stop();
    throw new Error(`ferretdb printed ${JSON.stringify(url)}, not a URL`);
  }
  await waitFor(s, () => pingMongo(url).then(() => true));
  return { ...s, url };
}

interface Started {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => running.forEach((c) => c.kill("SIGKILL")));

/** Spawns `bin` in a fresh temp folder (removed on stop), keeping the tail of its output for errors. */
export function startProcess(
  name: string,
  bin: string,
  args: (dir: string) => string[],
  env?: NodeJS.ProcessEnv,
  cwd?: string,
): Started {
  const dir = mkdtempSync(path.join(os.tmpdir(), `eider-${name}-`));
  const child = spawn(bin, args(dir), {
    cwd: cwd ?? dir,
    env: env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let tail = "";
  const keep = (d: Buffer) => (tail = (tail + d.toString()).slice(-4000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    output: () => tail,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it passes; fails if the process exits first or the time runs out. */
export async function waitFor(
  s: Started,
  check: () => Promise<boolean>,
  timeoutMs = READY_TIMEOUT_MS,
): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (s.child.exitCode !== null || s.child.signalCode !== null)
      throw new Error(`process exited at start:\n${s.output()}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not ready within ${timeoutMs} ms:\n${s.output()}`);
}

// Throwaway Redis and FerretDB servers for a benchmark run, on free loopback ports, each in a temp folder.
// Free of vitest, so test/harness/global-setup.ts could share it (see bench/README.md).
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

/** `redis-server` on a free port, no persistence. */
export async function startRedis(bin: string): Promise<Service> {
  const port = await freePort();
  const s = startProcess("redis", bin, (dir) => [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    "no",
  ]);
  const url = `redis://127.0.0.1:${port}`;
  await waitFor(s, () => tcpCheck(port));
  return { ...s, url };
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
  const dir = mkdtempSync(path.join(os.tmpdir(), `eider-bench-${name}-`));
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

function tcpCheck(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

// Haraka as a child process in Eider's process group (it dies with it, `kill -- -PGID` reaches both): started on
// a generated config folder, ready once it logs the address it listens on, stopped with SIGINT (Haraka's own
// graceful shutdown: open transactions finish), then SIGKILL when it does not leave in time.
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { createInterface } from "node:readline";

export interface HarakaLog {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

export interface RunningHaraka {
  host: string;
  port: number;
  pid: number;
  /** Resolves with the exit code once Haraka has stopped (null after a signal). */
  readonly exited: Promise<number | null>;
  stop(graceMs?: number): Promise<void>;
}

/** Names the Eider process that started Haraka, for the plugin's watch on it (plugin.ts). */
export const PARENT_ENV = "EIDER_MX_PARENT_PID";

/** The path of Haraka's start script in node_modules. */
export function harakaBin(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("Haraka/package.json")), "bin", "haraka");
}

/** Starts Haraka on `configDir` and resolves when it listens; rejects with its last lines when it exits first. */
export function startHaraka(
  configDir: string,
  log: HarakaLog,
  startTimeoutMs = 60_000,
): Promise<RunningHaraka> {
  const child: ChildProcess = spawn(process.execPath, [harakaBin(), "-c", configDir], {
    stdio: ["ignore", "pipe", "pipe"],
    // The plugin leaves with Haraka when this process is gone (killed with SIGKILL, it cannot stop its child).
    env: { ...process.env, HARAKA: configDir, [PARENT_ENV]: String(process.pid) },
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const recent: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`Haraka did not listen within ${startTimeoutMs} ms:\n${recent.join("\n")}`));
    }, startTimeoutMs);
    const onLine = (line: string) => {
      recent.push(line);
      if (recent.length > 20) recent.shift();
      if (/\[(CRIT|EMERG|ALERT|ERROR)\]/.test(line)) log.error(line);
      else if (/\[WARN\]/.test(line)) log.warn(line);
      else log.info(line);
      const m = /\[(?:core|server)\] Listening on (\[[^\]]+\]|[^:\s]+):(\d+)/.exec(line);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        host: m[1].replace(/^\[|\]$/g, ""),
        port: Number(m[2]),
        pid: child.pid!,
        exited,
        stop: (graceMs = 10_000) => stop(child, exited, graceMs),
      });
    };
    createInterface({ input: child.stdout! }).on("line", onLine);
    createInterface({ input: child.stderr! }).on("line", onLine);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`Haraka could not be started: ${err.message}`));
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Haraka exited (${code}) before it listened:\n${recent.join("\n")}`));
    });
  });
}

async function stop(child: ChildProcess, exited: Promise<number | null>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGINT");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

// `node bin/eider.js serve` as its own process with the environment a test chooses, keeping what it prints:
// the start banner and pino's JSON log lines on stdout. Unlike spawnEider (test/harness/eider.ts) it lets a
// test pick the log level, leave the admin token unset, and read the output.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../harness/services.js";
import { EIDER_BIN, REPO } from "../cli/ensure-build.js";

/** How long a spawned server may take to answer /health, and a test may wait for a line of output. */
const READY_LIMIT_MS = 30_000;
const OUTPUT_LIMIT_MS = 20_000;

export interface ServeOptions {
  dataDir?: string;
  /** Extra EIDER_* variables; EIDER_DATA_DIR and EIDER_HTTP_PORT are set already. */
  env?: Record<string, string>;
}

export interface ServeProcess {
  url: string;
  dataDir: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout matches; fails with the output so far when it does not within the limit or the process exits. */
  waitForStdout(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Every stdout line that is a JSON object (pino's log lines), parsed. */
  logLines(): Array<Record<string, unknown>>;
  /** Resolves with how the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (if still running), then waits for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startServe(o: ServeOptions = {}): Promise<ServeProcess> {
  const dataDir = o.dataDir ?? mkdtempSync(path.join(os.tmpdir(), "eider-ops-"));
  const port = await freePort();
  const child = spawn(process.execPath, [EIDER_BIN, "serve"], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      EIDER_DATA_DIR: dataDir,
      EIDER_HTTP_PORT: String(port),
      EIDER_LMTP_PORT: "0", // any free port: tests run side by side
      EIDER_POP3_PORT: "0",
      EIDER_POP3_TLS_PORT: "0",
      EIDER_IMAP_PORT: "0",
      EIDER_IMAP_TLS_PORT: "0",
      EIDER_SUBMISSION_PORT: "0",
      EIDER_SUBMISSION_TLS_PORT: "0",
      ...o.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((l) => l());
  child.stdout!.on("data", (d: Buffer) => ((out += d.toString()), notify()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => (resolve({ code, signal }), notify())),
  );
  const describe = () => `stdout:\n${out}\nstderr:\n${err}`;

  const waitForStdout = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = out.match(pattern);
        if (match) finish(() => resolve(match));
        else if (child.exitCode !== null || child.signalCode !== null)
          finish(() => reject(new Error(`eider exited before printing ${pattern}; ${describe()}`)));
      };
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(new Error(`eider did not print ${pattern} within ${OUTPUT_LIMIT_MS} ms; ${describe()}`)),
          ),
        OUTPUT_LIMIT_MS,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        settle();
      };
      listeners.add(check);
      check();
    });

  const url = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`eider exited with ${child.exitCode} before it was ready; ${describe()}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - t0 > READY_LIMIT_MS) {
      child.kill("SIGKILL");
      throw new Error(`eider did not answer /health within ${READY_LIMIT_MS} ms; ${describe()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    url,
    dataDir,
    child,
    stdout: () => out,
    stderr: () => err,
    waitForStdout,
    logLines: () =>
      out
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

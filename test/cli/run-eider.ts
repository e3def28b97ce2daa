// Runs `node bin/eider.js ...` as a child process with only the environment a test names (plus PATH and
// HOME), so a REDIS_URL or MONGODB_URL in the test runner's environment cannot switch it to cluster mode.
import { spawn } from "node:child_process";
import { EIDER_BIN, REPO } from "./ensure-build.js";

export interface EiderRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A one-shot command that is still running after this long is killed, so a hang fails the test instead of leaking. */
const RUN_LIMIT_MS = 60_000;

export function runEider(args: string[], env: Record<string, string>): Promise<EiderRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [EIDER_BIN, ...args], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const limit = setTimeout(() => child.kill("SIGKILL"), RUN_LIMIT_MS);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(limit);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface ServingEider {
  url: string;
  /** What it printed at start, up to and including the banner's last line. */
  banner: string;
  /** Sends the process a signal (SIGHUP to reload certificates). */
  kill(signal: NodeJS.Signals): void;
  /** Everything it printed so far (stdout, then stderr), for a log line a test waits for. */
  output(): string;
  stop(): Promise<EiderRun>;
}

/** `eider serve` as a child process, resolved once it has printed its banner (the server is listening then). */
export function serveEider(env: Record<string, string>, args: string[] = []): Promise<ServingEider> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [EIDER_BIN, "serve", ...args], {
      cwd: REPO,
      // LMTP and POP3 on any free port unless the test picks one: tests run side by side.
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        EIDER_LMTP_PORT: "0",
        EIDER_POP3_PORT: "0",
        EIDER_POP3_TLS_PORT: "0",
        EIDER_IMAP_PORT: "0",
        EIDER_IMAP_TLS_PORT: "0",
        EIDER_SUBMISSION_PORT: "0",
        EIDER_SUBMISSION_TLS_PORT: "0",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let ready = false;
    const exited = new Promise<EiderRun>((done) =>
      child.once("close", (code, signal) => done({ code, signal, stdout, stderr })),
    );
    const limit = setTimeout(() => child.kill("SIGKILL"), RUN_LIMIT_MS);
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const end = stdout.indexOf("\n", stdout.indexOf("Create the first user:"));
      if (ready || stdout.indexOf("Create the first user:") < 0 || end < 0) return;
      ready = true;
      // Empty when the API is not among the parts (serve --only lmtp).
      const url = /GraphQL API \(HTTP and WebSocket\): (http:\/\/\S+)\/graphql/.exec(stdout)?.[1] ?? "";
      resolve({
        url,
        banner: stdout.slice(0, end + 1),
        kill: (signal) => child.kill(signal),
        output: () => stdout + stderr,
        async stop() {
          child.kill("SIGTERM");
          const run = await exited;
          clearTimeout(limit);
          return run;
        },
      });
    });
    child.once("error", reject);
    void exited.then((run) => {
      clearTimeout(limit);
      if (!ready)
        reject(
          new Error(`eider serve exited with ${run.code} before its banner:\n${run.stdout}${run.stderr}`),
        );
    });
  });
}

/**
 * A command on a terminal: run under util-linux `script`, which gives it a pseudo-terminal. `answer` is typed
 * once the output shows `prompt`, so the test does not depend on timing. Output is as the terminal showed it.
 */
export function runEiderOnTerminal(
  args: string[],
  env: Record<string, string>,
  prompt: string,
  answer: string,
): Promise<EiderRun> {
  const quoted = [process.execPath, EIDER_BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", quoted, "/dev/null"], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", TERM: "dumb", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let answered = false;
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (!answered && stdout.includes(prompt)) {
        answered = true;
        child.stdin.write(answer);
      }
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const limit = setTimeout(() => child.kill("SIGKILL"), RUN_LIMIT_MS);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(limit);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

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

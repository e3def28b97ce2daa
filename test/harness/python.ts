// Runs a Python 3 script written inline in a test (a real client library: poplib, imaplib): the script's
// common indentation is removed, a prelude goes first, and the one JSON value it prints is returned.
import { execFile } from "node:child_process";

export function runPython<T>(prelude: string, script: string, argv: string[], what: string): Promise<T> {
  const lines = script.split("\n");
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  const body = lines.map((l) => l.slice(indent)).join("\n");
  return new Promise((resolve, reject) => {
    execFile(
      "python3",
      ["-c", `${prelude}\n${body}`, ...argv],
      { timeout: 30_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${what} script failed: ${error.message}\n${stderr}`));
        try {
          resolve(JSON.parse(stdout) as T);
        } catch {
          reject(new Error(`${what} script printed no JSON: ${stdout}\n${stderr}`));
        }
      },
    );
  });
}

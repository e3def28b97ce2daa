// Debian command-line tools the tests drive as real clients (swaks, fetchmail, curl; scripts/install-test-deps.sh
// installs them). A suite whose tool is missing is skipped with the reason, except under CI (CI=true), where it
// runs and fails, as the suites needing a missing service or strace do.
import { spawnSync } from "node:child_process";

/** Why the suite cannot run (the tools not on PATH), or undefined when they all are. */
export function toolsMissing(names: string[]): string | undefined {
  const missing = names.filter((name) => spawnSync("sh", ["-c", 'command -v "$1"', "sh", name]).status !== 0);
  return missing.length > 0
    ? `${missing.join(" and ")} not installed; run scripts/install-test-deps.sh`
    : undefined;
}

/** describe.skipIf's argument: skip when tools are missing, but never under CI. */
export function skipWithout(reason: string | undefined): boolean {
  return reason !== undefined && process.env.CI !== "true";
}

// What every short seeded fuzz run in CI shares: a fresh data folder, a build, one campaign run before the tests,
// and the first verdict (nothing crashed, held, refused or left open).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { fuzzCampaigns, type FuzzOptions, type FuzzReport } from "../../bench/fuzz/fuzz.js";
import { ensureBuild } from "../cli/ensure-build.js";

/** Runs the campaign once before the suite's tests (seed 9, 300 sessions a protocol); returns its report. */
export function shortFuzzRun(
  name: string,
  options: Omit<FuzzOptions, "dataDir" | "seed" | "sessions" | "checkEvery" | "log">,
  timeoutMs: number,
): () => FuzzReport {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `eider-fuzz-${name}-ci-`));
  let report: FuzzReport | undefined;
  beforeAll(async () => {
    await ensureBuild();
    report = await fuzzCampaigns({
      dataDir,
      seed: 9,
      sessions: SHORT_RUN_SESSIONS,
      checkEvery: 100,
      log: () => {},
      ...options,
    });
  }, timeoutMs);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  return () => {
    if (!report) throw new Error("The fuzz campaign did not run.");
    return report;
  };
}

export const SHORT_RUN_SESSIONS = 300;

/** No crash, no session held after its client went, none refused, none left half-closed, no error logged. */
export function expectNoHarm(report: FuzzReport): void {
  expect(report.failures).toEqual([]);
  for (const c of report.campaigns) {
    expect(c.sessions).toBe(SHORT_RUN_SESSIONS);
    expect([c.crashed, c.held, c.refused, c.notEnded]).toEqual([null, 0, 0, 0]);
  }
  expect(report.stopped).toBeNull();
}

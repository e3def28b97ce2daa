// The short seeded run of `npm run fuzz` for submission (bench/fuzz), through the same code as the soak: 300 mutated
// submission sessions (seeded from a mail client's: EHLO, AUTH, MAIL/RCPT/DATA to remote addresses) against
// `eider serve` as its own process, the outbound queue handing what was accepted to a sink on loopback, then the
// store read back through the core. Few clients at once, so that the logins (a slow scrypt each) are answered.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fuzzCampaigns, type FuzzReport } from "../../bench/fuzz/fuzz.js";
import { ensureBuild } from "../cli/ensure-build.js";

describe("submission fuzz, short seeded run", () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-fuzz-submission-ci-"));
  let report: FuzzReport;

  beforeAll(async () => {
    await ensureBuild();
    report = await fuzzCampaigns({
      dataDir,
      seed: 9,
      sessions: 300,
      protocols: ["submission"],
      concurrency: 4,
      loginShare: 0.5,
      checkEvery: 100,
      corpusSize: 10,
      log: () => {},
    });
  }, 600_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("no crash, no session held after its client went, no half-closed session left open, no error logged", () => {
    expect(report.failures).toEqual([]);
    const [submission] = report.campaigns;
    expect(submission.sessions).toBe(300);
    expect([submission.crashed, submission.held, submission.refused, submission.notEnded]).toEqual([
      null,
      0,
      0,
      0,
    ]);
    expect(report.stopped).toBeNull();
  });

  it("broken commands are refused, some messages are queued, and only the sender's Sent changed", () => {
    const [submission] = report.campaigns;
    for (const code of ["250", "354", "500", "530"]) expect(submission.replies[code]).toBeGreaterThan(0);
    // Most sessions are mutated or leave before the slow password check answers; some get through whole.
    expect(submission.queued).toBeGreaterThan(0);
    expect(report.store!.submissionSent).toBeGreaterThanOrEqual(submission.queued);
    // The POP3 maildrop (4) and the IMAP INBOX (5): every one unchanged.
    expect(report.store!.unchanged).toBe(9);
    expect(report.store!.failures).toEqual([]);
  });
});

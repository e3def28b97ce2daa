// The short seeded run of `npm run fuzz` (bench/fuzz), through the same code: 300 mutated LMTP and 300 mutated
// POP3 sessions against `eider serve` as its own process, then the store read back through the core.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fuzzCampaigns, type FuzzReport } from "../../bench/fuzz/fuzz.js";
import { ensureBuild } from "../cli/ensure-build.js";

describe("fuzz, short seeded run", () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-fuzz-ci-"));
  let report: FuzzReport;

  beforeAll(async () => {
    await ensureBuild();
    report = await fuzzCampaigns({
      dataDir,
      seed: 9,
      sessions: 300,
      protocols: ["lmtp", "pop3"],
      concurrency: 16,
      loginShare: 0.3,
      checkEvery: 100,
      corpusSize: 40,
      log: () => {},
    });
  }, 300_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("no crash, no session held after its client went, no half-closed session left open, no error logged", () => {
    expect(report.failures).toEqual([]);
    for (const c of report.campaigns) {
      expect(c.sessions).toBe(300);
      expect([c.crashed, c.held, c.refused, c.notEnded]).toEqual([null, 0, 0, 0]);
    }
    expect(report.stopped).toBeNull();
  });

  it("LMTP: broken commands get 500 5.5.2 and friends, good transactions are stored byte-exact under the UID the 250 named", () => {
    const lmtp = report.campaigns.find((c) => c.protocol === "lmtp")!;
    // The mutations reach every kind of answer: unknown commands, bad syntax and sequence, unknown users, deliveries.
    for (const code of ["250", "354", "500", "501", "503", "550"])
      expect(lmtp.replies[code]).toBeGreaterThan(0);
    expect(report.store!.acknowledged).toBe(lmtp.acknowledged.length);
    expect(report.store!.acknowledged).toBeGreaterThan(20);
  });

  it("POP3: every session is answered, and the maildrop is as it was (at most \\Seen added by a QUIT)", () => {
    const pop3 = report.campaigns.find((c) => c.protocol === "pop3")!;
    expect(pop3.replies["+OK"]).toBeGreaterThanOrEqual(300);
    expect(pop3.replies["-ERR"]).toBeGreaterThan(0);
    // Some sessions get past the login into the TRANSACTION state (the clients that wait for the server's answers).
    expect(pop3.replies["+OK Logged in"]).toBeGreaterThan(0);
    // The maildrop (4) and the IMAP user's INBOX (5, delivered for the IMAP run in every run): all unchanged.
    expect(report.store!.unchanged).toBe(9);
  });
});

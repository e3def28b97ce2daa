// The short seeded run of `npm run fuzz` for IMAP (bench/fuzz), through the same code as the soak: 300 mutated
// IMAP sessions (seeded from imapflow's and imaplib's) against `eider serve` as its own process, then the store
// read back through the core. Apart from the LMTP/POP3 run so that each has its own server and time budget; few
// clients at once, so that the logins (a slow scrypt each) are answered before their clients leave.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fuzzCampaigns, type FuzzReport } from "../../bench/fuzz/fuzz.js";
import { ensureBuild } from "../cli/ensure-build.js";

describe("IMAP fuzz, short seeded run", () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-fuzz-imap-ci-"));
  let report: FuzzReport;

  beforeAll(async () => {
    await ensureBuild();
    report = await fuzzCampaigns({
      dataDir,
      seed: 9,
      sessions: 300,
      protocols: ["imap"],
      concurrency: 4,
      loginShare: 0.3,
      checkEvery: 100,
      corpusSize: 40,
      log: () => {},
    });
  }, 600_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("no crash, no session held after its client went, no half-closed session left open, no error logged", () => {
    expect(report.failures).toEqual([]);
    const [imap] = report.campaigns;
    expect(imap.sessions).toBe(300);
    expect([imap.crashed, imap.held, imap.refused, imap.notEnded]).toEqual([null, 0, 0, 0]);
    expect(report.stopped).toBeNull();
  });

  it("every session is answered, broken commands get BAD, some log in, and the INBOX they may only EXAMINE is as it was", () => {
    const [imap] = report.campaigns;
    expect(imap.replies.OK).toBeGreaterThan(300);
    expect(imap.replies.BAD).toBeGreaterThan(300);
    expect(imap.replies["OK login"]).toBeGreaterThan(0);
    // The POP3 maildrop (4) and the IMAP INBOX (5): every one unchanged, no flag, no byte, no place.
    expect(report.store!.unchanged).toBe(9);
    expect(report.store!.failures).toEqual([]);
  });
});

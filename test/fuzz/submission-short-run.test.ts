// The short seeded run of `npm run fuzz` for submission (bench/fuzz), through the same code as the soak: 300 mutated
// submission sessions (seeded from a mail client's: EHLO, AUTH, MAIL/RCPT/DATA to remote addresses) against
// `eider serve` as its own process, the outbound queue handing what was accepted to a sink on loopback, then the
// store read back through the core. Few clients at once, so that the logins (a slow scrypt each) are answered.
import { describe, expect, it } from "vitest";
import { expectNoHarm, shortFuzzRun } from "./short-run-setup.js";

describe("submission fuzz, short seeded run", () => {
  const run = shortFuzzRun(
    "submission",
    { protocols: ["submission"], concurrency: 4, loginShare: 0.5, corpusSize: 10 },
    600_000,
  );

  it("no crash, no session held after its client went, no half-closed session left open, no error logged", () => {
    expectNoHarm(run());
  });

  it("broken commands are refused, some messages are queued, and only the sender's Sent changed", () => {
    const [submission] = run().campaigns;
    for (const code of ["250", "354", "500", "530"]) expect(submission.replies[code]).toBeGreaterThan(0);
    // Most sessions are mutated or leave before the slow password check answers; some get through whole.
    expect(submission.queued).toBeGreaterThan(0);
    expect(run().store!.submissionSent).toBeGreaterThanOrEqual(submission.queued);
    // The POP3 maildrop (4) and the IMAP INBOX (5): every one unchanged.
    expect(run().store!.unchanged).toBe(9);
    expect(run().store!.failures).toEqual([]);
  });
});

// The short seeded run of `npm run fuzz` (bench/fuzz), through the same code: 300 mutated LMTP and 300 mutated
// POP3 sessions against `eider serve` as its own process, then the store read back through the core.
import { describe, expect, it } from "vitest";
import { expectNoHarm, shortFuzzRun } from "./short-run-setup.js";

describe("fuzz, short seeded run", () => {
  const run = shortFuzzRun(
    "lmtp-pop3",
    { protocols: ["lmtp", "pop3"], concurrency: 16, loginShare: 0.3, corpusSize: 40 },
    300_000,
  );

  it("no crash, no session held after its client went, no half-closed session left open, no error logged", () => {
    expectNoHarm(run());
  });

  it("LMTP: broken commands get 500 5.5.2 and friends, good transactions are stored byte-exact under the UID the 250 named", () => {
    const lmtp = run().campaigns.find((c) => c.protocol === "lmtp")!;
    // The mutations reach every kind of answer: unknown commands, bad syntax and sequence, unknown users, deliveries.
    for (const code of ["250", "354", "500", "501", "503", "550"])
      expect(lmtp.replies[code]).toBeGreaterThan(0);
    expect(run().store!.acknowledged).toBe(lmtp.acknowledged.length);
    expect(run().store!.acknowledged).toBeGreaterThan(20);
  });

  it("POP3: every session is answered, and the maildrop is as it was (at most \\Seen added by a QUIT)", () => {
    const pop3 = run().campaigns.find((c) => c.protocol === "pop3")!;
    expect(pop3.replies["+OK"]).toBeGreaterThanOrEqual(300);
    expect(pop3.replies["-ERR"]).toBeGreaterThan(0);
    // Some sessions get past the login into the TRANSACTION state (the clients that wait for the server's answers).
    expect(pop3.replies["+OK Logged in"]).toBeGreaterThan(0);
    // The maildrop (4) and the IMAP user's INBOX (5, delivered for the IMAP run in every run): all unchanged.
    expect(run().store!.unchanged).toBe(9);
  });
});

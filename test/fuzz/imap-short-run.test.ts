// The short seeded run of `npm run fuzz` for IMAP (bench/fuzz), through the same code as the soak: 300 mutated
// IMAP sessions (seeded from imapflow's and imaplib's) against `eider serve` as its own process, then the store
// read back through the core. Apart from the LMTP/POP3 run so that each has its own server and time budget; few
// clients at once, so that the logins (a slow scrypt each) are answered before their clients leave.
import { describe, expect, it } from "vitest";
import { expectNoHarm, shortFuzzRun } from "./short-run-setup.js";

describe("IMAP fuzz, short seeded run", () => {
  const run = shortFuzzRun(
    "imap",
    { protocols: ["imap"], concurrency: 4, loginShare: 0.3, corpusSize: 40 },
    600_000,
  );

  it("no crash, no session held after its client went, no half-closed session left open, no error logged", () => {
    expectNoHarm(run());
  });

  it("every session is answered, broken commands get BAD, some log in, and the INBOX they may only EXAMINE is as it was", () => {
    const [imap] = run().campaigns;
    expect(imap.replies.OK).toBeGreaterThan(300);
    expect(imap.replies.BAD).toBeGreaterThan(300);
    expect(imap.replies["OK login"]).toBeGreaterThan(0);
    // The POP3 maildrop (4) and the IMAP INBOX (5): every one unchanged, no flag, no byte, no place.
    expect(run().store!.unchanged).toBe(9);
    expect(run().store!.failures).toEqual([]);
  });
});

// The IMAP fuzz sessions: reproducible from their seed, the recorded seeds well formed, and no session able to
// open the checked INBOX read-write, whatever the mutations did.
import { describe, expect, it } from "vitest";
import { prng } from "../../../support/fuzz.js";
import { imapflowSeed, imaplibSeed, SCRATCH } from "./fuzz-seeds.js";
import { mutatedImapSession, withoutWritableOpens } from "./fuzz.js";

const O = { username: "fuzz-i", password: "a long secret", loginShare: 0.5 };
const bytesOf = (seed: number) =>
  Buffer.concat(mutatedImapSession(prng(seed), O).steps.flatMap((s) => s.chunks));

describe("IMAP fuzz sessions", () => {
  it("are the same bytes for the same seed, and differ between seeds", () => {
    expect(bytesOf(7).equals(bytesOf(7))).toBe(true);
    expect(bytesOf(7).equals(bytesOf(8))).toBe(false);
  });

  it("seeds announce their literals with the right sizes", () => {
    const c = { username: "u", password: "p w" };
    for (const command of [...imapflowSeed(c, "EXAMINE INBOX"), ...imaplibSeed(c, "EXAMINE INBOX")]) {
      if (!command.literal) continue;
      const size = /\{(\d+)\+?\}$/.exec(command.line)?.[1];
      expect(Number(size), command.line).toBe(command.literal.bytes.length);
      expect(command.line.endsWith("+}")).toBe(!command.literal.sync);
    }
  });

  it("SELECT and RENAME survive only for the scratch mailboxes, in plain and in disguised forms", () => {
    const cases: Array<[string, string]> = [
      ["a SELECT INBOX\r\n", "a EXAMINE INBOX\r\n"],
      ["a select inbox\n", "a EXAMINE inbox\n"],
      [`a SELECT ${SCRATCH}\r\n`, `a SELECT ${SCRATCH}\r\n`],
      [`8 SELECT ${SCRATCH} (QRESYNC (1 2))\r\n`, `8 SELECT ${SCRATCH} (QRESYNC (1 2))\r\n`],
      [`a SELECT ${SCRATCH}\rb SELECT INBOX\r\n`, `a EXAMINE ${SCRATCH}\rb EXAMINE INBOX\r\n`],
      ["a SELECT {5}\r\nINBOX\r\n", "a EXAMINE {5}\r\nINBOX\r\n"],
      ["a SEL\0ECT INBOX\r\n", "x NOOP\r\n"],
      ["a RENAME INBOX Old\r\n", "a XRENAME INBOX Old\r\n"],
      ["a RENAME Archive Old\r\n", "a RENAME Archive Old\r\n"],
      ["a FETCH 1 BODY[]\r\n", "a FETCH 1 BODY[]\r\n"],
    ];
    for (const [sent, made] of cases)
      expect(withoutWritableOpens(Buffer.from(sent, "latin1")).toString("latin1"), sent).toBe(made);
  });

  it("in 5,000 sessions, every line a server could read as SELECT names a scratch mailbox", () => {
    const writable = new Set([SCRATCH, "Trash", "Sent", "Archive", "Old", "Drafts"]);
    let selects = 0;
    for (let seed = 1; seed <= 5000; seed++)
      for (const line of bytesOf(seed)
        .toString("latin1")
        .split(/\r\n|\r|\n/)) {
        const words = line.split(" ");
        if (words[1]?.toUpperCase() !== "SELECT") continue;
        selects++;
        expect(writable.has(words[2]), line).toBe(true);
      }
    expect(selects).toBeGreaterThan(300);
  });
});

// The test clients' reading of server bytes: whole responses with their literals, never a literal's content
// taken for a response, and the tally the fuzz run keeps.
import { describe, expect, it } from "vitest";
import { countImapAnswers, imapAnswerKinds, splitResponses } from "./responses.js";

describe("IMAP responses as a test client reads them", () => {
  it("cuts a stream into responses, literals included, and stops before an incomplete one", () => {
    const body = "a OK fake\r\n* BYE inside\r\n";
    const bytes = Buffer.from(
      `* OK [CAPABILITY IMAP4rev1] hi\r\n* 1 FETCH (BODY[] {${body.length}}\r\n${body} UID 4)\r\n` +
        "+ go on\r\na NO [TRYCREATE] no such mailbox\r\n* 2 FETCH (BODY[] {10}\r\nabc",
    );
    const { responses, end } = splitResponses(bytes);
    expect(responses.map((r) => [r.tag, r.status, r.code, r.line])).toEqual([
      ["*", "OK", "CAPABILITY", "* OK [CAPABILITY IMAP4rev1] hi"],
      ["*", null, null, `* 1 FETCH (BODY[] {${body.length}} UID 4)`],
      ["+", null, null, "+ go on"],
      ["a", "NO", "TRYCREATE", "a NO [TRYCREATE] no such mailbox"],
    ]);
    expect(responses[1].literals.map(String)).toEqual([body]);
    expect(bytes.subarray(end).toString()).toBe("* 2 FETCH (BODY[] {10}\r\nabc");
    // The greeting, the `+` and the tagged NO: what a lockstep client waits for.
    expect(countImapAnswers(bytes)).toBe(3);
    expect(imapAnswerKinds(bytes, new Set(["a"]))).toEqual(["+", "NO [TRYCREATE]"]);
    expect(
      imapAnswerKinds(Buffer.from("l OK [CAPABILITY X] in\r\n* BYE [UNAVAILABLE] full\r\n"), new Set(["l"])),
    ).toEqual(["OK login", "BYE [UNAVAILABLE]"]);
  });
});

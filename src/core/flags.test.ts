import { describe, expect, it } from "vitest";
import { normalizeFlags } from "./flags.js";

describe("Core: flags", () => {
  it("keeps keywords that are IMAP atoms and spells system flags canonically", () =>
    expect(normalizeFlags(["\\seen", "$Forwarded", "work-2024", "a.b_c+d!#&'~|}^[", "\\FLAGGED"])).toEqual([
      "\\Seen",
      "$Forwarded",
      "work-2024",
      "a.b_c+d!#&'~|}^[",
      "\\Flagged",
    ]));

  const bad: Record<string, string> = {
    "no-break space": "a\u00a0b",
    "zero-width space": "a\u200bb",
    Cyrillic: "\u0420\u0430\u0431\u043e\u0442\u0430",
    "Cyrillic look-alike": "w\u043erk",
    "line separator": "a\u2028b",
    "an emoji": "\u{1f600}",
    "a control": "a\u0001b",
    DEL: "a\u007fb",
    "a tab": "a\tb",
    "a space": "a b",
    empty: "",
    "(": "a(b",
    ")": "a)b",
    "{": "a{b",
    "%": "a%b",
    "*": "a*b",
    '"': 'a"b',
    "]": "a]b",
    "too long": "k".repeat(129),
  };
  for (const [what, keyword] of Object.entries(bad)) {
    it(`refuses a keyword with ${what}`, () => {
      expect(() => normalizeFlags([keyword])).toThrow(expect.objectContaining({ code: "INVALID_INPUT" }));
    });
  }
  it("refuses an unknown system flag", () =>
    expect(() => normalizeFlags(["\\Recent"])).toThrow(expect.objectContaining({ code: "INVALID_INPUT" })));
});

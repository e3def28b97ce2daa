import { describe, expect, it } from "vitest";
import { BadArguments, type ImapArg } from "../request.js";
import { parseAppend } from "./append.js";
import { args } from "./test-args.js";

const literal8 = (text: string): ImapArg => ({
  type: "string",
  value: Buffer.from(text),
  literal: true,
  literal8: true,
});
const badOf = (a: ImapArg[], utf8 = true) => {
  try {
    parseAppend(a, utf8);
  } catch (e) {
    if (e instanceof BadArguments) return e.message;
    throw e;
  }
  return "parsed";
};

describe("parseAppend", () => {
  it("takes a literal, or UTF8 (literal8) after ENABLE, after optional flags and date-time", () => {
    expect(parseAppend(args("INBOX [[m]]"), false)).toMatchObject({ path: "INBOX", utf8: false });
    const dated = [
      ...args('INBOX (\\Seen) "01-Dec-2026 10:00:00 +0100" UTF8'),
      { type: "list", items: [literal8("Grüße")] },
    ];
    expect(parseAppend(dated as ImapArg[], true)).toEqual({
      path: "INBOX",
      flags: ["\\Seen"],
      internalDate: new Date("2026-12-01T09:00:00Z"),
      message: Buffer.from("Grüße"),
      utf8: true,
    });
    const bare = [...args("INBOX UTF8"), { type: "list", items: [literal8("m")] }] as ImapArg[];
    expect(parseAppend(bare, true)).toMatchObject({ flags: undefined, internalDate: undefined, utf8: true });
  });

  it("refuses UTF8 before ENABLE, a bare literal8, and UTF8 around anything but one literal8", () => {
    const utf8 = (...items: ImapArg[]) => [...args("INBOX UTF8"), { type: "list", items }] as ImapArg[];
    expect(badOf(utf8(literal8("m")), false)).toBe("APPEND's UTF8 (...) needs ENABLE UTF8=ACCEPT first.");
    expect(badOf([...args("INBOX"), literal8("m")])).toBe(
      "APPEND takes a literal8 (~{n}) only inside UTF8 (...).",
    );
    const oneLiteral8 = "APPEND's UTF8 takes one literal8 in parentheses: UTF8 (~{n}).";
    expect(badOf(utf8(...args("[[m]]")))).toBe(oneLiteral8);
    expect(badOf(utf8(literal8("a"), literal8("b")))).toBe(oneLiteral8);
    expect(badOf(utf8())).toBe(oneLiteral8);
    expect(badOf(args("INBOX UTF8 [[m]]"))).toBe("APPEND takes the message last, after flags and date-time.");
  });
});

import { describe, expect, it } from "vitest";
import { BadArguments, type ImapArg } from "../request.js";
import { parseList, parseLsub } from "./list.js";
import { parseStatusItems } from "./status-items.js";

const a = (value: string): ImapArg => ({ type: "atom", value });
const s = (value: string): ImapArg => ({ type: "string", value: Buffer.from(value), literal: false });
const l = (...items: ImapArg[]): ImapArg => ({ type: "list", items });

describe("IMAP LIST arguments", () => {
  it("reads RFC 3501's reference and pattern", () => {
    const args = parseList([s(""), a("*")], false);
    expect(args).toMatchObject({ extended: false, reference: "", patterns: ["*"] });
    expect(args.selection.size).toBe(0);
  });

  it("reads RFC 5258 selection options, several patterns and return options", () => {
    const args = parseList(
      [
        l(a("subscribed"), a("RECURSIVEMATCH")),
        s(""),
        l(s("INBOX"), s("Entw&APw-rfe")),
        a("RETURN"),
        l(a("CHILDREN"), a("SPECIAL-USE"), a("STATUS"), l(a("MESSAGES"), a("size"))),
      ],
      false,
    );
    expect(args.extended).toBe(true);
    expect([...args.selection]).toEqual(["SUBSCRIBED", "RECURSIVEMATCH"]);
    expect(args.patterns).toEqual(["INBOX", "Entwürfe"]);
    expect(args.returns).toEqual({
      subscribed: true,
      children: true,
      specialUse: true,
      status: ["MESSAGES", "SIZE"],
    });
  });

  it.each([
    [[l(a("RECURSIVEMATCH")), s(""), a("*")], /RECURSIVEMATCH needs/],
    [[l(a("BOGUS")), s(""), a("*")], /Unknown LIST selection option "BOGUS"/],
    [[s(""), a("*"), a("RETURN"), l(a("FLAGS"))], /Unknown LIST return option "FLAGS"/],
    [[s(""), a("*"), a("RETURN"), l(a("STATUS"), l())], /at least one status item/],
    [[s(""), l()], /at least one mailbox pattern/],
    [[s("")], /mailbox pattern/],
    [[s(""), a("*"), a("EXTRA")], /Expected RETURN/],
  ])("refuses bad arguments %#", (args, message) => {
    expect(() => parseList(args, false)).toThrow(BadArguments);
    expect(() => parseList(args, false)).toThrow(message);
  });

  it("LSUB takes exactly a reference and a pattern", () => {
    expect(parseLsub([s(""), a("%")], false)).toEqual({ reference: "", pattern: "%" });
    expect(() => parseLsub([s("")], false)).toThrow(BadArguments);
  });

  it("status items are upper-cased, deduplicated, and unknown ones refused", () => {
    expect(parseStatusItems(l(a("uidnext"), a("UIDNEXT"), a("appendlimit")))).toEqual([
      "UIDNEXT",
      "APPENDLIMIT",
    ]);
    expect(() => parseStatusItems(l(a("MAILBOXID")))).toThrow(/Unknown status item "MAILBOXID"/);
  });
});

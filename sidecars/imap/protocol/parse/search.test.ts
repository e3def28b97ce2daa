import { describe, expect, it } from "vitest";
import { BadArguments, type ImapArg } from "../request.js";
import { args } from "./test-args.js";
import { parseSearchArgs, parseSortArgs, parseThreadArgs, type SearchKey } from "./search.js";

const key = (line: string): SearchKey => parseSearchArgs(args(line)).key;
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
const flag = (f: string): SearchKey => ({ kind: "flag", flag: f });
const not = (k: SearchKey): SearchKey => ({ kind: "not", of: k });

function bad(line: string, pattern: RegExp, parse: (a: ImapArg[]) => unknown = parseSearchArgs): void {
  expect(() => parse(args(line))).toThrow(BadArguments);
  expect(() => parse(args(line))).toThrow(pattern);
}

describe("SEARCH arguments", () => {
  it.each([
    ["ALL", { kind: "all" }],
    ["ANSWERED", flag("\\Answered")],
    ["DELETED", flag("\\Deleted")],
    ["DRAFT", flag("\\Draft")],
    ["FLAGGED", flag("\\Flagged")],
    ["SEEN", flag("\\Seen")],
    ["UNANSWERED", not(flag("\\Answered"))],
    ["UNDELETED", not(flag("\\Deleted"))],
    ["UNDRAFT", not(flag("\\Draft"))],
    ["UNFLAGGED", not(flag("\\Flagged"))],
    ["UNSEEN", not(flag("\\Seen"))],
    ["KEYWORD $Work", flag("$Work")],
    ["UNKEYWORD Junk", not(flag("Junk"))],
    ["RECENT", { kind: "recent" }],
    ["NEW", { kind: "and", of: [{ kind: "recent" }, not(flag("\\Seen"))] }],
    ["OLD", not({ kind: "recent" })],
    ['BCC "dave"', { kind: "header", name: "bcc", value: "dave" }],
    ["CC carol", { kind: "header", name: "cc", value: "carol" }],
    ['FROM "Alice Smith"', { kind: "header", name: "from", value: "Alice Smith" }],
    ["TO bob", { kind: "header", name: "to", value: "bob" }],
    ['SUBJECT "re: q"', { kind: "header", name: "subject", value: "re: q" }],
    ['HEADER X-Mailer ""', { kind: "header", name: "X-Mailer", value: "" }],
    ["BODY [[pizza\r\nparty]]", { kind: "body", value: "pizza\r\nparty" }],
    ['TEXT "caf\u00e9"', { kind: "text", value: "caf\u00e9" }],
    ["BEFORE 1-Feb-1994", { kind: "date", field: "internal", op: "before", day: day("1994-02-01") }],
    ['ON "25-dec-2026"', { kind: "date", field: "internal", op: "on", day: day("2026-12-25") }],
    ["SINCE 01-Jan-2024", { kind: "date", field: "internal", op: "since", day: day("2024-01-01") }],
    ["SENTBEFORE 29-Feb-2024", { kind: "date", field: "sent", op: "before", day: day("2024-02-29") }],
    ["SENTON 3-Mar-2025", { kind: "date", field: "sent", op: "on", day: day("2025-03-03") }],
    ["SENTSINCE 3-Mar-2025", { kind: "date", field: "sent", op: "since", day: day("2025-03-03") }],
    ["LARGER 1000", { kind: "size", op: "larger", bytes: 1000 }],
    ["SMALLER 50", { kind: "size", op: "smaller", bytes: 50 }],
    ["OLDER 3600", { kind: "age", op: "older", seconds: 3600 }],
    ["YOUNGER 60", { kind: "age", op: "younger", seconds: 60 }],
    [
      "UID 1:3,7",
      {
        kind: "uid",
        set: [
          { from: 1, to: 3 },
          { from: 7, to: 7 },
        ],
      },
    ],
    ["2:*", { kind: "sequence", set: [{ from: 2, to: null }] }],
    ["MODSEQ 620162338", { kind: "modseq", min: 620162338 }],
    ['MODSEQ "/flags/\\\\draft" all 620162338', { kind: "modseq", min: 620162338 }],
    ["NOT SEEN", not(flag("\\Seen"))],
    ["OR SEEN FLAGGED", { kind: "or", of: [flag("\\Seen"), flag("\\Flagged")] }],
  ])("%s", (line, expected) => {
    expect(key(line)).toEqual(expected);
  });

  it("several keys must all match; parentheses group; keys are case-insensitive", () => {
    expect(key("seen (from a to b) unflagged")).toEqual({
      kind: "and",
      of: [
        flag("\\Seen"),
        {
          kind: "and",
          of: [
            { kind: "header", name: "from", value: "a" },
            { kind: "header", name: "to", value: "b" },
          ],
        },
        not(flag("\\Flagged")),
      ],
    });
    expect(key("(SEEN)")).toEqual(flag("\\Seen"));
  });

  it("OR chains and NOT nest", () => {
    expect(key("OR OR SEEN DRAFT NOT (OR FROM x 5)")).toEqual({
      kind: "or",
      of: [
        { kind: "or", of: [flag("\\Seen"), flag("\\Draft")] },
        not({
          kind: "or",
          of: [
            { kind: "header", name: "from", value: "x" },
            { kind: "sequence", set: [{ from: 5, to: 5 }] },
          ],
        }),
      ],
    });
    // A long OR chain, as some clients write a list of senders.
    const chain = `${"OR ".repeat(60)}${Array.from({ length: 61 }, (_, i) => `FROM s${i}`).join(" ")}`;
    expect(JSON.stringify(key(chain)).match(/"header"/g)).toHaveLength(61);
  });

  it("CHARSET and RETURN options come first", () => {
    expect(parseSearchArgs(args("CHARSET utf-8 SEEN"))).toEqual({
      returns: null,
      charset: "UTF-8",
      key: flag("\\Seen"),
    });
    expect(parseSearchArgs(args('RETURN (MIN COUNT) CHARSET "US-ASCII" ALL'))).toEqual({
      returns: ["MIN", "COUNT"],
      charset: "US-ASCII",
      key: { kind: "all" },
    });
    expect(parseSearchArgs(args("RETURN () ALL")).returns).toEqual(["ALL"]);
    expect(parseSearchArgs(args("CHARSET KOI8-R ALL")).charset).toBe("KOI8-R"); // refused by the command (BADCHARSET)
  });

  it.each([
    ["", /Expected a search key/],
    ["FOO", /Unknown search key "FOO"/],
    ["BODY[] x", /Unknown search key "BODY\[/],
    ['"seen"', /not the string "seen"/],
    ["FROM", /after FROM/],
    ["HEADER Subject", /after HEADER Subject/],
    ["OR SEEN", /Expected a search key/],
    ["NOT", /Expected a search key/],
    ["()", /inside the parentheses/],
    ["BEFORE 31-Feb-2024", /like 1-Feb-1994, not "31-Feb-2024"/],
    ["SINCE 2024-01-01", /not "2024-01-01"/],
    ["ON 1-Foo-2024", /not "1-Foo-2024"/],
    ["LARGER -1", /as a number, not "-1"/],
    ["SMALLER 99999999999", /larger than/],
    ["OLDER 0", /at least 1 second/],
    ["UID x", /Bad sequence set "x"/],
    ["0:3", /Bad sequence set "0:3"/],
    ["MODSEQ x", /as a number, not "x"/],
    ['MODSEQ "/flags/x" sometimes 5', /priv, shared or all/],
    ["KEYWORD \\Seen", /not the system flag/],
    ["RETURN (SAVE) ALL", /Unknown RETURN option "SAVE"/],
    ["RETURN ALL", /RETURN options in parentheses/],
    ["CHARSET", /charset name/],
  ])("%j is BAD", (line, pattern) => {
    bad(line, pattern);
  });

  it("nesting past the limit is BAD, not a stack overflow", () => {
    bad(`${"NOT ".repeat(500)}SEEN`, /nested deeper than 100/);
    bad(`${"(".repeat(200)}SEEN${")".repeat(200)}`, /nested deeper than 100/);
  });
});

describe("SORT and THREAD arguments", () => {
  it("sort criteria with REVERSE, a charset, then search keys", () => {
    expect(parseSortArgs(args("(REVERSE DATE subject Arrival) UTF-8 SEEN UNDELETED"))).toEqual({
      criteria: [
        { key: "DATE", reverse: true },
        { key: "SUBJECT", reverse: false },
        { key: "ARRIVAL", reverse: false },
      ],
      charset: "UTF-8",
      key: { kind: "and", of: [flag("\\Seen"), not(flag("\\Deleted"))] },
    });
    for (const k of ["CC", "FROM", "SIZE", "TO"])
      expect(parseSortArgs(args(`(${k}) US-ASCII ALL`)).criteria).toEqual([{ key: k, reverse: false }]);
  });

  it.each([
    ["DATE UTF-8 ALL", /sort criteria in parentheses/],
    ["() UTF-8 ALL", /at least one sort criterion/],
    ["(REVERSE) UTF-8 ALL", /sort key after REVERSE/],
    ["(NAME) UTF-8 ALL", /Unknown sort key "NAME"/],
    ["(DATE)", /charset/],
    ["(DATE) UTF-8", /Expected a search key/],
  ])("SORT %j is BAD", (line, pattern) => {
    bad(line, pattern, parseSortArgs);
  });

  it("THREAD: algorithm, charset, search keys", () => {
    expect(parseThreadArgs(args("references UTF-8 ALL"))).toEqual({
      algorithm: "REFERENCES",
      charset: "UTF-8",
      key: { kind: "all" },
    });
    expect(parseThreadArgs(args("ORDEREDSUBJECT US-ASCII SINCE 1-Jan-2020")).algorithm).toBe(
      "ORDEREDSUBJECT",
    );
    bad("REFS UTF-8 ALL", /Unknown threading algorithm "REFS"/, parseThreadArgs);
    bad("REFERENCES", /charset/, parseThreadArgs);
  });
});

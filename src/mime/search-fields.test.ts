import { describe, expect, it } from "vitest";
import { baseSubject } from "./base-subject.js";
import { parseHeaderFields } from "./header-block.js";
import { searchHeaders, writtenDay } from "./search-fields.js";

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;

describe("Mime: search fields", () => {
  it("search headers are decoded, unfolded, one field a line, lower-cased", () => {
    const fields = parseHeaderFields(
      "From: =?utf-8?q?J=C3=BCrgen?= <J@Example.org>\r\nSubject: Hello\r\n  World\r\nX-Tag: A\r\n",
    );
    expect(searchHeaders(fields)).toBe("from: jürgen <j@example.org>\nsubject: hello  world\nx-tag: a");
  });

  it.each([
    ["Tue, 1 Dec 2026 23:30:00 -0800", "2026-12-01"], // as written, not the UTC day (Dec 2)
    ["Mon, 30 Nov 2026 00:10:00 +1400", "2026-11-30"],
    ["1 Feb 94 10:00 GMT", "1994-02-01"],
    ["(comment) 5 Jan 2020 01:00:00 +0000", "2020-01-05"],
    ["2026-12-01T10:00:00Z", "2026-12-01"], // not RFC 5322, but the parser reads it
  ])("written day of %j is %s", (value, iso) => {
    expect(writtenDay(value)).toBe(day(iso));
  });

  it("no day for a missing or unreadable Date", () => {
    expect(writtenDay(null)).toBeNull();
    expect(writtenDay("soon")).toBeNull();
  });
});

describe("Mime: RFC 5256 base subject", () => {
  it.each([
    ["Hello", "hello", false],
    ["Re: Hello", "hello", true],
    ["RE: re:Hello", "hello", true],
    ["Fwd: Hello", "hello", true],
    ["Fw: Hello (fwd)", "hello", true],
    ["Re [2]: Hello", "hello", true],
    ["[eider] Re: Hello", "hello", true],
    ["[eider] Hello", "hello", false],
    ["[eider]", "[eider]", false], // a blob that is all there is stays
    ["[Fwd: Re: Hello]", "hello", true],
    ["Re: [Fwd: Hello  world ]", "hello world", true],
    ["  Hello\t\tworld  ", "hello world", false],
    ["Regarding the plan", "regarding the plan", false],
    ["Re:", "", true],
    ["", "", false],
  ])("%j -> %j (reply or forward: %s)", (subject, key, reply) => {
    expect(baseSubject(subject)).toEqual({ key, replyOrForward: reply });
  });
});

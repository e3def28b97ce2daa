import { describe, expect, it } from "vitest";
import { decodeParams, joinParamContinuations, parseStructuredValue } from "./params.js";

describe("Mime: structured header values", () => {
  it.each([
    ["a simple type", "text/plain", "text/plain", []],
    [
      "quoted values with ; inside",
      'text/plain; name="a;b.txt"; charset=utf-8',
      "text/plain",
      [
        { name: "name", value: "a;b.txt" },
        { name: "charset", value: "utf-8" },
      ],
    ],
    ["escapes in quoted values", 'a/b; n="say \\"hi\\""', "a/b", [{ name: "n", value: 'say "hi"' }]],
    [
      "comments",
      "text/plain (plain text); charset=us-ascii (ascii)",
      "text/plain",
      [{ name: "charset", value: "us-ascii" }],
    ],
    ["upper case", "TEXT/HTML; CHARSET=UTF-8", "text/html", [{ name: "charset", value: "UTF-8" }]],
    ["a forgotten ;", "text/plain charset=us-ascii", "text/plain", [{ name: "charset", value: "us-ascii" }]],
    ["an unterminated quote", 'text/plain; name="abc', "text/plain", [{ name: "name", value: "abc" }]],
    [
      "stray semicolons and names without value",
      "text/plain;; flowed; format=flowed;",
      "text/plain",
      [{ name: "format", value: "flowed" }],
    ],
    [
      "a disposition",
      "attachment; filename=report.pdf",
      "attachment",
      [{ name: "filename", value: "report.pdf" }],
    ],
  ])("parses %s", (_name, input, value, params) => {
    expect(parseStructuredValue(input)).toEqual({ value, params });
  });

  it.each([
    [
      "RFC 2231 continuations with charset",
      "x/y; filename*0*=UTF-8''%E2%82%AC%20; filename*1=rate.pdf",
      "€ rate.pdf",
    ],
    ["an RFC 2231 value without sections", "x/y; filename*=iso-8859-1'en'caf%E9.txt", "café.txt"],
    [
      "RFC 2047 words in a value (not allowed, but common)",
      'x/y; filename="=?UTF-8?B?w6TDtsO8LnR4dA==?="',
      "äöü.txt",
    ],
    ["continuations out of order", "x/y; filename*1=b; filename*0=a", "ab"],
  ])("decodes %s", (_name, input, filename) => {
    expect(decodeParams(parseStructuredValue(input).params).filename).toBe(filename);
  });

  it("joins continuations for IMAP and keeps an extended value encoded", () => {
    const { params } = parseStructuredValue("x/y; a=1; name*0*=utf-8''%E2%82%AC; name*1*=.pdf");
    expect(joinParamContinuations(params)).toEqual([
      { name: "a", value: "1" },
      { name: "name*", value: "utf-8''%E2%82%AC.pdf" },
    ]);
  });

  it("keeps a parameter named __proto__ as a plain key", () => {
    const params = decodeParams(parseStructuredValue("x/y; __proto__=evil").params);
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
    expect(Object.keys(params)).toEqual(["__proto__"]);
  });
});

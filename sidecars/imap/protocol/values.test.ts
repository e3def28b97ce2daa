import { describe, expect, it } from "vitest";
import { atom, formatValue, formatValues } from "./values.js";

describe("IMAP response values", () => {
  it("writes NIL, numbers, atoms, quoted strings and nested lists", () => {
    const text = formatValue([null, 42, atom("\\Seen"), 'say "hi" \\', ["a", []]]).toString();
    expect(text).toBe('(NIL 42 \\Seen "say \\"hi\\" \\\\" ("a" ()))');
    expect(formatValues([1, atom("FETCH")]).toString()).toBe("1 FETCH");
  });

  it("writes a literal for CR, LF, NUL, 8-bit bytes without UTF8=ACCEPT, and long strings", () => {
    expect(formatValue("a\r\nb").toString()).toBe("{4}\r\na\r\nb");
    expect(formatValue("café").toString()).toBe("{5}\r\ncafé");
    expect(formatValue("café", { utf8: true }).toString()).toBe('"café"');
    expect(formatValue(Buffer.from([0xff]), { utf8: true }).toString("latin1")).toBe("{1}\r\n\xff");
    expect(formatValue("x".repeat(2000)).subarray(0, 8).toString()).toBe("{2000}\r\n");
    // Plain ASCII text takes a shortcut: the same bytes as through the UTF-8 path, up to the same limits.
    expect(formatValue("a\0b").toString()).toBe("{3}\r\na\0b");
    expect(formatValue("x".repeat(1024)).toString()).toBe(`"${"x".repeat(1024)}"`);
    expect(formatValue("x".repeat(1025)).subarray(0, 8).toString()).toBe("{1025}\r\n");
    expect(formatValue('a "b" \\ c', { utf8: true })).toEqual(formatValue(Buffer.from('a "b" \\ c')));
    expect(formatValue({ literal: Buffer.from("hi") }).toString()).toBe("{2}\r\nhi");
  });
});

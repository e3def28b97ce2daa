import { describe, expect, it } from "vitest";
import { DataCheck } from "./data-check.js";

/** The verdict for a message split into the given chunks. */
const check = (chunks: string[], eightBit = false) => {
  const c = new DataCheck(eightBit);
  for (const chunk of chunks) c.push(Buffer.from(chunk, "latin1"));
  return c.verdict();
};

describe("DATA byte checks", () => {
  it("accepts CRLF lines, also when CR and LF arrive in different chunks", () => {
    expect(check(["Subject: a\r\n\r\nbody\r\n"])).toBeNull();
    expect(check(["Subject: a\r", "\n\r", "\nbody\r", "\n"])).toBeNull();
  });

  it("finds a bare LF or CR with its offset across chunks, and a CR left open at the end", () => {
    expect(check(["ab\r\n", "c\nd\r\n"])).toEqual({ problem: "bare-lf", offset: 5 });
    expect(check(["ab\r", "x\r\n"])).toEqual({ problem: "bare-cr", offset: 2 });
    expect(check(["ab\r\n", "\r\r\n"])).toEqual({ problem: "bare-cr", offset: 4 });
    expect(check(["ab\r"])).toEqual({ problem: "bare-cr", offset: 2 });
  });

  it("finds a NUL byte, and 8-bit bytes unless BODY=8BITMIME or SMTPUTF8 allowed them", () => {
    expect(check(["a\0b\r\n"])).toEqual({ problem: "nul", offset: 1 });
    expect(check(["ok\r\n", "caf\xe9\r\n"])).toEqual({ problem: "eight-bit", offset: 7 });
    expect(check(["ok\r\n", "caf\xe9\r\n"], true)).toBeNull();
    expect(check(["a\0b\r\n"], true)).toEqual({ problem: "nul", offset: 1 });
  });

  it("reports the first problem only", () => {
    expect(check(["\xe9\0\n"])).toEqual({ problem: "eight-bit", offset: 0 });
  });
});

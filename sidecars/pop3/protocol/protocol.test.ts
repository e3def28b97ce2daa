// The POP3 protocol part alone: no core, no socket.
import { describe, expect, it } from "vitest";
import { LineReader } from "./line-reader.js";
import { parseCount, parseNumber, parseRequest } from "./request.js";
import { codeForError, DotStuffer, err, ok, TopCutter } from "./response.js";
import { decodePlain } from "../../shared/sasl-plain.js";

/** Feeds `input` split at every position into two chunks and returns each result. */
function everySplit<T>(input: Buffer, run: (chunks: Buffer[]) => T): T[] {
  const out: T[] = [];
  for (let i = 0; i <= input.length; i++) out.push(run([input.subarray(0, i), input.subarray(i)]));
  return out;
}

describe("POP3 protocol: line reader", () => {
  it("splits CRLF and bare-LF lines however the bytes arrive", () => {
    const input = Buffer.from("USER bob\r\nPASS a b\nNOOP\r\n");
    for (const lines of everySplit(input, (chunks) => {
      const r = new LineReader(100);
      return chunks.flatMap((c) => r.push(c));
    }))
      expect(lines).toEqual([
        { kind: "line", text: "USER bob" },
        { kind: "line", text: "PASS a b" },
        { kind: "line", text: "NOOP" },
      ]);
  });

  it("reports an overlong line once, holds none of it, and reads the next line", () => {
    const r = new LineReader(10);
    expect(r.push(Buffer.from("NOOP 1234567"))).toEqual([{ kind: "too-long" }]);
    expect(r.pending).toBe(0);
    expect(r.push(Buffer.from("89".repeat(1000)))).toEqual([]);
    expect(r.pending).toBe(0);
    expect(r.push(Buffer.from("\r\nSTAT\r\n"))).toEqual([{ kind: "line", text: "STAT" }]);
    expect(r.push(Buffer.from("LIST 12345678\r\nNOOP\r\n"))).toEqual([
      { kind: "too-long" },
      { kind: "line", text: "NOOP" },
    ]);
  });
});

describe("POP3 protocol: requests", () => {
  it("parses keywords case-insensitively; PASS keeps spaces; bad names are errors, not throws", () => {
    expect(parseRequest("list 3")).toEqual({ ok: true, command: "LIST", args: ["3"], rest: "3" });
    expect(parseRequest("TOP 1  10")).toMatchObject({ command: "TOP", args: ["1", "10"] });
    expect(parseRequest("PASS  two  spaces ")).toMatchObject({ command: "PASS", args: [" two  spaces "] });
    // A keyword with a digit (RFC 6856); found by the fuzz run, where every UTF8 got "Unknown command".
    expect(parseRequest("utf8")).toEqual({ ok: true, command: "UTF8", args: [], rest: "" });
    for (const bad of ["", "X:Y", "RETRX 1", "\u00ffRETR", "APOP a b", "RE", " STAT", "8TF8", "UT:8"])
      expect(parseRequest(bad).ok).toBe(false);
  });

  it("takes message numbers from 1 and line counts from 0, decimal only", () => {
    expect([
      parseNumber("1"),
      parseNumber("0"),
      parseNumber("-1"),
      parseNumber("1e3"),
      parseNumber(undefined),
    ]).toEqual([1, null, null, null, null]);
    expect([parseCount("0"), parseCount("12"), parseCount("x"), parseCount("9999999999")]).toEqual([
      0,
      12,
      null,
      null,
    ]);
  });

  it("decodes SASL PLAIN and refuses what is not", () => {
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    expect(decodePlain(b64("\0bob\0pw with\0"))).toEqual({
      ok: false,
      reason: "The PLAIN response is malformed.",
    });
    expect(decodePlain(b64("admin\0bob\0pw"))).toEqual({
      ok: true,
      authzid: "admin",
      username: "bob",
      password: "pw",
    });
    expect(decodePlain("not base64!").ok).toBe(false);
    expect(decodePlain(b64("\0\0pw")).ok).toBe(false);
  });
});

describe("POP3 protocol: responses", () => {
  it("formats status lines with RFC 2449 response codes from domain codes", () => {
    expect(ok()).toBe("+OK\r\n");
    expect(err("no", "AUTH")).toBe("-ERR [AUTH] no\r\n");
    expect(
      ["AUTH_FAILED", "ACCOUNT_DISABLED", "RATE_LIMITED", "STORAGE_FULL", "BUS_UNAVAILABLE", "NOT_FOUND"].map(
        codeForError,
      ),
    ).toEqual(["AUTH", "SYS/PERM", "SYS/TEMP", "SYS/TEMP", "SYS/TEMP", "SYS/PERM"]);
  });

  it("byte-stuffs lines starting with '.' wherever the chunks split, and terminates after a line break", () => {
    const body = Buffer.from(".a\r\nb\r\n.\r\n..c\r\nd.\r\n.");
    const want = "..a\r\nb\r\n..\r\n...c\r\nd.\r\n..\r\n.\r\n";
    for (const got of everySplit(body, (chunks) => {
      const s = new DotStuffer();
      return Buffer.concat([...chunks.map((c) => s.push(c)), s.end()]).toString();
    }))
      expect(got).toBe(want);
    const s = new DotStuffer();
    expect(Buffer.concat([s.push(Buffer.from("x\r\n")), s.end()]).toString()).toBe("x\r\n.\r\n");
  });

  it("cuts TOP at the header plus n body lines wherever the chunks split (CRLF or LF)", () => {
    const message = Buffer.from("A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n");
    const cut = (n: number, chunks: Buffer[]) => {
      const c = new TopCutter(n);
      const out: Buffer[] = [];
      for (const chunk of chunks) {
        if (c.done) break;
        out.push(c.push(chunk));
      }
      return Buffer.concat(out).toString();
    };
    for (const [n, want] of [
      [0, "A: 1\r\nB: 2\r\n\r\n"],
      [2, "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n"],
      [9, message.toString()],
    ] as const)
      for (const got of everySplit(message, (chunks) => cut(n, chunks))) expect(got).toBe(want);
    expect(cut(1, [Buffer.from("A: 1\n\nx\ny\n")])).toBe("A: 1\n\nx\n");
    expect(cut(1, [Buffer.from("A: 1\r\nno body")])).toBe("A: 1\r\nno body");
  });
});

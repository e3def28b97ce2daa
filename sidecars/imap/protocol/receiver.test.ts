import { describe, expect, it } from "vitest";
import { DEFAULT_IMAP_LIMITS } from "./limits.js";
import { Receiver, type Received } from "./receiver.js";

const limits = { ...DEFAULT_IMAP_LIMITS, maxLineBytes: 64, maxLiteralBytes: 16, maxAppendBytes: 32 };
const text = (items: Received[]) =>
  items.map((i) => (i.kind === "command" ? i.bytes.toString("latin1") : i.kind === "continue" ? "+" : i));

describe("Receiver", () => {
  it("splits lines on CRLF or a bare LF, across chunk boundaries", () => {
    const r = new Receiver(limits);
    expect(text(r.push(Buffer.from("a1 NOOP\r\na2 NO")))).toEqual(["a1 NOOP\r\n"]);
    expect(text(r.push(Buffer.from("OP\na3")))).toEqual(["a2 NOOP\n"]);
    expect(text(r.push(Buffer.from(" NOOP\r")))).toEqual([]);
    expect(text(r.push(Buffer.from("\n")))).toEqual(["a3 NOOP\r\n"]);
  });

  it("a synchronising literal asks for '+' and joins its bytes and the rest of the command", () => {
    const r = new Receiver(limits);
    expect(text(r.push(Buffer.from("a1 LOGIN {5}\r\n")))).toEqual(["+"]);
    expect(text(r.push(Buffer.from("al\r\nc {3}\n")))).toEqual(["+"]);
    expect(text(r.push(Buffer.from("pw!\r\n")))).toEqual(["a1 LOGIN {5}\r\nal\r\nc {3}\npw!\r\n"]);
  });

  it("a LITERAL+ literal asks for nothing; a literal may hold CRLF and '{9}'", () => {
    const r = new Receiver(limits);
    expect(text(r.push(Buffer.from("a1 X {6+}\r\n{9}\r\n\r\na2 NOOP\r\n")))).toEqual([
      "a1 X {6+}\r\n{9}\r\n\r\n",
      "a2 NOOP\r\n",
    ]);
  });

  it("an over-cap synchronising literal is refused at once (NO [TOOBIG] for APPEND, BAD otherwise)", () => {
    const r = new Receiver(limits);
    expect(r.push(Buffer.from("a1 APPEND INBOX {33}\r\na2 LOGIN {17}\r\na3 NOOP\r\n"))).toEqual([
      {
        kind: "refused",
        tag: "a1",
        status: "NO",
        code: "TOOBIG",
        text: "The message is 33 octets; this server takes at most 32.",
      },
      {
        kind: "refused",
        tag: "a2",
        status: "BAD",
        code: undefined,
        text: "Literal of 17 octets is too large (at most 16).",
      },
      { kind: "command", bytes: Buffer.from("a3 NOOP\r\n") },
    ]);
  });

  it("an over-cap LITERAL+ literal is read and dropped without being held, with the rest of its command", () => {
    const r = new Receiver(limits);
    expect(r.push(Buffer.from("a1 LOGIN {1000000+}\r\n"))).toEqual([]);
    for (let i = 0; i < 100; i++) {
      expect(r.push(Buffer.alloc(10_000, 0x78))).toEqual([]);
      expect(r.held()).toBe(0);
    }
    expect(text(r.push(Buffer.from(" {2+}\r\nab\r\na2 NOOP\r\n")))).toEqual([
      {
        kind: "refused",
        tag: "a1",
        status: "BAD",
        code: undefined,
        text: "Literal of 1000000 octets is too large (at most 16).",
      },
      "a2 NOOP\r\n",
    ]);
  });

  it("the literals of one command count together against the cap", () => {
    const r = new Receiver(limits);
    expect(text(r.push(Buffer.from("a1 LOGIN {10+}\r\n0123456789 {10+}\r\n0123456789\r\n")))).toEqual([
      {
        kind: "refused",
        tag: "a1",
        status: "BAD",
        code: undefined,
        text: "Literal of 10 octets is too large (at most 16).",
      },
    ]);
  });

  it("a line over maxLineBytes is answered BAD once its end comes, holding at most a line", () => {
    const r = new Receiver(limits);
    expect(r.push(Buffer.from(`a1 LOGIN ${"x".repeat(100)}`))).toEqual([]);
    expect(r.held()).toBe(0);
    expect(r.push(Buffer.from(`${"y".repeat(100)}`))).toEqual([]);
    expect(text(r.push(Buffer.from(" z\r\na2 NOOP\r\n")))).toEqual([
      { kind: "refused", tag: "a1", status: "BAD", text: "Command line too long (at most 64 octets)." },
      "a2 NOOP\r\n",
    ]);
  });

  it("a bad tag in a refused command is answered with *", () => {
    const r = new Receiver(limits);
    expect(r.push(Buffer.from(`a+ LOGIN {99}\r\n`))).toEqual([
      {
        kind: "refused",
        tag: null,
        status: "BAD",
        code: undefined,
        text: "Literal of 99 octets is too large (at most 16).",
      },
    ]);
  });

  it("a literal8 (~{n}, RFC 3516) asks for '+'; ~{n+} does not; both hold NUL and CRLF", () => {
    const r = new Receiver(limits);
    expect(text(r.push(Buffer.from("a1 APPEND INBOX UTF8 (~{4}\r\n")))).toEqual(["+"]);
    expect(text(r.push(Buffer.from("a\0\r\n)\r\na2 APPEND INBOX UTF8 (~{3+}\r\nb\0c)\r\n")))).toEqual([
      "a1 APPEND INBOX UTF8 (~{4}\r\na\0\r\n)\r\n",
      "a2 APPEND INBOX UTF8 (~{3+}\r\nb\0c)\r\n",
    ]);
  });

  it("an over-cap literal8 is refused like a literal: APPEND's cap is maxAppendBytes, others' maxLiteralBytes", () => {
    const r = new Receiver(limits);
    expect(text(r.push(Buffer.from("a1 APPEND INBOX UTF8 (~{32}\r\n")))).toEqual(["+"]);
    r.push(Buffer.alloc(32, 0x61));
    expect(text(r.push(Buffer.from(")\r\n")))).toEqual([
      `a1 APPEND INBOX UTF8 (~{32}\r\n${"a".repeat(32)})\r\n`,
    ]);
    expect(r.push(Buffer.from("a2 APPEND INBOX UTF8 (~{33}\r\na3 X ~{17}\r\n"))).toEqual([
      {
        kind: "refused",
        tag: "a2",
        status: "NO",
        code: "TOOBIG",
        text: "The message is 33 octets; this server takes at most 32.",
      },
      {
        kind: "refused",
        tag: "a3",
        status: "BAD",
        code: undefined,
        text: "Literal of 17 octets is too large (at most 16).",
      },
    ]);
    expect(r.push(Buffer.from("a4 APPEND INBOX UTF8 (~{40+}\r\n"))).toEqual([]);
    expect(r.push(Buffer.alloc(40, 0x62))).toEqual([]);
    expect(r.held()).toBe(0);
    expect(text(r.push(Buffer.from(")\r\n")))).toEqual([
      {
        kind: "refused",
        tag: "a4",
        status: "NO",
        code: "TOOBIG",
        text: "The message is 40 octets; this server takes at most 32.",
      },
    ]);
  });

  it("reset() forgets what was read ahead", () => {
    const r = new Receiver(limits);
    r.push(Buffer.from("a1 LOGIN {5}\r\nab"));
    r.reset();
    expect(text(r.push(Buffer.from("a2 NOOP\r\n")))).toEqual(["a2 NOOP\r\n"]);
  });
});

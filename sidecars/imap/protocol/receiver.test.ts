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

  it("reset() forgets what was read ahead", () => {
    const r = new Receiver(limits);
    r.push(Buffer.from("a1 LOGIN {5}\r\nab"));
    r.reset();
    expect(text(r.push(Buffer.from("a2 NOOP\r\n")))).toEqual(["a2 NOOP\r\n"]);
  });
});

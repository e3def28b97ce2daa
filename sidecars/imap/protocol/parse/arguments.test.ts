import { describe, expect, it } from "vitest";
import type { ImapRequest } from "../request.js";
import { BadRequest, parseRequest } from "./arguments.js";

const parse = (text: string | Buffer) =>
  parseRequest(Buffer.isBuffer(text) ? text : Buffer.from(`${text}\r\n`));
const str = (s: string, literal = false) => ({ type: "string", value: Buffer.from(s), literal });
const atom = (value: string) => ({ type: "atom", value });

function bad(text: string | Buffer): { tag: string | null; message: string } {
  try {
    parse(text);
  } catch (e) {
    if (e instanceof BadRequest) return { tag: e.tag, message: e.message };
    throw e;
  }
  throw new Error(`parsed: ${String(text)}`);
}

describe("parseRequest", () => {
  it("reads tag, upper-cased command and atoms; UID commands are named with both words", () => {
    expect(parse("a1 noop")).toEqual<ImapRequest>({ tag: "a1", command: "NOOP", args: [] });
    expect(parse("x.y] uid fetch 1:* FLAGS")).toEqual({
      tag: "x.y]",
      command: "UID FETCH",
      args: [atom("1:*"), atom("FLAGS")],
    });
    expect(parse('a LIST "" %')).toEqual({ tag: "a", command: "LIST", args: [str(""), atom("%")] });
  });

  it("accepts a bare LF as the line end", () => {
    expect(parseRequest(Buffer.from("a1 NOOP\n"))).toEqual({ tag: "a1", command: "NOOP", args: [] });
  });

  it('quoted strings unescape \\" and \\\\ and keep 8-bit UTF-8 bytes', () => {
    expect(parse('a LOGIN "a \\"b\\" \\\\c" "pässword"').args).toEqual([str('a "b" \\c'), str("pässword")]);
  });

  it("8-bit bytes in a quoted string must be UTF-8 (RFC 6855 §3); a literal may hold any", () => {
    const latin1 = Buffer.from('a LOGIN "p\xe4ss" {3+}\r\np\xe4s\r\n', "latin1");
    expect(bad(latin1)).toEqual({
      tag: "a",
      message: 'A quoted string\'s 8-bit bytes must be UTF-8 (RFC 6855), not "p\\xe4ss".',
    });
    const literal = Buffer.from('a LOGIN "p\xc3\xa4ss" {3+}\r\np\xe4s\r\n', "latin1");
    expect(parse(literal).args).toEqual([
      str("päss"),
      { ...str(""), value: Buffer.from("p\xe4s", "latin1"), literal: true },
    ]);
  });

  it("literals (synchronising and LITERAL+) keep their bytes, CRLF and NUL included", () => {
    const bytes = Buffer.from("a LOGIN {5}\r\nal\r\nc {4+}\r\np\0w!\r\n");
    expect(parse(bytes).args).toEqual([str("al\r\nc", true), str("p\0w!", true)]);
    expect(parse(Buffer.from("a X {0}\r\n\r\n")).args).toEqual([str("", true)]);
  });

  it("a literal8 (~{n} or ~{n+}) is a string marked literal8, in APPEND only", () => {
    const bytes = Buffer.from("a APPEND INBOX UTF8 (~{4}\r\nG\0\xc3\xbc) ~{0+}\r\n\r\n", "latin1");
    expect(parse(bytes).args).toEqual([
      atom("INBOX"),
      atom("UTF8"),
      { type: "list", items: [{ ...str("G\0ü", true), literal8: true }] },
      { ...str("", true), literal8: true },
    ]);
    expect(bad("a LOGIN ~{3+}\r\nabc x")).toEqual({
      tag: "a",
      message: 'A literal8 "~{3+}" is only allowed in APPEND\'s UTF8 (...), not in LOGIN.',
    });
  });

  it("nested lists and flags", () => {
    expect(parse("a STORE 1 +FLAGS (\\Seen \\Flagged $Junk)").args).toEqual([
      atom("1"),
      atom("+FLAGS"),
      { type: "list", items: [atom("\\Seen"), atom("\\Flagged"), atom("$Junk")] },
    ]);
    expect(parse("a X (() (a (b)))").args).toEqual([
      {
        type: "list",
        items: [
          { type: "list", items: [] },
          { type: "list", items: [atom("a"), { type: "list", items: [atom("b")] }] },
        ],
      },
    ]);
  });

  it("BODY[section]<partial> is one atom with its section and partial", () => {
    expect(
      parse('a FETCH 1 (BODY.PEEK[HEADER.FIELDS (DATE "FROM")]<0.100> BODY[] BODY[1.2.MIME]<5>)').args[1],
    ).toEqual({
      type: "list",
      items: [
        {
          type: "atom",
          value: "BODY.PEEK",
          section: [atom("HEADER.FIELDS"), { type: "list", items: [atom("DATE"), str("FROM")] }],
          partial: { offset: 0, length: 100 },
        },
        { type: "atom", value: "BODY", section: [] },
        { type: "atom", value: "BODY", section: [atom("1.2.MIME")], partial: { offset: 5, length: null } },
      ],
    });
  });

  it("a [ after any other atom is part of it (a mailbox named a[b])", () => {
    expect(parse("a SELECT a[b]").args).toEqual([atom("a[b]")]);
  });

  it("rejects bad tags with no tag to answer (* BAD)", () => {
    for (const tag of ["+a", "a*", "(a", 'a"', "a{", "a%", "a\\"]) expect(bad(`${tag} NOOP`).tag).toBeNull();
    expect(bad(" NOOP")).toEqual({
      tag: null,
      message:
        'The line starts with an empty tag; a tag is letters, digits or punctuation other than ( ) { % * " \\ +.',
    });
    expect(bad(Buffer.from("\r\n")).message).toBe("Empty command line.");
    expect(bad(Buffer.from("a\x80 NOOP\r\n")).tag).toBeNull();
  });

  it("rejects malformed arguments with the tag (tag BAD) and a message quoting the bad part", () => {
    expect(bad("a1")).toEqual({ tag: "a1", message: "A command name must follow the tag." });
    expect(bad("a1 UID")).toEqual({ tag: "a1", message: expect.stringMatching(/^UID must be followed by/) });
    expect(bad("a1 X (a b")).toEqual({ tag: "a1", message: "Unbalanced parentheses: a list is not closed." });
    expect(bad("a1 X a)")).toEqual({ tag: "a1", message: "Unbalanced parentheses: a ) closes no list." });
    expect(bad("a1 X BODY[1")).toEqual({
      tag: "a1",
      message: "Unbalanced brackets: a section is not closed.",
    });
    expect(bad('a1 X "abc')).toEqual({ tag: "a1", message: "A quoted string is not closed." });
    expect(bad('a1 X "a\\nb"')).toEqual({
      tag: "a1",
      message: 'In a quoted string a backslash may only escape " or \\.',
    });
    expect(bad("a1 X  b")).toEqual({
      tag: "a1",
      message: "Two spaces in a row, or a space where an argument should be.",
    });
    expect(bad("a1 X b ")).toEqual({ tag: "a1", message: "An argument is missing." });
    expect(bad(Buffer.from("a1 X a\0b\r\n"))).toEqual({
      tag: "a1",
      message: "NUL is not allowed outside a literal.",
    });
    expect(bad(Buffer.from("a1 X caf\xc3\xa9\r\n", "latin1"))).toEqual({
      tag: "a1",
      message: "8-bit bytes are only allowed in quoted strings and literals.",
    });
    expect(bad("a1 X {5}x")).toEqual({ tag: "a1", message: "A literal's size must end the line." });
    expect(bad("a1 X {x}")).toEqual({ tag: "a1", message: 'Malformed literal "{x}".' });
    expect(bad(Buffer.from("a1 X {9}\r\nabc\r\n"))).toEqual({
      tag: "a1",
      message: "The literal is shorter than the 9 octets it announced.",
    });
    expect(bad("a1 FETCH 1 BODY[]<1.0>")).toEqual({ tag: "a1", message: "Partial <1.0> is out of range." });
    expect(bad("a1 FETCH 1 BODY[]<x>")).toEqual({
      tag: "a1",
      message: 'Malformed partial "<x>"; expected <offset> or <offset.length>.',
    });
    expect(bad("a1 FETCH 1 BODY[]x")).toEqual({
      tag: "a1",
      message: 'Unexpected character "x" after "BODY[]".',
    });
  });

  it("bounds list nesting", () => {
    expect(bad(`a1 X ${"(".repeat(100)}${")".repeat(100)}`).message).toBe("Lists nested deeper than 64.");
  });

  it("never throws anything but BadRequest on random bytes", () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const alphabet = Buffer.from('a1 ()[]<>{}"\\*%+.:0123456789\r\n\0\x80BODYUID');
    for (let i = 0; i < 20_000; i++) {
      const n = Math.floor(rand() * 40);
      const bytes = Buffer.alloc(n);
      for (let j = 0; j < n; j++) bytes[j] = alphabet[Math.floor(rand() * alphabet.length)];
      try {
        parseRequest(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(BadRequest);
      }
    }
  });
});

import { describe, expect, it } from "vitest";
import { BadArguments, type ImapArg } from "../request.js";
import { parseFetch, type FetchParseOptions } from "./fetch.js";

const a = (value: string, extra: Partial<Extract<ImapArg, { type: "atom" }>> = {}): ImapArg => ({
  type: "atom",
  value,
  ...extra,
});
const list = (...items: ImapArg[]): ImapArg => ({ type: "list", items });
const str = (text: string): ImapArg => ({ type: "string", value: Buffer.from(text), literal: false });
const body = (name: string, section: ImapArg[], partial?: { offset: number; length: number | null }) =>
  a(name, { section, ...(partial ? { partial } : {}) });

const FETCH: FetchParseOptions = { byUid: false, qresync: false };
const UID_QRESYNC: FetchParseOptions = { byUid: true, qresync: true };

const kinds = (args: ImapArg[], options = FETCH) =>
  parseFetch(args, options).items.map((i) => (i.kind === "body-section" ? i.responseName : i.kind));

function bad(args: ImapArg[], pattern: RegExp, options = FETCH): void {
  expect(() => parseFetch(args, options)).toThrow(BadArguments);
  expect(() => parseFetch(args, options)).toThrow(pattern);
}

describe("FETCH arguments", () => {
  it("expands the macros ALL, FAST and FULL", () => {
    expect(kinds([a("1:*"), a("all")])).toEqual(["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"]);
    expect(kinds([a("1"), a("FAST")])).toEqual(["FLAGS", "INTERNALDATE", "RFC822.SIZE"]);
    expect(kinds([a("1"), a("FULL")])).toEqual(["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"]);
  });

  it("takes one item alone or a list of them, without repeats", () => {
    expect(kinds([a("1"), a("uid")])).toEqual(["UID"]);
    expect(
      kinds([
        a("1"),
        list(
          a("FLAGS"),
          a("BODYSTRUCTURE"),
          a("ENVELOPE"),
          a("RFC822.SIZE"),
          a("INTERNALDATE"),
          a("MODSEQ"),
          a("FLAGS"),
        ),
      ]),
    ).toEqual(["FLAGS", "BODYSTRUCTURE", "ENVELOPE", "RFC822.SIZE", "INTERNALDATE", "MODSEQ"]);
  });

  it("maps RFC822, RFC822.HEADER and RFC822.TEXT onto sections, with their own names and \\Seen rules", () => {
    const items = parseFetch([a("1"), list(a("RFC822"), a("RFC822.HEADER"), a("RFC822.TEXT"))], FETCH).items;
    expect(items).toEqual([
      {
        kind: "body-section",
        section: { part: [], text: "", fields: [] },
        partial: null,
        setsSeen: true,
        responseName: "RFC822",
      },
      {
        kind: "body-section",
        section: { part: [], text: "HEADER", fields: [] },
        partial: null,
        setsSeen: false,
        responseName: "RFC822.HEADER",
      },
      {
        kind: "body-section",
        section: { part: [], text: "TEXT", fields: [] },
        partial: null,
        setsSeen: true,
        responseName: "RFC822.TEXT",
      },
    ]);
  });

  it("reads every section form and echoes it the way the response names it", () => {
    expect(kinds([a("1"), body("BODY", [])])).toEqual(["BODY[]"]);
    expect(kinds([a("1"), body("body.peek", [a("header")])])).toEqual(["BODY[HEADER]"]);
    expect(kinds([a("1"), body("BODY", [a("TEXT")])])).toEqual(["BODY[TEXT]"]);
    expect(kinds([a("1"), body("BODY", [a("1.2.3")])])).toEqual(["BODY[1.2.3]"]);
    expect(kinds([a("1"), body("BODY", [a("2.MIME")])])).toEqual(["BODY[2.MIME]"]);
    expect(kinds([a("1"), body("BODY", [a("3.1.header")])])).toEqual(["BODY[3.1.HEADER]"]);
    expect(kinds([a("1"), body("BODY", [a("3.TEXT")])])).toEqual(["BODY[3.TEXT]"]);
    expect(kinds([a("1"), body("BODY.PEEK", [a("HEADER.FIELDS"), list(a("From"), str("Subject"))])])).toEqual(
      ["BODY[HEADER.FIELDS (FROM SUBJECT)]"],
    );
    expect(kinds([a("1"), body("BODY", [a("2.HEADER.FIELDS.NOT"), list(a("x-spam"))])])).toEqual([
      "BODY[2.HEADER.FIELDS.NOT (X-SPAM)]",
    ]);
    const fields = parseFetch([a("1"), body("BODY", [a("HEADER.FIELDS"), list(a("From"), str("To"))])], FETCH)
      .items[0];
    expect(fields).toMatchObject({ section: { part: [], text: "HEADER.FIELDS", fields: ["From", "To"] } });
  });

  it("keeps <offset.length> and names the answer by its offset only", () => {
    const [item] = parseFetch(
      [a("1"), body("BODY.PEEK", [a("1")], { offset: 10, length: 200 })],
      FETCH,
    ).items;
    expect(item).toMatchObject({
      partial: { offset: 10, length: 200 },
      setsSeen: false,
      responseName: "BODY[1]<10>",
    });
  });

  it("sets \\Seen for BODY[...] but not BODY.PEEK[...]; both of one section are answered once, with \\Seen", () => {
    expect(parseFetch([a("1"), body("BODY.PEEK", [])], FETCH).items[0]).toMatchObject({ setsSeen: false });
    expect(parseFetch([a("1"), body("BODY", [])], FETCH).items[0]).toMatchObject({ setsSeen: true });
    const both = parseFetch([a("1"), list(body("BODY.PEEK", []), body("BODY", []))], FETCH).items;
    expect(both).toHaveLength(1);
    expect(both[0]).toMatchObject({ setsSeen: true, responseName: "BODY[]" });
  });

  it("reads CHANGEDSINCE, and VANISHED only in UID FETCH with QRESYNC enabled", () => {
    expect(parseFetch([a("1:*"), a("FLAGS"), list(a("CHANGEDSINCE"), a("12345"))], FETCH)).toMatchObject({
      changedSince: 12345,
      vanished: false,
    });
    expect(parseFetch([a("1:*"), a("FLAGS"), list(a("changedsince"), a("0"))], FETCH).changedSince).toBe(0);
    expect(
      parseFetch([a("1:*"), a("FLAGS"), list(a("VANISHED"), a("CHANGEDSINCE"), a("7"))], UID_QRESYNC),
    ).toMatchObject({ changedSince: 7, vanished: true });
    expect(parseFetch([a("1"), a("FLAGS")], FETCH)).toMatchObject({ changedSince: null, vanished: false });
  });

  it("answers BAD, quoting the item, for what the grammar does not allow", () => {
    bad([a("1"), a("FLAG")], /"FLAG"/);
    bad([a("1"), list(a("FLAGS"), a("BODY.PEK", { section: [] }))], /"BODY.PEK\[\.\.\.\]"/);
    bad([a("1"), list(a("FLAGS"), a("ALL"))], /macro ALL/);
    bad([a("1"), list()], /at least one item/);
    bad([a("1"), list(str("FLAGS"))], /"FLAGS"/);
    bad([a("1"), body("BODY", [a("0")])], /"0"/);
    bad([a("1"), body("BODY", [a("1.")])], /"1\."/);
    bad([a("1"), body("BODY", [a("MIME")])], /"MIME"/);
    bad([a("1"), body("BODY", [a("1.FOO")])], /"1\.FOO"/);
    bad([a("1"), body("BODY", [a("HEADER.FIELDS")])], /field names/);
    bad([a("1"), body("BODY", [a("HEADER.FIELDS"), list()])], /at least one header field/);
    bad([a("1"), body("BODY", [a("HEADER.FIELDS"), list(a("Bad:Name"))])], /"Bad:Name"/);
    bad([a("1"), body("BODY", [a("TEXT"), a("x")])], /no further/);
    bad([a("1"), body("BODY", [], { offset: 5, length: null })], /<5>/);
    bad([a("1"), body("BODY", [], { offset: 5, length: 0 })], /<5\.0>/);
    bad([a("1"), body("FLAGS", [])], /only BODY and BODY.PEEK/);
    bad([a("x"), a("FLAGS")], /"x"/);
    bad([a("1")], /sequence set and the items/);
  });

  it("answers BAD for a bad modifier list", () => {
    bad([a("1"), a("FLAGS"), list(a("CHANGEDSINCE"))], /CHANGEDSINCE mod-sequence/);
    bad([a("1"), a("FLAGS"), list(a("CHANGEDSINCE"), a("-1"))], /"-1"/);
    bad([a("1"), a("FLAGS"), list(a("FOO"))], /"FOO"/);
    bad([a("1"), a("FLAGS"), list(a("CHANGEDSINCE"), a("1"), a("VANISHED"))], /UID FETCH only/);
    bad([a("1"), a("FLAGS"), list(a("CHANGEDSINCE"), a("1"), a("VANISHED"))], /QRESYNC/, {
      byUid: true,
      qresync: false,
    });
    bad([a("1"), a("FLAGS"), list(a("VANISHED"))], /needs CHANGEDSINCE/, UID_QRESYNC);
    bad([a("1"), a("FLAGS"), list()], /empty/);
  });
});

import { describe, expect, it } from "vitest";
import { BadArguments, type ImapArg } from "../request.js";
import { parseSelectArguments } from "./select.js";
import { parseStoreArguments } from "./store.js";

const a = (value: string): ImapArg => ({ type: "atom", value });
const s = (value: string): ImapArg => ({ type: "string", value: Buffer.from(value), literal: false });
const l = (...items: ImapArg[]): ImapArg => ({ type: "list", items });
const select = (...args: ImapArg[]) => parseSelectArguments(args, false);
const store = (...args: ImapArg[]) => parseStoreArguments(args);

describe("SELECT / EXAMINE arguments", () => {
  it("reads a mailbox (modified UTF-7) and the CONDSTORE parameter", () => {
    expect(select(a("INBOX"))).toEqual({ mailbox: "INBOX", condstore: false, qresync: null });
    expect(select(s("Entw&APw-rfe"), l(a("condstore")))).toMatchObject({
      mailbox: "Entwürfe",
      condstore: true,
    });
  });

  it("reads QRESYNC with and without known UIDs and sequence match data", () => {
    expect(select(a("INBOX"), l(a("QRESYNC"), l(a("67890007"), a("9006011519404500")))).qresync).toEqual({
      uidValidity: 67890007,
      modseq: 9006011519404500,
      knownUids: null,
      seqMatch: null,
    });
    const q = select(a("INBOX"), l(a("QRESYNC"), l(a("5"), a("20"), a("1:10,12"), l(a("1,5"), a("1,7")))));
    expect(q.qresync).toMatchObject({
      knownUids: [
        { from: 1, to: 10 },
        { from: 12, to: 12 },
      ],
      seqMatch: {
        seqs: [
          { from: 1, to: 1 },
          { from: 5, to: 5 },
        ],
        uids: [
          { from: 1, to: 1 },
          { from: 7, to: 7 },
        ],
      },
    });
    expect(
      select(a("INBOX"), l(a("QRESYNC"), l(a("5"), a("20"), l(a("1"), a("3"))))).qresync?.seqMatch,
    ).toEqual({
      seqs: [{ from: 1, to: 1 }],
      uids: [{ from: 3, to: 3 }],
    });
  });

  it("refuses unknown parameters, bad QRESYNC values and * in known UIDs", () => {
    const bad = [
      [a("INBOX"), l(a("FOO"))],
      [a("INBOX"), l(a("QRESYNC"))],
      [a("INBOX"), l(a("QRESYNC"), l(a("0"), a("1")))],
      [a("INBOX"), l(a("QRESYNC"), l(a("1")))],
      [a("INBOX"), l(a("QRESYNC"), l(a("1"), a("x")))],
      [a("INBOX"), l(a("QRESYNC"), l(a("1"), a("2"), a("1:*")))],
      [a("INBOX"), a("extra"), a("more")],
      [],
    ];
    for (const args of bad) expect(() => select(...args), JSON.stringify(args)).toThrow(BadArguments);
  });
});

describe("STORE arguments", () => {
  it("reads FLAGS, +FLAGS.SILENT and -FLAGS with a list or bare flags, system flags in their spelling", () => {
    expect(store(a("1:*"), a("+FLAGS"), l(a("\\seen"), a("$Label")))).toEqual({
      set: [{ from: 1, to: null }],
      unchangedSince: null,
      op: "add",
      silent: false,
      flags: ["\\Seen", "$Label"],
    });
    expect(store(a("2"), a("-flags.silent"), a("\\Deleted"), a("\\Flagged"))).toMatchObject({
      op: "remove",
      silent: true,
      flags: ["\\Deleted", "\\Flagged"],
    });
    expect(store(a("3"), a("FLAGS"), l())).toMatchObject({ op: "set", flags: [] });
  });

  it("reads UNCHANGEDSINCE", () => {
    expect(
      store(a("7,9"), l(a("UNCHANGEDSINCE"), a("12345")), a("FLAGS.SILENT"), l(a("\\Deleted"))),
    ).toMatchObject({
      unchangedSince: 12345,
      silent: true,
    });
  });

  it("refuses \\Recent, unknown system flags, unknown items and modifiers, and a missing flag list", () => {
    const bad = [
      [a("1"), a("+FLAGS"), l(a("\\Recent"))],
      [a("1"), a("+FLAGS"), l(a("\\Important"))],
      [a("1"), a("XFLAGS"), l(a("\\Seen"))],
      [a("1"), l(a("CHANGEDSINCE"), a("1")), a("FLAGS"), l()],
      [a("1"), l(a("UNCHANGEDSINCE"), a("-1")), a("FLAGS"), l()],
      [a("1"), a("FLAGS")],
      [a("0"), a("FLAGS"), l()],
      [s("1"), a("FLAGS"), l()],
    ];
    for (const args of bad) expect(() => store(...args), JSON.stringify(args)).toThrow(BadArguments);
  });
});

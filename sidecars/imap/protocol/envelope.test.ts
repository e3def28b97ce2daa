import { describe, expect, it } from "vitest";
import type { BodyStructure, Envelope, SinglePartBody } from "../../../src/core/index.js";
import { formatBodyStructure } from "./body-structure.js";
import { formatEnvelope } from "./envelope.js";
import { formatInternalDate, fetchResponsePieces } from "./fetch-response.js";

const envelope: Envelope = {
  date: "Mon, 7 Feb 1994 21:52:25 -0800",
  subject: '=?utf-8?q?caf=C3=A9?= "quoted"',
  from: [{ name: "Fred Foobar", adl: null, mailbox: "foobar", host: "blurdybloop.example" }],
  sender: [{ name: "Fred Foobar", adl: null, mailbox: "foobar", host: "blurdybloop.example" }],
  replyTo: null,
  to: [
    { name: null, adl: null, mailbox: "friends", host: null },
    { name: null, adl: null, mailbox: "a", host: "x.example" },
    { name: null, adl: null, mailbox: null, host: null },
  ],
  cc: [],
  bcc: null,
  inReplyTo: null,
  messageId: "<B27397-0100000@example.com>",
};

describe("ENVELOPE", () => {
  it("writes the ten fields in RFC 3501 order, NIL for missing ones, groups as start, members, end", () => {
    expect(formatEnvelope(envelope).toString()).toBe(
      '("Mon, 7 Feb 1994 21:52:25 -0800" "=?utf-8?q?caf=C3=A9?= \\"quoted\\"" ' +
        '(("Fred Foobar" NIL "foobar" "blurdybloop.example")) (("Fred Foobar" NIL "foobar" "blurdybloop.example")) ' +
        'NIL ((NIL NIL "friends" NIL)(NIL NIL "a" "x.example")(NIL NIL NIL NIL))' +
        ' NIL NIL NIL "<B27397-0100000@example.com>")',
    );
  });

  it("sends 8-bit header text as a literal unless UTF8=ACCEPT is on", () => {
    const e = { ...envelope, subject: "café", from: null, sender: null, to: null };
    expect(formatEnvelope(e).toString()).toContain("{5}\r\ncafé");
    expect(formatEnvelope(e, { utf8: true }).toString()).toContain('"café"');
  });
});

const text = (subtype: string, size: number, lines: number): SinglePartBody => ({
  multipart: false,
  type: "text",
  subtype,
  params: [{ name: "charset", value: "us-ascii" }],
  id: null,
  description: null,
  encoding: "7bit",
  size,
  lines,
  md5: null,
  disposition: null,
  language: null,
  location: null,
});

describe("BODYSTRUCTURE and BODY", () => {
  const structure: BodyStructure = {
    multipart: true,
    subtype: "mixed",
    params: [{ name: "boundary", value: "b1" }],
    disposition: null,
    language: null,
    location: null,
    parts: [
      {
        multipart: true,
        subtype: "alternative",
        params: [{ name: "boundary", value: "b2" }],
        disposition: null,
        language: ["en", "fr"],
        location: null,
        parts: [text("plain", 10, 1), text("html", 20, 2)],
      },
      {
        multipart: false,
        type: "message",
        subtype: "rfc822",
        params: null,
        id: "<id@x>",
        description: "fwd",
        encoding: "7bit",
        size: 300,
        envelope: { ...envelope, from: null, sender: null, to: null, cc: null, subject: null, date: null },
        body: text("plain", 5, 1),
        lines: 9,
        md5: null,
        disposition: { type: "attachment", params: [{ name: "filename", value: "a.eml" }] },
        language: ["en"],
        location: "http://x/",
      },
    ],
  };
  const nilEnvelope = "NIL ".repeat(9) + '"<B27397-0100000@example.com>"';

  it("writes a multipart's parts with no space between them, then the subtype and the extension data", () => {
    expect(formatBodyStructure(structure, { extensible: true }).toString()).toBe(
      "(" +
        '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 1 NIL NIL NIL NIL)' +
        '("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 20 2 NIL NIL NIL NIL)' +
        ' "alternative" ("boundary" "b2") NIL ("en" "fr") NIL)' +
        '("message" "rfc822" NIL "<id@x>" "fwd" "7bit" 300 (' +
        nilEnvelope +
        ') ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 1 NIL NIL NIL NIL) 9' +
        ' NIL ("attachment" ("filename" "a.eml")) "en" "http://x/")' +
        ' "mixed" ("boundary" "b1") NIL NIL NIL)',
    );
  });

  it("writes BODY without any extension data, at every depth", () => {
    expect(formatBodyStructure(structure, { extensible: false }).toString()).toBe(
      "(" +
        '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 1)' +
        '("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 20 2) "alternative")' +
        '("message" "rfc822" NIL "<id@x>" "fwd" "7bit" 300 (' +
        nilEnvelope +
        ') ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 1) 9)' +
        ' "mixed")',
    );
  });

  it("writes a non-text leaf without a line count", () => {
    const leaf: BodyStructure = {
      ...text("x", 4, 0),
      type: "image",
      subtype: "png",
      params: null,
      lines: undefined,
    };
    expect(formatBodyStructure(leaf, { extensible: false }).toString()).toBe(
      '("image" "png" NIL NIL NIL "7bit" 4)',
    );
  });
});

describe("FETCH response pieces", () => {
  it("writes INTERNALDATE as RFC 3501 date-time, the day padded with a space", () => {
    expect(formatInternalDate(new Date(Date.UTC(2026, 0, 5, 3, 4, 5)))).toBe(" 5-Jan-2026 03:04:05 +0000");
    expect(formatInternalDate(new Date(Date.UTC(1999, 11, 31, 23, 59, 59)))).toBe(
      "31-Dec-1999 23:59:59 +0000",
    );
  });

  it("splits a response around its literals and keeps their data for streaming", () => {
    const data = { size: 3, bytes: Buffer.from("abc") };
    const pieces = fetchResponsePieces(7, [
      { name: "UID", value: 42 },
      { name: "BODY[]", literal: data },
      { name: "BODYSTRUCTURE", formatted: Buffer.from("(x)") },
    ]);
    expect(pieces).toEqual([
      Buffer.from("* 7 FETCH (UID 42 BODY[] {3}\r\n"),
      data,
      Buffer.from(" BODYSTRUCTURE (x))\r\n"),
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { resolveSection, selectHeaderFields, type SectionText } from "./section.js";
import { splitMessage } from "./split.js";

const crlf = (text: string): Buffer => Buffer.from(text.replace(/\n/g, "\r\n"), "utf8");

const MIXED = crlf(
  [
    "Subject: top",
    "Content-Type: multipart/mixed; boundary=m",
    "",
    "--m",
    "Content-Type: text/plain",
    "",
    "one",
    "--m",
    "Content-Type: message/rfc822",
    "",
    "Subject: inner",
    "Content-Type: multipart/alternative; boundary=n",
    "",
    "--n",
    "",
    "i1",
    "--n",
    "Content-Type: text/html",
    "",
    "<p>i2</p>",
    "--n--",
    "--m",
    "Content-Type: message/rfc822",
    "",
    "Subject: single",
    "",
    "lone body",
    "--m--",
    "",
  ].join("\n"),
);
const SINGLE = crlf("Subject: single\n\nbody text\n");

function fetch(raw: Buffer, section: string): string | null {
  const match = /^((?:\d+\.)*\d+)?\.?(HEADER|TEXT|MIME)?$/.exec(section)!;
  const part = match[1] ? match[1].split(".").map(Number) : [];
  const range = resolveSection(splitMessage(raw).tree, part, (match[2] ?? "") as SectionText);
  return range ? raw.toString("utf8", range.start, range.end) : null;
}

describe("Mime: IMAP body sections", () => {
  it.each([
    ["", MIXED.toString()],
    ["HEADER", "Subject: top\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n"],
    ["1", "one"],
    ["1.MIME", "Content-Type: text/plain\r\n\r\n"],
    ["2.HEADER", "Subject: inner\r\nContent-Type: multipart/alternative; boundary=n\r\n\r\n"],
    ["2.MIME", "Content-Type: message/rfc822\r\n\r\n"],
    ["2.1", "i1"],
    ["2.2", "<p>i2</p>"],
    ["2.2.MIME", "Content-Type: text/html\r\n\r\n"],
    ["2.TEXT", "--n\r\n\r\ni1\r\n--n\r\nContent-Type: text/html\r\n\r\n<p>i2</p>\r\n--n--"],
    ["3", "Subject: single\r\n\r\nlone body"],
    ["3.1", "lone body"],
    ["3.TEXT", "lone body"],
    ["4", null],
    ["1.1", null],
    ["1.HEADER", null],
    ["3.2", null],
  ])("BODY[%s] of a nested message", (section, expected) => {
    expect(fetch(MIXED, section)).toBe(expected);
  });

  it.each([
    ["TEXT", "body text\r\n"],
    ["1", "body text\r\n"],
    ["1.MIME", "Subject: single\r\n\r\n"],
    ["2", null],
  ])("BODY[%s] of a single-part message", (section, expected) => {
    expect(fetch(SINGLE, section)).toBe(expected);
  });

  it("selects HEADER.FIELDS and HEADER.FIELDS.NOT with folded lines, ending with the blank line", () => {
    const header = crlf("From: a@b.c\nSubject: one\n two\nTo: x@y.z\n\n");
    expect(selectHeaderFields(header, ["subject", "FROM"], false).toString()).toBe(
      "From: a@b.c\r\nSubject: one\r\n two\r\n\r\n",
    );
    expect(selectHeaderFields(header, ["Subject"], true).toString()).toBe("From: a@b.c\r\nTo: x@y.z\r\n\r\n");
    expect(selectHeaderFields(header, ["x-none"], false).toString()).toBe("\r\n");
  });
});

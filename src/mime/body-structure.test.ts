import { describe, expect, it } from "vitest";
import { parseMessage } from "./parse-message.js";

const crlf = (text: string): Buffer => Buffer.from(text.replace(/\n/g, "\r\n"), "utf8");
const structureOf = async (text: string) => (await parseMessage(crlf(text))).imap.bodyStructure;
const NO_EXTENSION = { disposition: null, language: null, location: null };
const plain = (size: number, lines: number, params = [{ name: "charset", value: "us-ascii" }]) => ({
  multipart: false,
  type: "text",
  subtype: "plain",
  params,
  id: null,
  description: null,
  encoding: "7bit",
  size,
  lines,
  md5: null,
  ...NO_EXTENSION,
});

describe("Mime: IMAP BODYSTRUCTURE", () => {
  it("gives a message without Content-Type the default text/plain charset us-ascii", async () => {
    expect(await structureOf("Subject: x\n\nhello\nworld\n")).toEqual(plain(14, 2));
  });

  it("describes multipart/alternative with its parameters", async () => {
    const structure = await structureOf(
      'Content-Type: multipart/alternative; boundary="b"\n\n--b\nContent-Type: text/plain; charset=UTF-8\n\nhi\n--b\nContent-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\n<b>hi</b>\n--b--\n',
    );
    expect(structure).toEqual({
      multipart: true,
      parts: [
        plain(2, 0, [{ name: "charset", value: "UTF-8" }]),
        {
          ...plain(9, 0, [{ name: "charset", value: "UTF-8" }]),
          subtype: "html",
          encoding: "quoted-printable",
        },
      ],
      subtype: "alternative",
      params: [{ name: "boundary", value: "b" }],
      ...NO_EXTENSION,
    });
  });

  it("describes an attachment with disposition, RFC 2231 filename, id, description, md5, language and location", async () => {
    const structure = await structureOf(
      [
        "Content-Type: multipart/mixed; boundary=b",
        "",
        "--b",
        "Content-Type: application/pdf; name*0*=utf-8''%E2%82%AC; name*1*=.pdf",
        "Content-Transfer-Encoding: base64",
        'Content-Disposition: attachment; filename="report.pdf"; size=3',
        "Content-ID: <c1@x>",
        "Content-Description: The report",
        "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==",
        "Content-Language: en, de",
        "Content-Location: http://example.com/r.pdf",
        "",
        "AAAA",
        "--b--",
        "",
      ].join("\n"),
    );
    expect(structure.multipart && structure.parts[0]).toEqual({
      multipart: false,
      type: "application",
      subtype: "pdf",
      params: [{ name: "name*", value: "utf-8''%E2%82%AC.pdf" }],
      id: "<c1@x>",
      description: "The report",
      encoding: "base64",
      size: 4,
      md5: "Q2hlY2sgSW50ZWdyaXR5IQ==",
      disposition: {
        type: "attachment",
        params: [
          { name: "filename", value: "report.pdf" },
          { name: "size", value: "3" },
        ],
      },
      language: ["en", "de"],
      location: "http://example.com/r.pdf",
    });
  });

  it("nests envelope, structure and line count for message/rfc822", async () => {
    const structure = await structureOf(
      "Content-Type: message/rfc822\n\nSubject: inner\nFrom: a@b.c\n\nline1\nline2\n",
    );
    expect(structure).toMatchObject({
      multipart: false,
      type: "message",
      subtype: "rfc822",
      size: 45,
      lines: 5,
      envelope: { subject: "inner", from: [{ name: null, adl: null, mailbox: "a", host: "b.c" }] },
      body: plain(14, 2),
    });
  });

  it("writes one empty text/plain part for a multipart without parts, as Dovecot does", async () => {
    const structure = await structureOf("Content-Type: multipart/mixed; boundary=nowhere\n\njust text\n");
    expect(structure).toMatchObject({ multipart: true, subtype: "mixed", parts: [plain(0, 0)] });
  });

  it("is plain JSON", async () => {
    const parsed = await parseMessage(
      crlf(
        "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\nSubject: x\n\ny\n--b--\n",
      ),
    );
    expect(JSON.parse(JSON.stringify(parsed.imap))).toEqual(parsed.imap);
  });
});

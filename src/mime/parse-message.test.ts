import { describe, expect, it } from "vitest";
import { parseMessage } from "./parse-message.js";

const crlf = (text: string): Buffer => Buffer.from(text.replace(/\n/g, "\r\n"), "utf8");

const NEWSLETTER = crlf(
  [
    "Subject: News",
    "Content-Type: multipart/mixed; boundary=m",
    "",
    "--m",
    "Content-Type: multipart/related; boundary=r",
    "",
    "--r",
    "Content-Type: multipart/alternative; boundary=a",
    "",
    "--a",
    "Content-Type: text/plain; charset=iso-8859-1",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    "Caf=E9   news,",
    "   second line",
    "--a",
    "Content-Type: text/html; charset=utf-8",
    "",
    '<html><head><style>p{}</style></head><body><p>Caf&eacute; <img src="cid:logo@x"></p></body></html>',
    "--a--",
    "--r",
    "Content-Type: image/png",
    "Content-ID: <logo@x>",
    "Content-Transfer-Encoding: base64",
    "",
    "iVBORw0KGgo=",
    "--r--",
    "--m",
    'Content-Type: application/pdf; name="report.pdf"',
    "Content-Disposition: attachment",
    "Content-Transfer-Encoding: base64",
    "",
    "JVBERi0xLjQK",
    "--m--",
    "",
  ].join("\n"),
);

describe("Mime: parseMessage", () => {
  it("lists attachments with part ids, related flag and decoded sizes", async () => {
    const parsed = await parseMessage(NEWSLETTER);
    expect(parsed.attachments).toEqual([
      {
        partId: "1.2",
        filename: null,
        contentType: "image/png",
        disposition: null,
        contentId: "<logo@x>",
        size: 8,
        related: true,
      },
      {
        partId: "2",
        filename: "report.pdf",
        contentType: "application/pdf",
        disposition: "attachment",
        contentId: null,
        size: 9,
        related: false,
      },
    ]);
    expect(parsed.hasAttachments).toBe(true);
  });

  it("does not count the inline images of an HTML body as attachments", async () => {
    const only = crlf(
      "Content-Type: multipart/related; boundary=r\n\n--r\nContent-Type: text/html\n\n<img src=cid:a>\n--r\nContent-Type: image/gif\nContent-ID: <a>\n\nGIF\n--r--\n",
    );
    const parsed = await parseMessage(only);
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.hasAttachments).toBe(false);
  });

  it("takes preview and search text from the plain alternative, charset and transfer decoded", async () => {
    const parsed = await parseMessage(NEWSLETTER);
    expect(parsed.preview).toBe("Café news, second line");
    expect(parsed.searchText).toBe("Café   news,\r\n   second line");
  });

  it("falls back to the HTML text when there is no plain part", async () => {
    const parsed = await parseMessage(
      crlf(
        "Content-Type: text/html\n\n<head><title>T</title></head><p>Hello&nbsp;<b>you</b></p><script>x()</script>",
      ),
    );
    expect(parsed.preview).toBe("Hello you");
  });

  it("includes attached messages in search text and lists them as one attachment", async () => {
    const parsed = await parseMessage(
      crlf(
        "Content-Type: multipart/mixed; boundary=m\n\n--m\n\nsee below\n--m\nContent-Type: message/rfc822\n\nSubject: fwd\n\nforwarded words\n--m--\n",
      ),
    );
    expect(parsed.searchText).toBe("see below\nforwarded words");
    expect(parsed.attachments.map((a) => [a.partId, a.contentType])).toEqual([["2", "message/rfc822"]]);
  });

  it("reads a multipart whose boundary never shows up as plain text", async () => {
    const parsed = await parseMessage(
      crlf('Content-Type: multipart/alternative; boundary="=B 1"\n\nintro\n--= B 1\n\nhello\n'),
    );
    expect(parsed.preview).toBe("intro --= B 1 hello");
  });

  it("caps the preview at 200 characters, whitespace collapsed", async () => {
    expect((await parseMessage(crlf(`Subject: long\n\n${"x".repeat(500)}`))).preview).toHaveLength(200);
    const words = (await parseMessage(crlf(`Subject: long\n\n${"word \n\t ".repeat(100)}`))).preview;
    expect(words).toBe("word ".repeat(40).trim());
  });

  it("refuses a message over maxSize with code MESSAGE_TOO_LARGE, and accepts one at the limit", async () => {
    const raw = crlf("Subject: x\n\n12345");
    await expect(parseMessage(raw, { maxSize: raw.length - 1 })).rejects.toMatchObject({
      code: "MESSAGE_TOO_LARGE",
    });
    await expect(parseMessage(raw, { maxSize: raw.length })).resolves.toMatchObject({ size: raw.length });
  });

  it("parses bytes that are not a message at all without throwing", async () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff;
    for (let i = 0; i < 200; i++) {
      const raw = Buffer.from(Array.from({ length: 50 + i * 7 }, random));
      const parsed = await parseMessage(raw, { blobThreshold: 1, blobFloor: 1 });
      const rebuilt = Buffer.concat(
        parsed.segments.map((s) =>
          s.kind === "inline" ? s.data : parsed.blobs.find((b) => b.hash === s.hash)!.data,
        ),
      );
      expect(rebuilt.equals(raw)).toBe(true);
    }
  });
});

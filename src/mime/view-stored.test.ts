import { describe, expect, it } from "vitest";
import { VIEW_MAX_BYTES } from "./limits.js";
import { parseMessage, type ParseOptions } from "./parse-message.js";
import { parserViews, viewMessage, viewStoredMessage } from "./view.js";

const crlf = (text: string): Buffer => Buffer.from(text.replace(/\n/g, "\r\n"), "utf8");

const RELATED = crlf(
  [
    "From: =?UTF-8?Q?J=C3=B6rg?= <j@example.de>",
    "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=",
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
    "Caf=E9 =93news=94 at https://example.com.",
    "--a",
    "Content-Type: text/html; charset=utf-8",
    "Content-Transfer-Encoding: base64",
    "",
    Buffer.from('<p>Café <img src="cid:logo@x"></p>').toString("base64"),
    "--a--",
    "--r",
    "Content-Type: image/png",
    "Content-ID: <logo@x>",
    "Content-Transfer-Encoding: base64",
    "",
    "iVBORw0KGgo=",
    "--r--",
    "--m",
    "Content-Type: message/rfc822",
    "Content-Disposition: attachment",
    "",
    "Subject: inner",
    "",
    "inner text is an attachment, not the body",
    "--m--",
    "",
  ].join("\n"),
);

/** Parses as delivery does and reads back through the stored meta, blobs from a map. */
async function storedView(raw: Buffer, options: ParseOptions = {}, withBody = true) {
  const parsed = await parseMessage(raw, options);
  const blobs = new Map(parsed.blobs.map((b) => [b.hash, b.data]));
  const reads: string[] = [];
  const meta = {
    imap: parsed.imap,
    attachments: parsed.attachments,
    ...(withBody ? { body: parsed.body } : {}),
  };
  const view = await viewStoredMessage({ segments: parsed.segments, meta }, async (hash) => {
    reads.push(hash);
    return blobs.get(hash)!;
  });
  return { view, reads, parsed };
}

describe("Mime: the view from stored body parts", () => {
  it("shows text, HTML, attachments and decoded headers without running a parser", async () => {
    const before = parserViews.count;
    const { view } = await storedView(RELATED);
    expect(parserViews.count).toBe(before);
    expect(view.text).toBe("Café “news” at https://example.com.");
    expect(view.html).toBe('<p>Café <img src="cid:logo@x"></p>');
    expect(view.textAsHtml).toBe(
      '<p>Café “news” at <a href="https://example.com">https://example.com</a>.</p>',
    );
    expect(view.attachments.map((a) => [a.partId, a.contentType, a.related])).toEqual([
      ["1.2", "image/png", true],
      ["2", "message/rfc822", false],
    ]);
    expect(view.headers).toEqual([
      { key: "from", value: "Jörg <j@example.de>" },
      { key: "subject", value: "Grüße" },
      { key: "content-type", value: "multipart/mixed; boundary=m" },
    ]);
  });

  it("agrees with mailparser on text, HTML and attachments", async () => {
    const { view } = await storedView(RELATED);
    const parsed = await viewMessage(RELATED);
    expect(view.text).toBe(parsed.text);
    expect(view.html).toBe(parsed.html);
    expect(view.attachments).toEqual(parsed.attachments);
    expect(view.headers).toEqual(parsed.headers);
  });

  it("reads only the blobs that hold display parts, and gives the same view as inline storage", async () => {
    const inline = await storedView(RELATED, { blobThreshold: Infinity, blobFloor: Infinity });
    const split = await storedView(RELATED, { blobThreshold: 1, blobFloor: 1 });
    expect(split.view).toEqual(inline.view);
    expect(inline.reads).toEqual([]);
    const leaves = split.parsed.segments.filter((s) => s.kind === "blob").length;
    expect(split.reads.length).toBe(2); // the text and the HTML leaf; not the image, not the attached message
    expect(leaves).toBeGreaterThan(2);
  });

  it("falls back to mailparser for a message stored before body parts were kept", async () => {
    const before = parserViews.count;
    const { view } = await storedView(RELATED, {}, false);
    expect(parserViews.count).toBe(before + 1);
    expect(view).toEqual(await viewMessage(RELATED));
  });

  it("derives text from HTML when there is no plain part", async () => {
    const { view } = await storedView(
      crlf(
        "Content-Type: text/html; charset=utf-8\n\n<html><head><style>p{}</style></head><p>Hi &amp; bye</p>\n",
      ),
    );
    expect(view.html).toContain("<p>Hi &amp; bye</p>");
    expect(view.text).toBe("Hi & bye");
  });

  it("joins format=flowed soft line breaks and keeps quotes and hard breaks", async () => {
    const { view } = await storedView(
      crlf(
        [
          "Content-Type: text/plain; charset=utf-8; format=flowed",
          "",
          "Jo wrote:",
          "> a long quoted ",
          "> line",
          "a soft ",
          "break",
          " From a stuffed line",
          "-- ",
          "sig",
          "",
        ].join("\n"),
      ),
    );
    expect(view.text).toBe("Jo wrote:\n> a long quoted line\na soft break\nFrom a stuffed line\n-- \nsig\n");
  });

  it("cuts a huge text at VIEW_MAX_BYTES, reading only that much of its blob, and says so", async () => {
    const line = "All work and no play makes a huge body.\r\n";
    const raw = Buffer.from(
      `Subject: huge\r\n\r\n${line.repeat(Math.ceil((3 * VIEW_MAX_BYTES) / line.length))}`,
    );
    const parsed = await parseMessage(raw);
    const blob = parsed.blobs[0];
    const asked: Array<number | undefined> = [];
    const view = await viewStoredMessage(
      {
        segments: parsed.segments,
        meta: { imap: parsed.imap, attachments: parsed.attachments, body: parsed.body },
      },
      async (hash, prefix) => {
        asked.push(prefix);
        return prefix === undefined ? blob.data : blob.data.subarray(0, prefix); // a reader that stops early
      },
    );
    expect(asked).toEqual([VIEW_MAX_BYTES]);
    expect(view.truncated).toBe(true);
    expect(view.text).toBe(blob.data.subarray(0, VIEW_MAX_BYTES).toString().replace(/\r\n/g, "\n"));
    expect((await storedView(RELATED)).view.truncated).toBe(false);
  });

  it("reads a multipart whose boundary never shows up as its text, as mailparser cannot", async () => {
    const { view } = await storedView(crlf("Content-Type: multipart/mixed; boundary=gone\n\njust text\n"));
    expect(view.text).toBe("just text\n");
    expect(view.html).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { viewMessage } from "./view.js";

const crlf = (text: string): Buffer => Buffer.from(text.replace(/\n/g, "\r\n"), "utf8");

describe("Mime: viewMessage", () => {
  it("gives text, HTML with cid: references kept, attachments and decoded headers", async () => {
    const view = await viewMessage(
      crlf(
        [
          "From: =?UTF-8?Q?J=C3=B6rg?= <j@example.de>",
          "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=",
          "Content-Type: multipart/related; boundary=r",
          "",
          "--r",
          "Content-Type: multipart/alternative; boundary=a",
          "",
          "--a",
          "Content-Type: text/plain; charset=utf-8",
          "",
          "Hello https://example.com",
          "--a",
          "Content-Type: text/html; charset=utf-8",
          "",
          '<p>Hello <img src="cid:logo@x"></p>',
          "--a--",
          "--r",
          "Content-Type: image/png",
          "Content-ID: <logo@x>",
          "Content-Transfer-Encoding: base64",
          "",
          "iVBORw0KGgo=",
          "--r--",
          "",
        ].join("\n"),
      ),
    );
    expect(view.text).toBe("Hello https://example.com");
    expect(view.html).toContain('src="cid:logo@x"');
    expect(view.textAsHtml).toContain('<a href="https://example.com">');
    expect(view.attachments).toEqual([
      {
        partId: "2",
        filename: null,
        contentType: "image/png",
        disposition: null,
        contentId: "<logo@x>",
        size: 8,
        related: true,
      },
    ]);
    expect(view.headers).toEqual([
      { key: "from", value: "Jörg <j@example.de>" },
      { key: "subject", value: "Grüße" },
      { key: "content-type", value: "multipart/related; boundary=r" },
    ]);
  });

  it("returns null html for a plain message and survives broken MIME", async () => {
    const view = await viewMessage(
      crlf(
        "Content-Type: multipart/mixed; boundary=gone\n\n--gone\nContent-Type: text/plain\n\nhalf a message",
      ),
    );
    expect(view.html).toBeNull();
    expect(view.text).toContain("half a message");
  });
});

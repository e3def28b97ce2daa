import { describe, expect, it } from "vitest";
import { parseMessage } from "./parse-message.js";

const headersOf = async (header: Buffer | string) => {
  const head = typeof header === "string" ? Buffer.from(header.replace(/\n/g, "\r\n"), "utf8") : header;
  return (await parseMessage(Buffer.concat([head, Buffer.from("\r\n\r\nbody\r\n")]))).headers;
};

describe("Mime: decoded headers", () => {
  it.each([
    ["a plain subject", "Subject: Hello there", "Hello there"],
    ["a Q-encoded word", "Subject: =?ISO-8859-1?Q?caf=E9_cr=E8me?=", "café crème"],
    ["a B-encoded word", "Subject: =?UTF-8?B?8J+QpiBFaWRlcg==?=", "🐦 Eider"],
    [
      "adjacent encoded words joined without the space between them",
      "Subject: =?UTF-8?Q?Gr=C3=BC?= =?UTF-8?Q?=C3=9Fe?=",
      "Grüße",
    ],
    ["encoded words mixed with text", "Subject: Re: =?koi8-r?B?8NLJ18XU?= world", "Re: Привет world"],
    ["a folded subject", "Subject: one\n two", "one two"],
    ["a broken encoded word left as is", "Subject: =?bogus?Q?abc", "=?bogus?Q?abc"],
    ["an unknown charset decoded as UTF-8", "Subject: =?x-unknown?Q?abc?=", "abc"],
    ["a missing subject", "From: a@b.c", ""],
  ])("reads %s", async (_name, header, subject) => {
    expect((await headersOf(header)).subject).toBe(subject);
  });

  it("reads raw UTF-8 headers (RFC 6532) and falls back to Latin-1 for other 8-bit bytes", async () => {
    expect((await headersOf("Subject: Grüße aus Köln")).subject).toBe("Grüße aus Köln");
    expect((await headersOf(Buffer.from("Subject: Gr\xfc\xdfe", "latin1"))).subject).toBe("Grüße");
  });

  it("reads addresses, date, message ids and references", async () => {
    const headers = await headersOf(
      [
        "From: =?UTF-8?Q?J=C3=B6rg?= <jorg@example.de>",
        "To: a@x.org, B <b@x.org>",
        "To: c@x.org",
        "Cc: undisclosed-recipients:;",
        "Reply-To: r@x.org",
        "Date: Thu, 22 Aug 2002 12:36:23 -0400 (EDT)",
        "Message-ID: <m1@x.org>",
        "In-Reply-To: <m0@x.org> (sent earlier)",
        "References: <a@x> <b@x>\n <a@x> <m0@x.org>",
      ].join("\n"),
    );
    expect(headers).toEqual({
      subject: "",
      from: [{ name: "Jörg", address: "jorg@example.de" }],
      to: [
        { name: "", address: "a@x.org" },
        { name: "B", address: "b@x.org" },
        { name: "", address: "c@x.org" },
      ],
      cc: [{ name: "undisclosed-recipients", address: "" }],
      bcc: [],
      replyTo: [{ name: "", address: "r@x.org" }],
      date: new Date("2002-08-22T16:36:23Z"),
      messageId: "<m1@x.org>",
      inReplyTo: "<m0@x.org>",
      references: ["<a@x>", "<b@x>", "<m0@x.org>"],
    });
  });

  it("gives null for an unreadable date", async () => {
    expect((await headersOf("Date: sometime soon")).date).toBeNull();
  });
});

// Structured input to bytes, read back with mailparser: what a receiving client will see.
import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { composeMessage, type ComposeParts } from "./compose.js";

const BASE: ComposeParts = {
  from: { name: "Zoë Ärger", address: "zoe@example.com" },
  replyTo: [{ address: "replies@example.com" }],
  to: [{ name: "Bob", address: "bob@remote.test" }],
  cc: [{ address: "carol@remote.test" }],
  bcc: [{ address: "hidden@remote.test" }],
  subject: "Grüße aus Köln",
  text: "Hallo Bob",
  html: "<p>Hallo <b>Bob</b></p>",
  attachments: [
    { filename: "notes.txt", contentType: "text/plain", content: Buffer.from("line one\n") },
    {
      filename: "logo.png",
      contentType: "image/png",
      content: Buffer.from([137, 80, 78, 71, 0, 255]),
      contentId: "logo1",
    },
  ],
  messageId: "<abc123@mail.example.com>",
  date: new Date("2026-12-01T08:00:00Z"),
  inReplyTo: "<orig@remote.test>",
  references: ["<first@remote.test>", "<orig@remote.test>"],
  keepBcc: false,
};

describe("Submission: composing a message", () => {
  it("writes From, Reply-To, To, Cc, the encoded subject, Date, Message-ID, alternatives and attachments", async () => {
    const raw = await composeMessage(BASE);
    const head = raw.subarray(0, raw.indexOf("\r\n\r\n")).toString("latin1");
    // Non-ASCII goes out as RFC 2047 encoded words, so the header block stays 7-bit.
    expect(head).toMatch(/^Subject: =\?UTF-8\?Q\?/m);
    expect(head).toMatch(/^From: =\?UTF-8\?Q\?Zo=C3=AB_=C3=84rger\?= <zoe@example.com>/m);
    expect(/[^\x00-\x7f]/.test(head)).toBe(false);
    const mail = await simpleParser(raw);
    expect(mail.subject).toBe("Grüße aus Köln");
    expect(mail.from?.value).toEqual([{ name: "Zoë Ärger", address: "zoe@example.com" }]);
    expect(mail.replyTo?.value).toEqual([{ name: "", address: "replies@example.com" }]);
    expect((mail.to as { value: unknown[] }).value).toEqual([{ name: "Bob", address: "bob@remote.test" }]);
    expect((mail.cc as { value: unknown[] }).value).toEqual([{ name: "", address: "carol@remote.test" }]);
    expect(mail.messageId).toBe("<abc123@mail.example.com>");
    expect(mail.date?.toISOString()).toBe("2026-12-01T08:00:00.000Z");
    expect(mail.text?.trim()).toBe("Hallo Bob");
    expect(mail.html).toContain("<b>Bob</b>");
    // The inline image (it has a Content-ID) goes into a multipart/related beside the HTML, so order is not kept.
    const parts = mail.attachments.map((a) => [
      a.filename,
      a.contentType,
      a.content.toString("hex"),
      a.contentId,
    ]);
    expect(parts.sort()).toEqual([
      ["logo.png", "image/png", "89504e4700ff", "<logo1>"],
      ["notes.txt", "text/plain", Buffer.from("line one\n").toString("hex"), undefined],
    ]);
  });

  it("never writes Bcc into what is sent, and writes it into a draft", async () => {
    const sent = await composeMessage(BASE);
    expect(sent.toString("latin1")).not.toMatch(/hidden@remote\.test/);
    expect((await simpleParser(sent)).bcc).toBeUndefined();
    const draft = await simpleParser(await composeMessage({ ...BASE, keepBcc: true }));
    expect((draft.bcc as { value: unknown[] }).value).toEqual([{ name: "", address: "hidden@remote.test" }]);
  });

  it("writes In-Reply-To and References for a reply, References alone for a forward", async () => {
    const reply = await simpleParser(await composeMessage(BASE));
    expect(reply.inReplyTo).toBe("<orig@remote.test>");
    expect(reply.references).toEqual(["<first@remote.test>", "<orig@remote.test>"]);
    const forward = await simpleParser(await composeMessage({ ...BASE, inReplyTo: null }));
    expect(forward.inReplyTo).toBeUndefined();
    expect(forward.references).toEqual(["<first@remote.test>", "<orig@remote.test>"]);
  });

  it("makes a text part of a message with no body, and never reads a file or URL named as content", async () => {
    const empty = await simpleParser(
      await composeMessage({
        ...BASE,
        text: null,
        html: null,
        attachments: [],
        inReplyTo: null,
        references: [],
      }),
    );
    expect(empty.text ?? "").toBe("");
    expect(empty.references).toBeUndefined();
    const sneaky = composeMessage({
      ...BASE,
      html: null,
      text: { path: "/etc/passwd" } as unknown as string,
    });
    await expect(sneaky).rejects.toThrow();
  });
});

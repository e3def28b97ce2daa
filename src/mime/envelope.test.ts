import { describe, expect, it } from "vitest";
import { parseMessage } from "./parse-message.js";

const crlf = (text: string): Buffer => Buffer.from(text.replace(/\n/g, "\r\n"), "utf8");
const envelopeOf = async (header: string) => (await parseMessage(crlf(`${header}\n\nbody\n`))).imap.envelope;

describe("Mime: IMAP envelope", () => {
  it("builds the RFC 3501 envelope of a known sample, raw values kept", async () => {
    const envelope = await envelopeOf(
      [
        "Date: Thu, 22 Aug 2002 10:25:52 -0500",
        "Subject: =?ISO-8859-1?Q?caf=E9?=",
        'From: "Chris G." <cwg@deepeddy.com>',
        "To: kre@munnari.OZ.AU, Team: a@x.org;",
        "Cc: ",
        "Message-ID: <1@deepeddy.com>",
        "In-Reply-To: <0@munnari.OZ.AU>",
      ].join("\n"),
    );
    const from = [{ name: "Chris G.", adl: null, mailbox: "cwg", host: "deepeddy.com" }];
    expect(envelope).toEqual({
      date: "Thu, 22 Aug 2002 10:25:52 -0500",
      subject: "=?ISO-8859-1?Q?caf=E9?=",
      from,
      sender: from,
      replyTo: from,
      to: [
        { name: null, adl: null, mailbox: "kre", host: "munnari.OZ.AU" },
        { name: null, adl: null, mailbox: "Team", host: null },
        { name: null, adl: null, mailbox: "a", host: "x.org" },
        { name: null, adl: null, mailbox: null, host: null },
      ],
      cc: null,
      bcc: null,
      inReplyTo: "<0@munnari.OZ.AU>",
      messageId: "<1@deepeddy.com>",
    });
  });

  it("unfolds folded values", async () => {
    expect((await envelopeOf("Subject: one\n two")).subject).toBe("one two");
  });

  it("gives NIL for every absent field and keeps a present but empty subject", async () => {
    expect(await envelopeOf("Subject:")).toEqual({
      date: null,
      subject: "",
      from: null,
      sender: null,
      replyTo: null,
      to: null,
      cc: null,
      bcc: null,
      inReplyTo: null,
      messageId: null,
    });
  });

  it("keeps Sender and Reply-To when present", async () => {
    const envelope = await envelopeOf("From: a@x.org\nSender: s@x.org\nReply-To: r@x.org");
    expect(envelope.sender).toEqual([{ name: null, adl: null, mailbox: "s", host: "x.org" }]);
    expect(envelope.replyTo).toEqual([{ name: null, adl: null, mailbox: "r", host: "x.org" }]);
  });
});

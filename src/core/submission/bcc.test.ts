import { describe, expect, it } from "vitest";
import { headerRecipients, withBlindRecipients, withoutBcc } from "./bcc.js";
import { readyToSend, rfc5322Date } from "./raw-input.js";

const RAW = Buffer.from(
  "From: alice@example.com\r\n" +
    "To: Bob <bob@remote.test>, carol@remote.test\r\n" +
    "Cc: BOB@remote.test\r\n" +
    "Bcc: dave@remote.test,\r\n erin@remote.test\r\n" +
    "Subject: hi\r\n\r\nbody\r\n",
);

describe("Submission: blind copies and raw input", () => {
  it("takes the envelope from To, Cc and Bcc, each address once", () => {
    expect(headerRecipients(RAW)).toEqual([
      "bob@remote.test",
      "carol@remote.test",
      "dave@remote.test",
      "erin@remote.test",
    ]);
  });

  it("writes the blind recipients back into a Bcc field for a draft, and nothing when there are none", () => {
    const sent = withoutBcc(RAW);
    expect(sent.toString()).not.toContain("dave@");
    const restored = withBlindRecipients(sent, headerRecipients(RAW));
    expect(restored.toString()).toBe(`Bcc: dave@remote.test, erin@remote.test\r\n${sent.toString()}`);
    expect(withBlindRecipients(sent, ["carol@remote.test"])).toBe(sent);
  });

  it("adds Date and Message-ID only when missing, and removes Bcc without touching other bytes", () => {
    const date = new Date("2026-12-01T08:10:46Z");
    const ready = readyToSend(RAW, { date, messageId: () => "<new@mail.example.com>" });
    expect(ready.toString()).toBe(
      "Date: Tue, 01 Dec 2026 08:10:46 +0000\r\nMessage-ID: <new@mail.example.com>\r\n" +
        withoutBcc(RAW).toString(),
    );
    const complete = Buffer.from(
      "Date: Mon, 30 Nov 2026 10:00:00 +0100\r\nMessage-ID: <x@y>\r\nFrom: a@b.test\r\n\r\nx",
    );
    expect(readyToSend(complete, { date, messageId: () => "<unused@z>" })).toBe(complete);
    expect(rfc5322Date(new Date("2026-01-05T03:04:05Z"))).toBe("Mon, 05 Jan 2026 03:04:05 +0000");
  });
});

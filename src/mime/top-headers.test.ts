import { describe, expect, it } from "vitest";
import {
  hasHeaderField,
  headerBlockEnd,
  prependHeaderLines,
  insertHeaderLinesAfterTrace,
  readTopHeaders,
  removeHeaderField,
} from "./top-headers.js";

const MESSAGE =
  "From: Alice <alice@example.com>\r\n" +
  "To: bob@remote.test\r\n" +
  "BCC: carol@remote.test,\r\n" +
  "\t Dave <dave@remote.test>,\r\n" +
  "  erin@remote.test\r\n" +
  "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n" +
  "bcc : frank@remote.test\r\n" +
  "X-Note: keep  this   spacing\r\n" +
  "\r\n" +
  "Bcc: not a header, the body\r\n";

describe("MIME: the top-level header block as bytes", () => {
  it("removes every Bcc field with its folded lines and leaves every other byte as it was", () => {
    const raw = Buffer.from(MESSAGE);
    const out = removeHeaderField(raw, "Bcc");
    expect(out.toString()).toBe(
      "From: Alice <alice@example.com>\r\n" +
        "To: bob@remote.test\r\n" +
        "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n" +
        "X-Note: keep  this   spacing\r\n" +
        "\r\n" +
        "Bcc: not a header, the body\r\n",
    );
  });

  it("keeps bare-LF messages byte for byte too", () => {
    const raw = Buffer.from("From: a@x.test\nBcc: b@x.test,\n c@x.test\nTo: d@x.test\n\nbody\n");
    expect(removeHeaderField(raw, "bcc").toString()).toBe("From: a@x.test\nTo: d@x.test\n\nbody\n");
  });

  it("returns the same buffer when there is no such field, and handles a message with no body", () => {
    const raw = Buffer.from("From: a@x.test\r\nTo: d@x.test\r\n");
    expect(removeHeaderField(raw, "bcc")).toBe(raw);
    expect(headerBlockEnd(raw)).toBe(raw.length);
    expect(removeHeaderField(Buffer.from("Bcc: b@x.test"), "bcc").length).toBe(0);
  });

  it("keeps 8-bit header bytes that are not UTF-8 untouched", () => {
    const raw = Buffer.concat([
      Buffer.from("Subject: caf"),
      Buffer.from([0xe9]),
      Buffer.from("\r\nBcc: x@y.test\r\n\r\nbody"),
    ]);
    const out = removeHeaderField(raw, "bcc");
    expect(out.equals(Buffer.concat([raw.subarray(0, 15), Buffer.from("\r\nbody")]))).toBe(true);
  });

  it("reads the decoded headers, Bcc included, and says which fields exist", () => {
    const raw = Buffer.from(MESSAGE);
    const headers = readTopHeaders(raw);
    expect(headers.subject).toBe("Grüße");
    expect(headers.from).toEqual([{ name: "Alice", address: "alice@example.com" }]);
    expect(headers.bcc.map((a) => a.address)).toEqual([
      "carol@remote.test",
      "dave@remote.test",
      "erin@remote.test",
      "frank@remote.test",
    ]);
    expect(hasHeaderField(raw, "x-note")).toBe(true);
    expect(hasHeaderField(raw, "message-id")).toBe(false);
  });

  it("prepends whole header lines", () => {
    const raw = Buffer.from("From: a@x.test\r\n\r\nbody");
    expect(prependHeaderLines(raw, "Date: Tue, 01 Dec 2026 08:00:00 +0000\r\n").toString()).toBe(
      "Date: Tue, 01 Dec 2026 08:00:00 +0000\r\nFrom: a@x.test\r\n\r\nbody",
    );
    expect(prependHeaderLines(raw, "")).toBe(raw);
  });

  it("inserts header lines below the leading trace fields (RFC 5321 §4.4), folded ones included", () => {
    const date = "Date: Tue, 01 Dec 2026 08:00:00 +0000\r\n";
    const traced = Buffer.from(
      "Return-Path: <a@x.test>\r\nReceived: from client\r\n\tby mail.test; Tue, 01 Dec 2026\r\nReceived: from b\r\nFrom: a@x.test\r\nReceived: late\r\n\r\nbody",
    );
    expect(insertHeaderLinesAfterTrace(traced, date).toString()).toBe(
      "Return-Path: <a@x.test>\r\nReceived: from client\r\n\tby mail.test; Tue, 01 Dec 2026\r\nReceived: from b\r\n" +
        date +
        "From: a@x.test\r\nReceived: late\r\n\r\nbody",
    );
    const plain = Buffer.from("From: a@x.test\r\n\r\nbody");
    expect(insertHeaderLinesAfterTrace(plain, date).toString()).toBe(date + "From: a@x.test\r\n\r\nbody");
    expect(insertHeaderLinesAfterTrace(plain, "")).toBe(plain);
  });
});

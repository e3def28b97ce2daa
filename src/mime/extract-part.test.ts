import { describe, expect, it } from "vitest";
import { extractPart } from "./extract-part.js";

const crlf = (text: string): Buffer => Buffer.from(text.replace(/\n/g, "\r\n"), "utf8");

const RAW = crlf(
  [
    "Content-Type: multipart/mixed; boundary=m",
    "",
    "--m",
    "",
    "text",
    "--m",
    "Content-Type: application/octet-stream; name=a.bin",
    "Content-Transfer-Encoding: base64",
    "",
    "AAEC",
    "/w==",
    "--m",
    "Content-Type: message/rfc822",
    "",
    "Subject: inner",
    "",
    "inner body",
    "--m--",
    "",
  ].join("\n"),
);

describe("Mime: extractPart", () => {
  it("decodes an attachment by part id", async () => {
    expect(await extractPart(RAW, "2")).toEqual({
      contentType: "application/octet-stream",
      filename: "a.bin",
      data: Buffer.from([0, 1, 2, 255]),
    });
  });

  it("gives an attached message whole, and its body by its own id", async () => {
    expect((await extractPart(RAW, "3"))?.data.toString()).toBe("Subject: inner\r\n\r\ninner body");
    expect((await extractPart(RAW, "3.1"))?.data.toString()).toBe("inner body");
  });

  it("gives null for a part that does not exist", async () => {
    expect(await extractPart(RAW, "9")).toBeNull();
    expect(await extractPart(RAW, "../etc")).toBeNull();
  });
});

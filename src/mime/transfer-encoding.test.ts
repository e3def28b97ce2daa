import { describe, expect, it } from "vitest";
import { decodeQuotedPrintable, decodeTransferEncoding, estimateDecodedSize } from "./transfer-encoding.js";

const qp = (text: string) => decodeQuotedPrintable(Buffer.from(text, "latin1")).toString("latin1");

describe("Mime: transfer encodings", () => {
  it.each([
    ["hex escapes", "caf=E9", "caf\xe9"],
    ["lower-case hex", "caf=e9", "caf\xe9"],
    ["a soft line break (CRLF)", "long=\r\nline", "longline"],
    ["a soft line break (bare LF) with trailing space", "long= \nline", "longline"],
    ["a final soft break", "end=", "end"],
    ["a stray = kept", "a = b", "a = b"],
    ["a bad escape kept", "=ZZ", "=ZZ"],
  ])("decodes quoted-printable %s", (_name, input, output) => {
    expect(qp(input)).toBe(output);
  });

  it("decodes base64 with line breaks and leaves other encodings alone", () => {
    expect(decodeTransferEncoding(Buffer.from("aGVs\r\nbG8=\r\n"), "base64").toString()).toBe("hello");
    expect(decodeTransferEncoding(Buffer.from("as is"), "8bit").toString()).toBe("as is");
    expect(decodeTransferEncoding(Buffer.from("as is"), null).toString()).toBe("as is");
  });

  it.each([
    ["base64", "aGVs\r\nbG8=\r\n", 5],
    ["base64", "aGVsbG8h", 6],
    ["quoted-printable", "caf=E9=\r\n!", 5],
    [null, "hello\r\n", 7],
  ])("estimates the decoded size of %s %j", (encoding, body, size) => {
    expect(estimateDecodedSize(Buffer.from(body, "latin1"), encoding)).toBe(size);
  });
});

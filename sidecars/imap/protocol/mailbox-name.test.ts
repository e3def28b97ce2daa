import { describe, expect, it } from "vitest";
import {
  decodeMailboxName,
  decodeModifiedUtf7,
  encodeMailboxName,
  encodeModifiedUtf7,
} from "./mailbox-name.js";
import { BadArguments } from "./request.js";

const name = (text: string, utf8 = false) => decodeMailboxName(Buffer.from(text, "utf8"), utf8);

describe("IMAP mailbox names: modified UTF-7 (RFC 3501 §5.1.3)", () => {
  it.each([
    ["INBOX", "INBOX"],
    ["Entwürfe", "Entw&APw-rfe"],
    ["日本語", "&ZeVnLIqe-"],
    ["&", "&-"],
    ["Tom & Jerry", "Tom &- Jerry"],
    ["~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"],
    ["😀", "&2D3eAA-"],
    ["a\u00e4&b", "a&AOQ-&-b"],
  ])("%s <-> %s", (text, wire) => {
    expect(encodeModifiedUtf7(text)).toBe(wire);
    expect(decodeModifiedUtf7(wire)).toBe(text);
  });

  it.each([
    ["&AGE-", "printable ASCII encoded"],
    ["&ZeVnLIqe", "unclosed shift"],
    ["&Ze!-", "not base64"],
    ["&AO-", "odd byte count"],
    ["&2D0-", "lone surrogate"],
    ["&AOQ-&AOQ-", "two shifts in a row where one is canonical"],
    ["&AOR-", "non-zero padding bits"],
  ])("refuses %s (%s)", (wire) => {
    expect(() => decodeModifiedUtf7(wire)).toThrow(BadArguments);
    expect(() => decodeModifiedUtf7(wire)).toThrow(wire);
  });

  it("takes 8-bit UTF-8 as it is even before UTF8=ACCEPT (RFC 6855 §3), and refuses other 8-bit bytes", () => {
    expect(name("Entwürfe")).toBe("Entwürfe");
    expect(() => decodeMailboxName(Buffer.from([0x61, 0xff]), false)).toThrow(
      'Mailbox name "a\\xFF" is neither modified UTF-7 nor UTF-8.',
    );
  });

  it("after ENABLE UTF8=ACCEPT reads names as UTF-8 without modified UTF-7 decoding, and writes UTF-8", () => {
    expect(name("Entw&APw-rfe", true)).toBe("Entw&APw-rfe");
    expect(name("A & B", true)).toBe("A & B");
    expect(encodeMailboxName("Entwürfe", true)).toBe("Entwürfe");
    expect(encodeMailboxName("Entwürfe", false)).toBe("Entw&APw-rfe");
  });

  it("refuses control characters, line and paragraph separators (RFC 6855 §3)", () => {
    expect(() => name("a\u0085b", true)).toThrow(/control character/);
    expect(() => name("a\u2028b", true)).toThrow(/control character/);
    expect(() => name("&AAo-")).toThrow(BadArguments);
  });
});

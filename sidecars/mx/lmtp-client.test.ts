import { describe, expect, it } from "vitest";
import { dotStuff, xtext } from "./lmtp-client.js";
import { reverseName } from "./reverse-name.js";

describe("LMTP client encodings", () => {
  it("dot-stuffs every line that starts with a dot (RFC 5321 §4.5.2), the first one too", () => {
    expect(dotStuff(Buffer.from(".a\r\nb\r\n.\r\n..c\r\n")).toString()).toBe("..a\r\nb\r\n..\r\n...c\r\n");
    expect(dotStuff(Buffer.from("plain")).toString()).toBe("plain");
  });

  it("writes XCLIENT values as xtext (RFC 3461 §4)", () => {
    expect(xtext("mail.example.org")).toBe("mail.example.org");
    expect(xtext("a b+c=d")).toBe("a+20b+2Bc+3Dd");
    expect(xtext("é")).toBe("+C3+A9");
  });

  it("names the PTR of IPv4 and IPv6 addresses", () => {
    expect(reverseName("192.0.2.1")).toBe("1.2.0.192.in-addr.arpa");
    expect(reverseName("2001:db8::1")).toBe(
      "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
    );
  });
});

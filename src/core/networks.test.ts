import { describe, expect, it } from "vitest";
import { addressMatcher, clientKey } from "./networks.js";

describe("Networks: matching client addresses and keying their failures", () => {
  it("matches addresses and CIDRs of both families, IPv4-mapped clients included", () => {
    const inside = addressMatcher(["10.0.0.0/8", "192.0.2.5", "fd00::/8"]);
    expect(["10.1.2.3", "::ffff:10.9.9.9", "192.0.2.5", "fd12::1"].map(inside)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(["11.0.0.1", "192.0.2.6", "fe80::1", "", undefined, "not-an-ip"].map(inside)).toEqual(
      Array(6).fill(false),
    );
    expect(addressMatcher([])("127.0.0.1")).toBe(false);
  });

  it("refuses an entry that is no address", () => {
    expect(() => addressMatcher(["10.0.0.0/8", "intranet"])).toThrow(/"intranet"/);
  });

  it("keys IPv4 by the address and IPv6 by its /64, however it is written", () => {
    expect(clientKey("192.0.2.1")).toBe("192.0.2.1");
    expect(clientKey("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(clientKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:0db8:0001:0002:bbbb:cccc:dddd:eeee")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:db8::5")).toBe("2001:db8:0:0::/64");
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
  });
});

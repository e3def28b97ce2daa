import { describe, expect, it } from "vitest";
import { normalizeAddress, wildcardFor } from "./addresses.js";

const same = (a: string, b: string) => expect(normalizeAddress(a)).toBe(normalizeAddress(b));

describe("Core: address normalisation", () => {
  it("ignores case", () => same("John.Doe@Example.COM", "johndoe@example.com"));
  it("ignores dots in the local part", () => same("j.o.h.n@example.com", "john@example.com"));
  it("delivers user+label to user", () => same("john+news@example.com", "john@example.com"));
  it("treats punycode and Unicode domains as equal", () => same("info@bücher.de", "info@xn--bcher-kva.de"));
  it("compares Unicode local parts in NFC", () => same("jose\u0301@example.com", "jos\u00e9@example.com"));
  it("drops the root's trailing dot from the domain", () => {
    same("alice@example.com.", "alice@example.com");
    same("Alice@Bücher.DE.", "alice@xn--bcher-kva.de");
    expect(normalizeAddress("alice@example.com.")).toBe("alice@example.com");
    expect(wildcardFor("x@example.com.")).toBe("*@example.com");
  });
  it("keeps the domain wildcard", () => expect(normalizeAddress("*@Example.com")).toBe("*@example.com"));
  it("gives the wildcard of an address", () => expect(wildcardFor("a@Bücher.de")).toBe("*@xn--bcher-kva.de"));
  it("keeps different users apart", () =>
    expect(normalizeAddress("ann@x.org")).not.toBe(normalizeAddress("anne@x.org")));
  for (const bad of [
    "",
    "no-at",
    "@example.com",
    "user@",
    "a b@example.com",
    "+label@example.com",
    "alice@example.com..",
    "alice@.example.com",
    "alice@a..b",
    "alice@.",
    "alice@a!b.com",
    "alice@-a.com",
    "alice@[1.2.3.4]",
  ]) {
    it(`rejects ${JSON.stringify(bad)}`, () => expect(() => normalizeAddress(bad)).toThrow(/Address/));
  }
});

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { stubResolver, stubResolverFromFile } from "./stub-resolver.js";

describe("MX: the stub DNS resolver", () => {
  const resolve = stubResolver({
    "Example.com.": {
      TXT: ["v=spf1 -all", ["v=DKIM1; k=rsa; p=AAA", "BBB"]],
      MX: [{ exchange: "mx.example.com", priority: 10 }],
    },
    "mx.example.com": { A: ["192.0.2.1"], aaaa: ["2001:db8::1"] },
  });

  it("answers as node's resolver: TXT as character-strings, names without regard to case or the root dot", async () => {
    expect(await resolve("example.COM", "TXT")).toEqual([["v=spf1 -all"], ["v=DKIM1; k=rsa; p=AAA", "BBB"]]);
    expect(await resolve("example.com.", "MX")).toEqual([{ exchange: "mx.example.com", priority: 10 }]);
    expect(await resolve("mx.example.com", "AAAA")).toEqual(["2001:db8::1"]);
    expect(await resolve("mx.example.com", "")).toEqual(["192.0.2.1"]);
  });

  it("fails with ENOTFOUND for an unknown name and ENODATA for a known name without the type", async () => {
    await expect(resolve("nowhere.example", "TXT")).rejects.toMatchObject({
      code: "ENOTFOUND",
      syscall: "queryTxt",
      hostname: "nowhere.example",
    });
    await expect(resolve("mx.example.com", "TXT")).rejects.toMatchObject({
      code: "ENODATA",
      syscall: "queryTxt",
    });
  });

  it("hands out copies, so a caller cannot change the zone", async () => {
    const answer = await resolve("example.com", "TXT");
    answer[0][0] = "changed";
    expect((await resolve("example.com", "TXT"))[0]).toEqual(["v=spf1 -all"]);
  });

  it("reads a zone from a JSON file and says which file is wrong", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "eider-zone-"));
    try {
      const good = path.join(dir, "zone.json");
      writeFileSync(good, JSON.stringify({ "a.example": { A: ["192.0.2.5"] } }));
      await expect(stubResolverFromFile(good)("a.example", "A")).resolves.toEqual(["192.0.2.5"]);
      const bad = path.join(dir, "bad.json");
      writeFileSync(bad, "[1, 2]");
      expect(() => stubResolverFromFile(bad)).toThrow(
        `The DNS zone file "${bad}" must hold an object of names.`,
      );
      writeFileSync(bad, "{ nope");
      expect(() => stubResolverFromFile(bad)).toThrow(`The DNS zone file "${bad}" is not readable JSON.`);
      writeFileSync(bad, JSON.stringify({ "a.example": { TXT: [5] } }));
      expect(() => stubResolverFromFile(bad)).toThrow(
        "A TXT record must be a string or a list of strings, not 5.",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { describe, expect, it } from "vitest";
import { FormattedCache, FormattedLookup } from "./formatted-cache.js";

const bytes = (n: number, fill = "x") => Buffer.alloc(n, fill);

describe("FormattedCache", () => {
  it("keeps entries within its byte bound, dropping the least recently used first", () => {
    // Each entry costs its bytes plus 160: three of 340 fit in 1,500, a fourth does not.
    const cache = new FormattedCache(1500);
    cache.set("a", bytes(340, "a"));
    cache.set("b", bytes(340, "b"));
    cache.set("c", bytes(340, "c"));
    expect(cache.get("a")?.[0]).toBe(0x61); // "a" is now the most recently used
    cache.set("d", bytes(340, "d"));
    expect(cache.get("b")).toBeUndefined();
    expect([cache.get("a"), cache.get("c"), cache.get("d")].map((b) => b?.[0])).toEqual([0x61, 0x63, 0x64]);
    expect(cache.size).toBe(3);
  });

  it("replaces an entry without counting it twice, and never holds one larger than its bound", () => {
    const cache = new FormattedCache(1000);
    for (let i = 0; i < 10; i++) cache.set("same", bytes(300));
    cache.set("other", bytes(300));
    expect(cache.size).toBe(2);
    cache.set("huge", bytes(5000));
    expect(cache.get("huge")).toBeUndefined();
    expect(cache.size).toBe(2);
  });
});

describe("FormattedLookup", () => {
  it("asks for metadata only while an item is missing, and keeps what it made", () => {
    const cache = new FormattedCache();
    const lookup = new FormattedLookup(cache, ["ENVELOPE", "BODYSTRUCTURE"], "");
    expect(lookup.needsMeta("m1")).toBe(true);
    expect(lookup.get("m1", "ENVELOPE", () => Buffer.from("(env)")).toString()).toBe("(env)");
    expect(lookup.needsMeta("m1")).toBe(true); // BODYSTRUCTURE still missing
    lookup.get("m1", "BODYSTRUCTURE", () => Buffer.from("(bs)"));
    const again = new FormattedLookup(cache, ["ENVELOPE", "BODYSTRUCTURE"], "");
    expect(again.needsMeta("m1")).toBe(false);
    const made = () => {
      throw new Error("made again");
    };
    expect(again.get("m1", "BODYSTRUCTURE", made).toString()).toBe("(bs)");
    // UTF8=ACCEPT formats differently: its own entries.
    expect(new FormattedLookup(cache, ["ENVELOPE"], "utf8").needsMeta("m1")).toBe(true);
  });

  it("keeps what it took when it said no metadata was needed, though the cache drops it meanwhile", () => {
    const cache = new FormattedCache(400);
    new FormattedLookup(cache, ["ENVELOPE"], "").get("m1", "ENVELOPE", () => bytes(200, "e"));
    const lookup = new FormattedLookup(cache, ["ENVELOPE"], "");
    expect(lookup.needsMeta("m1")).toBe(false);
    cache.set("another session's", bytes(200)); // evicts m1's envelope
    expect(cache.get("m1 ENVELOPE ")).toBeUndefined();
    const made = () => {
      throw new Error("no metadata was read for m1");
    };
    expect(lookup.get("m1", "ENVELOPE", made)[0]).toBe(0x65);
  });
});

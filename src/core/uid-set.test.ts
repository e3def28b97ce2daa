import { describe, expect, it } from "vitest";
import { normalizeUidSet } from "./uid-set.js";

const norm = (...items: Array<number | [number, number]>) =>
  normalizeUidSet(items.map((i) => (typeof i === "number" ? i : { from: i[0], to: i[1] }))).map((r) => [
    r.from,
    r.to,
  ]);

describe("Core: UID sets", () => {
  it("sorts and merges overlapping and adjacent ranges", () =>
    expect(norm(9, [3, 5], 4, [6, 7], 1)).toEqual([
      [1, 1],
      [3, 7],
      [9, 9],
    ]));
  it("reads a reversed range as its bounds (RFC 3501: 5:3 is 3:5)", () =>
    expect(norm([5, 3])).toEqual([[3, 5]]));
  it("takes the largest 32-bit UID", () => expect(norm([1, 2 ** 32 - 1])).toEqual([[1, 2 ** 32 - 1]]));
  it("refuses UID 0, fractions and UIDs past 32 bits", () => {
    expect(() => norm(0)).toThrow(/UID 0/);
    expect(() => norm(1.5)).toThrow(/UID 1.5/);
    expect(() => norm([1, 2 ** 32])).toThrow(/4294967296/);
  });
  it("refuses more ranges than the cap", () =>
    expect(() => normalizeUidSet(Array.from({ length: 10_001 }, (_, i) => 2 * i + 1))).toThrow(
      /10001 ranges/,
    ));
});

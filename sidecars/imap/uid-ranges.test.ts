import { describe, expect, it } from "vitest";
import { compactUidSet, missingUidSet, uidChunks, uidRuns } from "./uid-ranges.js";

describe("UID ranges", () => {
  it("writes runs of ascending UIDs as a sequence set", () => {
    expect(compactUidSet([1, 2, 3, 5, 7, 8])).toBe("1:3,5,7:8");
    expect(compactUidSet([4])).toBe("4");
    expect(compactUidSet([])).toBe("");
    expect(uidRuns([2, 3, 9])).toEqual([
      { from: 2, to: 3 },
      { from: 9, to: 9 },
    ]);
  });

  it("splits UIDs into core calls of at most 10,000 ranges", () => {
    const everyOther = Array.from({ length: 25_000 }, (_, i) => 2 * i + 1);
    expect(uidChunks(everyOther).map((c) => c.length)).toEqual([10_000, 10_000, 5000]);
    expect(uidChunks([])).toEqual([]);
  });

  it("names the UIDs of ranges that are not present, up to the last UID given out", () => {
    const r = (from: number, to: number) => ({ from, to });
    expect(missingUidSet([r(1, 10)], [2, 3, 7], 9)).toBe("1,4:6,8:9");
    expect(missingUidSet([r(1, 4294967295)], [5], 6)).toBe("1:4,6");
    expect(missingUidSet([r(3, 3), r(1, 2), r(2, 5)], [4], 100)).toBe("1:3,5");
    expect(missingUidSet([r(1, 3)], [1, 2, 3], 3)).toBe("");
    expect(missingUidSet([r(8, 9)], [], 5)).toBe("");
  });
});

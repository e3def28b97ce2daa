import { describe, expect, it } from "vitest";
import { BadArguments } from "./request.js";
import { isSequenceSet, parseSequenceSet, resolveSequenceNumbers, resolveUids } from "./sequence-set.js";

describe("IMAP sequence sets", () => {
  it("parses numbers, ranges and *", () => {
    expect(parseSequenceSet("1:3,5,7:*")).toEqual([
      { from: 1, to: 3 },
      { from: 5, to: 5 },
      { from: 7, to: null },
    ]);
    for (const bad of ["", "0", "1:", "a", "1:2:3", "1,,2", "4294967296", "01"])
      expect(() => parseSequenceSet(bad), bad).toThrow(BadArguments);
    expect(isSequenceSet("2:*,4")).toBe(true);
    expect(isSequenceSet("ALL")).toBe(false);
  });

  it("resolves sequence numbers, reversed ranges, and says when one is past the end", () => {
    expect(resolveSequenceNumbers(parseSequenceSet("4:2,1,*"), 5)).toEqual({
      seqs: [1, 2, 3, 4, 5],
      outOfRange: false,
    });
    expect(resolveSequenceNumbers(parseSequenceSet("1:9"), 3).outOfRange).toBe(true);
    expect(resolveSequenceNumbers(parseSequenceSet("*"), 0)).toEqual({ seqs: [], outOfRange: false });
  });

  it("resolves UID sets against the UIDs that exist, * being the largest even below N (N:*)", () => {
    const uids = [2, 4, 6, 8, 10];
    expect(resolveUids(parseSequenceSet("3:7,1,9:*"), uids)).toEqual([4, 6, 10]);
    expect(resolveUids(parseSequenceSet("20:*"), uids)).toEqual([10]);
    expect(resolveUids(parseSequenceSet("1:*,4"), uids)).toEqual(uids);
    expect(resolveUids(parseSequenceSet("*"), [])).toEqual([]);
  });
});

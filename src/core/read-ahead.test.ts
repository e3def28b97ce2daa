import { describe, expect, it } from "vitest";
import { readAhead } from "./read-ahead.js";

/** Reads that finish only when the test says so, to see what was started at each step. */
function controlledReads() {
  const started: number[] = [];
  const pending = new Map<number, { resolve: (v: string) => void; reject: (e: Error) => void }>();
  const read = (n: number) =>
    new Promise<string>((resolve, reject) => {
      started.push(n);
      pending.set(n, { resolve, reject });
    });
  return { started, pending, read };
}

describe("readAhead", () => {
  it("yields every item in order with its read, and null for an item not read ahead", async () => {
    const items = [1, 2, 3, 4, 5];
    const out: Array<[number, string | null]> = [];
    for await (const pair of readAhead(
      items,
      (n) => (n === 3 ? null : 10),
      async (n) => `read ${n}`,
      100,
    ))
      out.push(pair);
    expect(out).toEqual([
      [1, "read 1"],
      [2, "read 2"],
      [3, null],
      [4, "read 4"],
      [5, "read 5"],
    ]);
  });

  it("starts reads ahead only while the bytes held stay within the limit", async () => {
    const { started, pending, read } = controlledReads();
    // 40 bytes each, 100 allowed: the current item and the next one (80); a third would make 120.
    const reader = readAhead([1, 2, 3, 4], () => 40, read, 100);
    const first = reader.next();
    expect(started).toEqual([1, 2]);
    pending.get(1)!.resolve("a");
    expect((await first).value).toEqual([1, "a"]);
    // Item 1 is released when the next is asked for: 3 may start then, not 4.
    const second = reader.next();
    expect(started).toEqual([1, 2, 3]);
    pending.get(2)!.resolve("b");
    expect((await second).value).toEqual([2, "b"]);
    const third = reader.next();
    expect(started).toEqual([1, 2, 3, 4]);
    pending.get(3)!.resolve("c");
    pending.get(4)!.resolve("d");
    expect((await third).value).toEqual([3, "c"]);
    expect((await reader.next()).value).toEqual([4, "d"]);
    expect((await reader.next()).done).toBe(true);
  });

  it("reads an item larger than the limit when its turn comes, one at a time", async () => {
    const { started, pending, read } = controlledReads();
    const reader = readAhead([1, 2], () => 500, read, 100);
    const first = reader.next();
    expect(started).toEqual([1]);
    pending.get(1)!.resolve("big");
    expect((await first).value).toEqual([1, "big"]);
    const second = reader.next();
    expect(started).toEqual([1, 2]);
    pending.get(2)!.resolve("big too");
    expect((await second).value).toEqual([2, "big too"]);
  });

  it("throws a failed read when its item is reached, after the items before it", async () => {
    const { pending, read } = controlledReads();
    const reader = readAhead([1, 2, 3], () => 1, read, 100);
    const first = reader.next();
    pending.get(2)!.reject(new Error("blob 2 is missing"));
    pending.get(1)!.resolve("a");
    expect((await first).value).toEqual([1, "a"]);
    await expect(reader.next()).rejects.toThrow("blob 2 is missing");
  });

  it("drops the reads of items never reached without an unhandled rejection", async () => {
    const { pending, read } = controlledReads();
    const unhandled: unknown[] = [];
    const note = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", note);
    try {
      const reader = readAhead([1, 2, 3], () => 1, read, 100);
      const first = reader.next();
      pending.get(1)!.resolve("a");
      await first;
      await reader.return(undefined);
      pending.get(2)!.reject(new Error("never reached"));
      pending.get(3)!.reject(new Error("never reached either"));
      // Unhandled rejections are reported after the microtasks of the turn: wait a whole turn.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", note);
    }
  });
});

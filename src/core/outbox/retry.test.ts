import { describe, expect, it } from "vitest";
import { assertRetrySchedule, DEFAULT_RETRY, nextAttemptAt } from "./retry.js";

const T0 = new Date("2026-03-01T00:00:00Z");
const MIN = 60_000;
const after = (ms: number) => new Date(T0.getTime() + ms);

describe("Outbox retry schedule", () => {
  it("waits 5, 10, 20 minutes, 1, 2, 4 hours, then 4 hours again", () => {
    const next = (attempts: number) =>
      (nextAttemptAt(DEFAULT_RETRY, T0, attempts, T0)!.getTime() - T0.getTime()) / MIN;
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(next)).toEqual([5, 10, 20, 60, 120, 240, 240, 240]);
  });

  it("puts the last attempt on the deadline and gives up from it on", () => {
    const deadline = DEFAULT_RETRY.maxAgeMs;
    expect(nextAttemptAt(DEFAULT_RETRY, T0, 9, after(deadline - MIN))).toEqual(after(deadline));
    expect(nextAttemptAt(DEFAULT_RETRY, T0, 9, after(deadline))).toBeNull();
    expect(nextAttemptAt(DEFAULT_RETRY, T0, 9, after(deadline + 1))).toBeNull();
  });

  it("refuses a schedule without pauses, with a pause that is not positive, or without a maximum age", () => {
    expect(() => assertRetrySchedule({ delaysMs: [], maxAgeMs: 1 })).toThrow(/one or more positive/);
    expect(() => assertRetrySchedule({ delaysMs: [5, 0], maxAgeMs: 1 })).toThrow(/\[5, 0\]/);
    expect(() => assertRetrySchedule({ delaysMs: [5], maxAgeMs: 0 })).toThrow(/Maximum queue age 0 ms/);
    expect(() => assertRetrySchedule(DEFAULT_RETRY)).not.toThrow();
  });
});

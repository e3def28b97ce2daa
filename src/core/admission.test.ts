import { describe, expect, it } from "vitest";
import { assertMessageSize, assertQuotaRoom, exceedsQuota, messageTooLarge } from "./admission.js";

const user = (quotaBytes: number, storageUsed: number) => ({ quotaBytes, storageUsed });

describe("Core: admission of a message (size and quota)", () => {
  it("fills the quota exactly", () => expect(exceedsQuota(user(100, 60), 40)).toBe(false));
  it("refuses one byte over the quota", () => expect(exceedsQuota(user(100, 60), 41)).toBe(true));
  it("treats a quota of 0 as unlimited", () => expect(exceedsQuota(user(0, 1e12), 1e9)).toBe(false));
  it("says what was tried, the quota and the usage", () =>
    expect(() => assertQuotaRoom(user(100, 60), 41, "Copying")).toThrow(
      expect.objectContaining({
        code: "QUOTA_EXCEEDED",
        message: "Copying 41 bytes would exceed the quota of 100 bytes (60 used).",
      }),
    ));
  it("accepts a message at the size limit", () => expect(() => assertMessageSize(10, 10)).not.toThrow());
  it("refuses a message one byte over the size limit", () =>
    expect(() => assertMessageSize(11, 10)).toThrow(
      expect.objectContaining({
        code: "MESSAGE_TOO_LARGE",
        message: "The message has 11 bytes; the limit is 10.",
      }),
    ));
  it("says 'at least' when a stream was cut off", () =>
    expect(messageTooLarge(11, 10, { atLeast: true }).message).toBe(
      "The message has at least 11 bytes; the limit is 10.",
    ));
});

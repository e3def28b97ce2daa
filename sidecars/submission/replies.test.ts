import { describe, expect, it } from "vitest";
import { DomainError, type ErrorCode } from "../../src/core/index.js";
import { senderRefusal, submissionRefusal } from "./replies.js";

const line = (r: { code: number; enhanced: string; text: string } | null) =>
  r && `${r.code} ${r.enhanced} ${r.text}`;
const domain = (code: ErrorCode, message = "Why.", retryAfterMs?: number) =>
  new DomainError(code, message, { retryAfterMs });

describe("Submission replies for the core's answers", () => {
  it("refuses a sender that is not the user's 553 5.7.1 at MAIL, and leaves other errors to the caller", () => {
    expect(line(senderRefusal(domain("FORBIDDEN", "Not yours.")))).toBe("553 5.7.1 Not yours.");
    expect(senderRefusal(domain("BUS_UNAVAILABLE"))).toBeNull();
    expect(senderRefusal(new Error("boom"))).toBeNull();
  });

  it("maps each refusal after DATA to its reply: permanent for what the user must change, temporary otherwise", () => {
    expect(line(submissionRefusal(domain("FORBIDDEN")))).toBe("550 5.7.1 Why.");
    expect(line(submissionRefusal(domain("MESSAGE_TOO_LARGE")))).toBe("552 5.3.4 Why.");
    expect(line(submissionRefusal(domain("INVALID_INPUT")))).toBe("550 5.6.0 Why.");
    expect(line(submissionRefusal(domain("ACCOUNT_DISABLED")))).toBe("550 5.7.13 Why.");
    expect(line(submissionRefusal(domain("QUOTA_EXCEEDED")))).toBe("452 4.2.2 Why.");
    expect(line(submissionRefusal(domain("STORAGE_FULL")))).toBe(
      "452 4.3.1 Why. The message was not queued.",
    );
    expect(line(submissionRefusal(domain("BUS_UNAVAILABLE")))).toBe(
      "451 4.3.0 The message could not be queued just now; try again later.",
    );
    expect(line(submissionRefusal(new Error("SQLITE_BUSY")))).toBe(
      "451 4.3.0 The message could not be queued just now; try again later.",
    );
  });

  it("says when to try again after the daily limit, unless the core's sentence already does", () => {
    expect(line(submissionRefusal(domain("RATE_LIMITED", "Daily limit reached.", 1500)))).toBe(
      "450 4.7.1 Daily limit reached. Try again in 2 seconds.",
    );
    expect(line(submissionRefusal(domain("RATE_LIMITED", "Limit; try again in 5 minutes.", 300_000)))).toBe(
      "450 4.7.1 Limit; try again in 5 minutes.",
    );
  });
});

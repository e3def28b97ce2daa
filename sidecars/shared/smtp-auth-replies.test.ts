import { describe, expect, it } from "vitest";
import { DomainError, type ErrorCode } from "../../src/core/index.js";
import { formatSmtpReply, SMTP_AUTH_REPLIES, smtpReplyForAuthError } from "./smtp-auth-replies.js";

const line = (err: unknown) => formatSmtpReply(smtpReplyForAuthError(err));
const domain = (code: ErrorCode, message = "why") => new DomainError(code, message);

describe("SMTP AUTH replies for the core's password check (RFC 4954 §6)", () => {
  it("answers wrong credentials 535 5.7.8 without repeating what was wrong", () => {
    expect(line(domain("AUTH_FAILED", "The username or password is wrong."))).toBe(
      "535 5.7.8 Authentication credentials invalid.",
    );
  });

  it("answers a disabled account 525 5.7.13 (RFC 5248) with the core's sentence", () => {
    expect(line(domain("ACCOUNT_DISABLED", 'Account "ann" is disabled.'))).toBe(
      '525 5.7.13 Account "ann" is disabled.',
    );
  });

  it("answers the login limits and outages 454 4.7.0, keeping the time to wait", () => {
    const limited = new DomainError(
      "RATE_LIMITED",
      "Too many failed password attempts; try again in 42 seconds.",
      {
        retryAfterMs: 41_500,
      },
    );
    expect(line(limited)).toBe("454 4.7.0 Too many failed password attempts; try again in 42 seconds.");
    expect(line(domain("BUS_UNAVAILABLE"))).toBe("454 4.7.0 why");
    expect(line(domain("STORAGE_FULL"))).toBe("454 4.7.0 why");
  });

  it("answers anything unexpected 454 4.7.0 without its text", () => {
    expect(line(new Error("connection to 10.0.0.5 reset"))).toBe(
      "454 4.7.0 Temporary authentication failure; try again later.",
    );
    expect(line(domain("NOT_FOUND"))).toBe("454 4.7.0 Temporary authentication failure; try again later.");
  });

  it("names the refusals a front end makes itself with their RFC 4954 codes", () => {
    const codes = Object.fromEntries(
      Object.entries(SMTP_AUTH_REPLIES).map(([name, r]) => [name, `${r.code} ${r.enhanced}`]),
    );
    expect(codes).toEqual({
      encryptionRequired: "538 5.7.11",
      mechanismTooWeak: "534 5.7.9",
      cancelled: "501 5.7.0",
      badBase64: "501 5.5.2",
      lineTooLong: "500 5.5.6",
      authRequired: "530 5.7.0",
    });
  });
});

import { describe, expect, it } from "vitest";
import type { ErrorCode } from "../../../src/core/index.js";
import { responseCodeFor } from "./response-codes.js";

describe("responseCodeFor", () => {
  it("maps every core error code to an RFC 5530 / RFC 7889 response code", () => {
    const expected: Record<ErrorCode, string> = {
      AUTH_FAILED: "AUTHENTICATIONFAILED",
      ACCOUNT_DISABLED: "CONTACTADMIN",
      RATE_LIMITED: "UNAVAILABLE",
      TRANSFER_LIMIT: "LIMIT",
      NOT_FOUND: "NONEXISTENT",
      ALREADY_EXISTS: "ALREADYEXISTS",
      UNAUTHENTICATED: "NOPERM",
      FORBIDDEN: "NOPERM",
      QUOTA_EXCEEDED: "OVERQUOTA",
      MESSAGE_TOO_LARGE: "TOOBIG",
      STORAGE_FULL: "UNAVAILABLE",
      BUS_UNAVAILABLE: "UNAVAILABLE",
      INVALID_INPUT: "CANNOT",
      CANNOT_CALCULATE_CHANGES: "CANNOT",
    };
    for (const [code, imap] of Object.entries(expected))
      expect([code, responseCodeFor(code as ErrorCode)]).toEqual([code, imap]);
  });
});

// The core's error codes as IMAP response codes (RFC 5530, RFC 7889 TOOBIG), so a client can tell "wrong
// password" from "try later" from "mailbox full" without reading the text.
import type { ErrorCode } from "../../../src/core/index.js";

export function responseCodeFor(code: ErrorCode): string {
  switch (code) {
    case "AUTH_FAILED":
      return "AUTHENTICATIONFAILED";
    // The password was right but the account may not log in: a person must act (RFC 5530 §3).
    case "ACCOUNT_DISABLED":
      return "CONTACTADMIN";
    // Too many failed logins: temporary, the text says when to retry.
    case "RATE_LIMITED":
      return "UNAVAILABLE";
    // RFC 5530 LIMIT: a per-user limit of the server's, here the day's download or upload allowance.
    case "TRANSFER_LIMIT":
      return "LIMIT";
    case "NOT_FOUND":
      return "NONEXISTENT";
    case "ALREADY_EXISTS":
      return "ALREADYEXISTS";
    case "UNAUTHENTICATED":
    case "FORBIDDEN":
      return "NOPERM";
    case "QUOTA_EXCEEDED":
      return "OVERQUOTA";
    case "MESSAGE_TOO_LARGE":
      return "TOOBIG";
    // A full disk or an unreachable bus: nothing wrong with the request; it may work later.
    case "STORAGE_FULL":
    case "BUS_UNAVAILABLE":
      return "UNAVAILABLE";
    case "INVALID_INPUT":
    case "CANNOT_CALCULATE_CHANGES":
      return "CANNOT";
    default:
      return "SERVERBUG";
  }
}

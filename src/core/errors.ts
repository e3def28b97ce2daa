import { BusUnavailableError } from "../bus/errors.js";
import { isStorageFull } from "../storage/ports.js";

/** The domain's error codes; each front end maps them to its protocol (GraphQL extensions.code, IMAP, LMTP). */
export type ErrorCode =
  | "NOT_FOUND"
  | "ALREADY_EXISTS"
  | "INVALID_INPUT"
  | "AUTH_FAILED"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "QUOTA_EXCEEDED"
  | "MESSAGE_TOO_LARGE"
  | "ACCOUNT_DISABLED"
  | "RATE_LIMITED"
  // A user's daily download or upload allowance (IMAP) is spent; retryAfterMs says when it renews.
  | "TRANSFER_LIMIT"
  | "CANNOT_CALCULATE_CHANGES"
  // Temporary: the request was fine and may succeed later (HTTP 507/503, LMTP 452 4.3.1 / 451 4.3.0).
  | "STORAGE_FULL"
  | "BUS_UNAVAILABLE";

/** An error the client caused or may see: a stable code and a one-sentence message with no protocol words. */
export class DomainError extends Error {
  override readonly name = "DomainError";
  /** For RATE_LIMITED and TRANSFER_LIMIT: milliseconds until the same request may succeed. */
  readonly retryAfterMs: number | undefined;
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

export const notFound = (what: string, id: string) =>
  new DomainError("NOT_FOUND", `${what} "${id}" was not found.`);
export const invalidInput = (message: string) => new DomainError("INVALID_INPUT", message);
export const forbidden = (message = "This needs the admin token.") => new DomainError("FORBIDDEN", message);

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}

/** Codes that say "try again later": nothing was wrong with the request. */
export const TEMPORARY_CODES: ReadonlySet<ErrorCode> = new Set(["STORAGE_FULL", "BUS_UNAVAILABLE"]);

/**
 * The one mapping every front end applies to an error: a domain error as it is, a full disk (ENOSPC, EDQUOT,
 * SQLITE_FULL, MongoDB's OutOfDiskSpace) as STORAGE_FULL, an unreachable bus as BUS_UNAVAILABLE; null for
 * anything else, which is a bug or an outage the front end logs and answers as an internal error.
 */
export function asDomainError(err: unknown): DomainError | null {
  if (err instanceof DomainError) return err;
  if (isStorageFull(err))
    return new DomainError("STORAGE_FULL", "The server's storage is full; try again later.", { cause: err });
  if (err instanceof BusUnavailableError)
    return new DomainError("BUS_UNAVAILABLE", "The server is briefly unavailable; try again shortly.", {
      cause: err,
    });
  return null;
}

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
  | "CANNOT_CALCULATE_CHANGES";

/** An error the client caused or may see: a stable code and a one-sentence message with no protocol words. */
export class DomainError extends Error {
  override readonly name = "DomainError";
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string) =>
  new DomainError("NOT_FOUND", `${what} "${id}" was not found.`);
export const invalidInput = (message: string) => new DomainError("INVALID_INPUT", message);
export const forbidden = (message = "This needs the admin token.") => new DomainError("FORBIDDEN", message);

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}

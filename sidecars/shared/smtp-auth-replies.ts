// SMTP AUTH replies (RFC 4954 §6, enhanced codes of RFC 3463 / RFC 5248) for the submission server: what the
// core's password check refused, and the refusals a front end makes itself. Pure: no core service, no socket.
import { asDomainError } from "../../src/core/index.js";

export interface SmtpReply {
  code: number;
  /** The enhanced status code, e.g. "5.7.8". */
  enhanced: string;
  text: string;
}

/** The refusals an SMTP front end makes before or around the core's check (RFC 4954 §4 and §6). */
export const SMTP_AUTH_REPLIES = {
  /** A mechanism that sends the password in the clear, on a connection that is not encrypted. */
  encryptionRequired: {
    code: 538,
    enhanced: "5.7.11",
    text: "Encryption required for this authentication mechanism; use STARTTLS first.",
  },
  /** The mechanism is weaker than this server's policy allows for the user. */
  mechanismTooWeak: { code: 534, enhanced: "5.7.9", text: "Authentication mechanism is too weak." },
  /** The client answered a challenge with "*". */
  cancelled: { code: 501, enhanced: "5.7.0", text: "Authentication cancelled." },
  /** A SASL response that is not base64. */
  badBase64: { code: 501, enhanced: "5.5.2", text: "Cannot decode the response as base64." },
  /** A SASL response longer than the server accepts. */
  lineTooLong: { code: 500, enhanced: "5.5.6", text: "Authentication exchange line is too long." },
  /** MAIL before AUTH where submission needs it. */
  authRequired: { code: 530, enhanced: "5.7.0", text: "Authentication required." },
} as const satisfies Record<string, SmtpReply>;

/**
 * The reply for an error from `core.auth.checkPassword`: wrong credentials are 535 5.7.8, a disabled account
 * (its password was right, so saying so leaks nothing) 525 5.7.13, and anything temporary — the login limits,
 * a full disk, an unreachable bus, an unexpected error — 454 4.7.0, so the client keeps its password and
 * tries again later instead of asking the user for another one.
 */
export function smtpReplyForAuthError(err: unknown): SmtpReply {
  const domain = asDomainError(err);
  switch (domain?.code) {
    case "AUTH_FAILED":
      return { code: 535, enhanced: "5.7.8", text: "Authentication credentials invalid." };
    case "ACCOUNT_DISABLED":
      return { code: 525, enhanced: "5.7.13", text: domain.message };
    case "RATE_LIMITED":
    case "STORAGE_FULL":
    case "BUS_UNAVAILABLE":
      return { code: 454, enhanced: "4.7.0", text: domain.message };
    default:
      return { code: 454, enhanced: "4.7.0", text: "Temporary authentication failure; try again later." };
  }
}

/** A reply as its line on the wire: "535 5.7.8 Authentication credentials invalid." */
export function formatSmtpReply(reply: SmtpReply): string {
  return `${reply.code} ${reply.enhanced} ${reply.text}`;
}

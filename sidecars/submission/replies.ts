// What the core's submission service said, as SMTP replies (RFC 5321 §4.2, enhanced codes of RFC 3463 / 5248).
// Pure: no core service, no socket; the server turns a refusal into the Error smtp-server sends.
import { asDomainError } from "../../src/core/index.js";
import type { SmtpReply } from "../shared/smtp-auth-replies.js";

/** MAIL FROM with an address that is not the user's (RFC 6409 §6.1: the MSA may refuse to relay for it). */
export function senderRefusal(err: unknown): SmtpReply | null {
  const domain = asDomainError(err);
  if (domain?.code !== "FORBIDDEN") return null;
  return { code: 553, enhanced: "5.7.1", text: domain.message };
}

/**
 * The reply for an error from `submitRaw` after DATA. A message the user can fix (a forged From, too large) is
 * permanent; a limit that renews or an outage is temporary, so the client keeps the message and tries again.
 */
export function submissionRefusal(err: unknown): SmtpReply {
  const domain = asDomainError(err);
  switch (domain?.code) {
    case "FORBIDDEN":
      return { code: 550, enhanced: "5.7.1", text: domain.message };
    case "RATE_LIMITED":
      return { code: 450, enhanced: "4.7.1", text: withWait(domain.message, domain.retryAfterMs) };
    case "MESSAGE_TOO_LARGE":
      return { code: 552, enhanced: "5.3.4", text: domain.message };
    case "QUOTA_EXCEEDED":
      // The Sent copy does not fit the sender's own quota: deleting mail fixes it, so it is worth a retry.
      return { code: 452, enhanced: "4.2.2", text: domain.message };
    case "INVALID_INPUT":
      return { code: 550, enhanced: "5.6.0", text: domain.message };
    case "ACCOUNT_DISABLED":
      return { code: 550, enhanced: "5.7.13", text: domain.message };
    case "STORAGE_FULL":
      return { code: 452, enhanced: "4.3.1", text: `${domain.message} The message was not queued.` };
    default:
      return {
        code: 451,
        enhanced: "4.3.0",
        text: "The message could not be queued just now; try again later.",
      };
  }
}

/** The limit's own sentence, plus when to try again if it does not say so itself. */
function withWait(message: string, retryAfterMs: number | undefined): string {
  if (retryAfterMs === undefined || /try again in/i.test(message)) return message;
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return `${message} Try again in ${seconds} seconds.`;
}

/** The reply for a queued message: RFC 5321's 250 with the queue id, as Postfix words it. */
export function queuedReply(queueId: string): SmtpReply {
  return { code: 250, enhanced: "2.0.0", text: `Ok: queued as ${queueId}` };
}

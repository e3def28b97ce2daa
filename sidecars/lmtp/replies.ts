// What the core said about a recipient, as an LMTP reply (RFC 2033, enhanced codes of RFC 3463). Pure: no core
// service, no socket; the server turns a refusal into the Error smtp-server sends.
import type { RecipientCheck, RecipientStatus } from "../../src/core/index.js";

export interface LmtpReply {
  code: number;
  /** The RFC 3463 enhanced status code, e.g. "5.1.1". */
  enhanced: string;
  text: string;
}

export interface ReplyOptions {
  /** Over quota is permanent (552 5.2.2, the MTA bounces) instead of temporary (452 4.2.2, it retries). */
  overQuotaPermanent: boolean;
}

/** The reply for a recipient the core refused, at RCPT or after DATA; null for one that is fine or stored. */
export function replyFor(
  status: RecipientStatus | RecipientCheck["status"],
  message: string,
  options: ReplyOptions,
  temporaryCode?: string,
): LmtpReply | null {
  switch (status) {
    case "ok":
    case "stored":
      return null;
    case "unknown":
      return { code: 550, enhanced: "5.1.1", text: message };
    case "invalid":
      return { code: 553, enhanced: "5.1.3", text: message };
    case "disabled":
      return { code: 550, enhanced: "5.2.1", text: message };
    case "over-quota":
      return options.overQuotaPermanent
        ? { code: 552, enhanced: "5.2.2", text: message }
        : { code: 452, enhanced: "4.2.2", text: message };
    case "too-large":
      return { code: 552, enhanced: "5.3.4", text: message };
    case "rate-limited":
      // RFC 3463 X.2.1: the mailbox is not accepting messages just now (the per-recipient rate).
      return { code: 450, enhanced: "4.2.1", text: message };
    case "client-rate-limited":
      return { code: 451, enhanced: "4.7.1", text: message };
    case "rejected":
      return { code: 554, enhanced: "5.6.0", text: message };
    case "temporary-failure":
      // A full disk is "system storage", anything else a local error; both tell the MTA to try again.
      return temporaryCode === "STORAGE_FULL"
        ? { code: 452, enhanced: "4.3.1", text: message }
        : { code: 451, enhanced: "4.3.0", text: message };
  }
}

/** The reply for a failure nothing more is known about (a store that threw at RCPT time). */
export const TEMPORARY_FAILURE: LmtpReply = {
  code: 451,
  enhanced: "4.3.0",
  text: "The recipient could not be checked just now; try again later.",
};

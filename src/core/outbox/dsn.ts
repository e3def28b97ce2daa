// The bounce: a delivery status notification (RFC 3464) for recipients the queue gave up on, as a
// multipart/report (RFC 6522) with a human-readable part, the machine-readable message/delivery-status and the
// original's header section (text/rfc822-headers). Threaded with the original by In-Reply-To / References.
import { randomBytes } from "node:crypto";

export interface BouncedRecipient {
  address: string;
  /** The last answer: an SMTP reply ("550 5.1.1 No such user") or a connection error's text. */
  response: string;
  /** True when it bounced because the queue's maximum age passed (the last answer was temporary). */
  expired: boolean;
}

export interface DsnArgs {
  /** This server's name (Reporting-MTA, the From address's domain, the Message-ID's right side). */
  hostname: string;
  /** The original's envelope sender: the report goes to it. */
  to: string;
  /** The original's bytes (its header section is quoted). */
  original: Buffer;
  originalMessageId: string | null;
  /** When the original entered the queue (Arrival-Date). */
  arrivalDate: Date;
  recipients: BouncedRecipient[];
  date: Date;
}

const SMTP_REPLY = /^[245]\d\d(?:[ -]|$)/;
const ENHANCED = /^[245]\d\d[ -]([245]\.\d{1,3}\.\d{1,3})(?:\s|$)/;

/** RFC 3464 §2.3.4: the enhanced status code of the reply, else one of its class (expired: 4.4.7, RFC 3463). */
export function dsnStatus(r: Pick<BouncedRecipient, "response" | "expired">): string {
  const enhanced = ENHANCED.exec(r.response)?.[1];
  if (enhanced) return enhanced;
  if (r.expired) return "4.4.7";
  return r.response.startsWith("4") && SMTP_REPLY.test(r.response) ? "4.0.0" : "5.0.0";
}

/** RFC 3464 §2.3.6: an SMTP reply is "smtp;" typed; anything else (a connection error) is ours. */
function diagnosticCode(response: string): string {
  return SMTP_REPLY.test(response) ? `smtp; ${response}` : `X-Eider; ${response}`;
}

/** RFC 5322 date-time in UTC ("Sun, 01 Mar 2026 10:00:00 +0000"). */
export function rfc5322Date(d: Date): string {
  return d.toUTCString().replace(/GMT$/, "+0000");
}

/** Text safe in a header or a 7-bit body line: no line breaks, control characters or 8-bit characters. */
function printable(text: string, max = 900): string {
  return text
    .replace(/[^\x20-\x7e]+/g, " ")
    .trim()
    .slice(0, max);
}

/** The original's header section, lines ending in CRLF, without the blank line after it. */
export function headerSection(raw: Buffer): Buffer {
  const crlf = raw.indexOf("\r\n\r\n");
  const lf = raw.indexOf("\n\n");
  const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 2 : lf >= 0 ? lf + 1 : raw.length;
  const text = raw.subarray(0, end).toString("latin1").replace(/\r?\n/g, "\r\n");
  return Buffer.from(text.endsWith("\r\n") || text.length === 0 ? text : `${text}\r\n`, "latin1");
}

/** The bounce's bytes, ready for delivery with the null reverse-path. */
export function buildDsn(a: DsnArgs): Buffer {
  const boundary = `=_eider-dsn-${randomBytes(12).toString("hex")}`;
  const host = printable(a.hostname);
  const expiredAll = a.recipients.every((r) => r.expired);
  const human = [
    `This is the mail system at ${host}.`,
    "",
    expiredAll
      ? "Your message could not be delivered in the time allowed to the following recipients:"
      : "Your message could not be delivered to the following recipients:",
    "",
    ...a.recipients.map((r) => `<${printable(r.address)}>: ${printable(r.response)}`),
    "",
    "The headers of your message follow as an attachment.",
  ];
  const status = [
    `Reporting-MTA: dns; ${host}`,
    `Arrival-Date: ${rfc5322Date(a.arrivalDate)}`,
    ...a.recipients.flatMap((r) => [
      "",
      `Final-Recipient: rfc822; ${printable(r.address)}`,
      "Action: failed",
      `Status: ${dsnStatus(r)}`,
      `Diagnostic-Code: ${diagnosticCode(printable(r.response))}`,
      `Last-Attempt-Date: ${rfc5322Date(a.date)}`,
    ]),
  ];
  const head = [
    `From: Mail Delivery System <MAILER-DAEMON@${host}>`,
    `To: <${printable(a.to)}>`,
    "Subject: Undelivered Mail Returned to Sender",
    `Date: ${rfc5322Date(a.date)}`,
    `Message-ID: <${randomBytes(12).toString("hex")}@${host}>`,
    ...(a.originalMessageId
      ? [`In-Reply-To: ${printable(a.originalMessageId)}`, `References: ${printable(a.originalMessageId)}`]
      : []),
    // RFC 3834 §5: a report is answered by no automatic responder.
    "Auto-Submitted: auto-replied",
    "MIME-Version: 1.0",
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
  ];
  const lines = [
    ...head,
    "",
    "This is a MIME-encapsulated message.",
    "",
    `--${boundary}`,
    "Content-Description: Notification",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    ...human,
    "",
    `--${boundary}`,
    "Content-Description: Delivery report",
    "Content-Type: message/delivery-status",
    "",
    ...status,
    "",
    `--${boundary}`,
    "Content-Description: Undelivered message headers",
    "Content-Type: text/rfc822-headers",
    "",
  ];
  return Buffer.concat([
    Buffer.from(lines.join("\r\n") + "\r\n", "latin1"),
    headerSection(a.original),
    Buffer.from(`\r\n--${boundary}--\r\n`, "latin1"),
  ]);
}

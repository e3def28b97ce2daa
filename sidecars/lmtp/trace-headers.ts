// The lines an MDA prepends to what it stores (RFC 5321 §4.4, RFC 9228 for Delivered-To): the envelope sender,
// the address it was delivered to, and one Received line for this hop. Pure: the stored copy is these lines
// followed by the DATA bytes exactly.

export interface TraceInput {
  /** The envelope sender, "" for the null reverse-path. */
  mailFrom: string;
  recipient: string;
  /** The name the client gave in LHLO. */
  clientName: string;
  /** The client's reverse DNS name, when smtp-server looked it up. */
  clientHostname?: string;
  clientAddress: string;
  /** This host's name. */
  serverName: string;
  /** smtp-server's session id, which the logs carry too. */
  sessionId: string;
  /** MAIL FROM carried SMTPUTF8: the protocol is then "UTF8LMTP" (RFC 6531 §3.7.3). */
  smtpUtf8?: boolean;
  /** The session went through STARTTLS: "LMTPS" / "UTF8LMTPS" (RFC 3848, RFC 6531 §3.7.3). */
  tls?: boolean;
  date: Date;
}

export function traceHeaders(t: TraceInput): string {
  const peer =
    t.clientHostname && t.clientHostname !== t.clientAddress
      ? `${clean(t.clientHostname).slice(0, 255)} `
      : "";
  return (
    `Return-Path: <${clean(t.mailFrom)}>\r\n` +
    `Delivered-To: ${clean(t.recipient)}\r\n` +
    `Received: from ${clean(t.clientName).slice(0, 255) || "unknown"} (${peer}[${clean(t.clientAddress)}])\r\n` +
    `\tby ${clean(t.serverName)} with ${t.smtpUtf8 ? "UTF8" : ""}LMTP${t.tls ? "S" : ""} id ${clean(t.sessionId)}\r\n` +
    `\tfor <${clean(t.recipient)}>; ${rfc5322Date(t.date)}\r\n`
  );
}

/** Values from the client never break a header: controls (CR, LF) become spaces, <> and ; are dropped. */
function clean(value: string): string {
  return value
    .replace(/[\x00-\x1f\x7f]/g, " ")
    .replace(/[<>;]/g, "")
    .trim();
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** RFC 5322 §3.3 date-time in UTC, e.g. "Tue, 1 Dec 2026 00:30:05 +0000". */
export function rfc5322Date(d: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return (
    `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}

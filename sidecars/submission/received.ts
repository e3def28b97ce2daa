// The Received line an MSA prepends to a submitted message (RFC 5321 §4.4: every server that accepts a message
// adds one). Protocol names of RFC 3848 and RFC 6531 §3.7.3: ESMTP + S (TLS) + A (authenticated). No "for" clause:
// with several recipients, or a Bcc one, naming one would tell the others who else got the message. Pure.
import { rfc5322Date } from "../lmtp/trace-headers.js";

export interface ReceivedInput {
  /** The name the client gave in EHLO. */
  clientName: string;
  /** The client's reverse DNS name, when smtp-server looked it up. */
  clientHostname?: string;
  clientAddress: string;
  serverName: string;
  /** smtp-server's session id, which the logs carry too. */
  sessionId: string;
  tls: boolean;
  smtpUtf8: boolean;
  date: Date;
}

export function receivedHeader(r: ReceivedInput): string {
  const peer =
    r.clientHostname && r.clientHostname !== r.clientAddress
      ? `${clean(r.clientHostname).slice(0, 255)} `
      : "";
  const protocol = `${r.smtpUtf8 ? "UTF8SMTP" : "ESMTP"}${r.tls ? "S" : ""}A`;
  return (
    `Received: from ${clean(r.clientName).slice(0, 255) || "unknown"} (${peer}[${clean(r.clientAddress)}])\r\n` +
    `\tby ${clean(r.serverName)} with ${protocol} id ${clean(r.sessionId)};\r\n` +
    `\t${rfc5322Date(r.date)}\r\n`
  );
}

/** Values from the client never break the header: controls (CR, LF) become spaces, <> ( ) and ; are dropped. */
function clean(value: string): string {
  return value
    .replace(/[\x00-\x1f\x7f]/g, " ")
    .replace(/[<>;()[\]]/g, "")
    .trim();
}

// A message as a client wrote it, made ready to send: Bcc removed, and the Date and Message-ID fields added when
// it has none (a message submission agent may add them, RFC 6409 §8.2-8.3; DKIM and threading need them). Nothing
// else is touched, so what the client signed or quoted stays as it was.
import { hasHeaderField, insertHeaderLinesAfterTrace } from "../../mime/index.js";
import { withoutBcc } from "./bcc.js";

export interface MissingFieldValues {
  messageId: () => string;
  date: Date;
}

export function readyToSend(raw: Buffer, values: MissingFieldValues): Buffer {
  const stripped = withoutBcc(raw);
  let added = "";
  if (!hasHeaderField(stripped, "date")) added += `Date: ${rfc5322Date(values.date)}\r\n`;
  if (!hasHeaderField(stripped, "message-id")) added += `Message-ID: ${values.messageId()}\r\n`;
  // Below a Received line the submission port wrote: trace fields stay at the top (RFC 5321 §4.4).
  return insertHeaderLinesAfterTrace(stripped, added);
}

/** RFC 5322 §3.3 date-time in UTC ("Tue, 01 Dec 2026 08:10:46 +0000"; "GMT" is only an obsolete zone there). */
export function rfc5322Date(d: Date): string {
  return d.toUTCString().replace(/GMT$/, "+0000");
}

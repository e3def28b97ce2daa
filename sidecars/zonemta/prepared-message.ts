// What Eider's relay preparation changed, carried into the message ZoneMTA has queued. By the time `message:queue`
// runs ZoneMTA has stored the body and keeps the header block apart (`envelope.headers`, written with the queue
// entry); the preparation changes only headers (a DKIM-Signature on top, Bcc gone), so the prepared header block
// replaces ZoneMTA's and the stored body stays. ZoneMTA then sends exactly the bytes Eider stored in Sent.
import type { ZoneMtaEnvelope, ZoneMtaHeaders } from "./zonemta-api.js";

/** A message cut at the empty line that ends its header block (RFC 5322 §2.1). */
export interface MessageParts {
  /** The header lines with their line breaks, without the empty line; empty for a message with no header. */
  header: Buffer;
  /** Everything after the empty line. */
  body: Buffer;
}

export function splitMessage(raw: Buffer): MessageParts {
  // A message that starts with its empty line has no header at all.
  for (const start of ["\r\n", "\n"])
    if (raw.subarray(0, start.length).toString("latin1") === start)
      return { header: raw.subarray(0, 0), body: raw.subarray(start.length) };
  const crlf = raw.indexOf("\r\n\r\n");
  const lf = raw.indexOf("\n\n");
  if (crlf < 0 && lf < 0) return { header: raw, body: raw.subarray(raw.length) };
  // Whichever empty line comes first ends the header; "\r\n\r\n" contains no "\n\n", so they never overlap.
  if (lf < 0 || (crlf >= 0 && crlf < lf))
    return { header: raw.subarray(0, crlf + 2), body: raw.subarray(crlf + 4) };
  return { header: raw.subarray(0, lf + 1), body: raw.subarray(lf + 2) };
}

/** Whether two bodies are the same text once line breaks are CRLF (ZoneMTA stores bodies with CRLF line ends). */
export function sameBody(a: Buffer, b: Buffer): boolean {
  if (a.equals(b)) return true;
  const crlf = (x: Buffer) => x.toString("latin1").replace(/\r?\n/g, "\r\n");
  return crlf(a) === crlf(b);
}

/**
 * Puts the prepared message's header block in place of the one ZoneMTA parsed and queues it for the remote
 * recipients only. Throws when the preparation changed the body, which ZoneMTA has already stored and cannot
 * change: sending the old body under the new header would break the DKIM signature and the byte-exact Sent copy.
 */
export function applyPrepared(
  envelope: ZoneMtaEnvelope,
  submitted: Buffer,
  prepared: { raw: Buffer; remoteRecipients: string[] },
): void {
  const before = splitMessage(submitted);
  const after = splitMessage(prepared.raw);
  if (!sameBody(before.body, after.body))
    throw new Error(
      `relay preparation changed the body of message ${envelope.id} (${before.body.length} -> ${after.body.length} bytes); ZoneMTA can only take header changes`,
    );
  // ZoneMTA's Headers class is mailsplit's, which it does not export; the instance it made is at hand.
  const Headers = envelope.headers.constructor as new (raw: Buffer) => ZoneMtaHeaders;
  envelope.headers = new Headers(after.header);
  envelope.to = [...prepared.remoteRecipients];
}

// Blind copies: the Bcc field names recipients the others must not see (RFC 5322 §3.6.3). What is sent never has
// it: it is cut out of the header block byte for byte, folded lines included, and nothing else changes. A draft
// keeps it, so a draft sent later (or a held message returned to Drafts) still knows its blind recipients.
import { prependHeaderLines, readTopHeaders, removeHeaderField } from "../../mime/index.js";

/** The message without its Bcc field(s); the same bytes otherwise. */
export function withoutBcc(raw: Buffer): Buffer {
  return removeHeaderField(raw, "bcc");
}

/**
 * The message with a Bcc field naming those of `recipients` that its To and Cc do not (a held message returned to
 * Drafts: its bytes lost the field, the envelope kept the addresses). The same bytes when there are none.
 */
export function withBlindRecipients(raw: Buffer, recipients: readonly string[]): Buffer {
  const headers = readTopHeaders(raw);
  const seen = new Set([...headers.to, ...headers.cc].map((a) => lookupKey(a.address)));
  const blind = recipients.filter((r) => !seen.has(lookupKey(r)));
  if (blind.length === 0) return raw;
  return prependHeaderLines(withoutBcc(raw), `Bcc: ${blind.join(", ")}\r\n`);
}

/** Every address of To, Cc and Bcc, once each (the envelope of a message given without one). */
export function headerRecipients(raw: Buffer): string[] {
  const headers = readTopHeaders(raw);
  const out = new Map<string, string>();
  for (const a of [...headers.to, ...headers.cc, ...headers.bcc]) {
    if (!a.address) continue;
    const key = lookupKey(a.address);
    if (!out.has(key)) out.set(key, a.address);
  }
  return [...out.values()];
}

/** Addresses compare case-insensitively; a `+label` or dots may matter to another server, so they count here. */
function lookupKey(address: string): string {
  return address.trim().toLowerCase();
}

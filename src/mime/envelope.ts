// The IMAP ENVELOPE (RFC 3501 §7.4.2) as JSON: raw header values (encoded words kept), addresses split.
import { parseAddressList, type AddressListEntry } from "./address.js";
import { firstHeader, type HeaderField } from "./header-block.js";

/**
 * One address structure. A group is a start entry {mailbox: group name, host: null} followed by its members
 * and an end entry with every field null, exactly as the IMAP grammar writes groups.
 */
export interface EnvelopeAddress {
  name: string | null;
  adl: string | null;
  mailbox: string | null;
  host: string | null;
}

/** Fields in RFC 3501 order; null is NIL. Sender and replyTo already default to from, as the RFC requires. */
export interface Envelope {
  date: string | null;
  subject: string | null;
  from: EnvelopeAddress[] | null;
  sender: EnvelopeAddress[] | null;
  replyTo: EnvelopeAddress[] | null;
  to: EnvelopeAddress[] | null;
  cc: EnvelopeAddress[] | null;
  bcc: EnvelopeAddress[] | null;
  inReplyTo: string | null;
  messageId: string | null;
}

/** Builds the envelope of a message from its header fields. */
export function buildEnvelope(fields: readonly HeaderField[]): Envelope {
  const from = addresses(fields, "from");
  return {
    date: firstHeader(fields, "date"),
    subject: firstHeader(fields, "subject"),
    from,
    sender: addresses(fields, "sender") ?? from,
    replyTo: addresses(fields, "reply-to") ?? from,
    to: addresses(fields, "to"),
    cc: addresses(fields, "cc"),
    bcc: addresses(fields, "bcc"),
    inReplyTo: firstHeader(fields, "in-reply-to"),
    messageId: firstHeader(fields, "message-id"),
  };
}

function addresses(fields: readonly HeaderField[], name: string): EnvelopeAddress[] | null {
  const value = firstHeader(fields, name);
  if (!value) return null;
  const list = toEnvelopeAddresses(parseAddressList(value));
  return list.length > 0 ? list : null;
}

/** Address-list entries in the IMAP form. An address without "@" gets host "" (NIL would mean a group). */
export function toEnvelopeAddresses(entries: readonly AddressListEntry[]): EnvelopeAddress[] {
  const out: EnvelopeAddress[] = [];
  const push = (name: string, route: string | null, address: string): void => {
    const at = address.lastIndexOf("@");
    out.push({
      name: name || null,
      adl: route,
      mailbox: at >= 0 ? address.slice(0, at) : address,
      host: at >= 0 ? address.slice(at + 1) : "",
    });
  };
  for (const entry of entries) {
    if (entry.kind === "address") {
      push(entry.name, entry.route, entry.address);
      continue;
    }
    out.push({ name: null, adl: null, mailbox: entry.name, host: null });
    for (const member of entry.members) push(member.name, member.route, member.address);
    out.push({ name: null, adl: null, mailbox: null, host: null });
  }
  return out;
}

// ENVELOPE (RFC 3501 §7.4.2, `envelope` in §9) from the envelope delivery stored: ten fields in RFC order,
// NIL for what the message lacks, addresses as (name adl mailbox host) and groups as the grammar writes them.
import type { Envelope, EnvelopeAddress } from "../../../src/core/index.js";
import type { ImapValue } from "./values.js";

export function envelopeValue(envelope: Envelope): ImapValue {
  return [
    envelope.date,
    envelope.subject,
    addressList(envelope.from),
    addressList(envelope.sender),
    addressList(envelope.replyTo),
    addressList(envelope.to),
    addressList(envelope.cc),
    addressList(envelope.bcc),
    envelope.inReplyTo,
    envelope.messageId,
  ];
}

/** `"(" 1*address ")" / nil`: an empty list is NIL, since the grammar has no empty address list. */
function addressList(list: EnvelopeAddress[] | null): ImapValue {
  if (!list || list.length === 0) return null;
  return list.map((a): ImapValue => [a.name, a.adl, a.mailbox, a.host]);
}

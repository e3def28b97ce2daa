// ENVELOPE (RFC 3501 §7.4.2, `envelope` in §9) from the envelope delivery stored: ten fields in RFC order,
// NIL for what the message lacks, addresses as (name adl mailbox host) and groups as the grammar writes them.
// An address list is `"(" 1*address ")"`: the addresses follow each other with no space between them.
import type { Envelope, EnvelopeAddress } from "../../../src/core/index.js";
import { formatValue, type FormatOptions } from "./values.js";

export function formatEnvelope(envelope: Envelope, options: FormatOptions = {}): Buffer {
  const field = (value: string | null) => formatValue(value, options);
  return Buffer.concat([
    OPEN,
    field(envelope.date),
    SPACE,
    field(envelope.subject),
    ...[envelope.from, envelope.sender, envelope.replyTo, envelope.to, envelope.cc, envelope.bcc].flatMap(
      (list) => [SPACE, addressList(list, options)],
    ),
    SPACE,
    field(envelope.inReplyTo),
    SPACE,
    field(envelope.messageId),
    CLOSE,
  ]);
}

/** An empty list is NIL too: the grammar has no empty address list. */
function addressList(list: EnvelopeAddress[] | null, options: FormatOptions): Buffer {
  if (!list || list.length === 0) return NIL;
  return Buffer.concat([
    OPEN,
    ...list.map((a) => formatValue([a.name, a.adl, a.mailbox, a.host], options)),
    CLOSE,
  ]);
}

const OPEN = Buffer.from("(");
const CLOSE = Buffer.from(")");
const SPACE = Buffer.from(" ");
const NIL = Buffer.from("NIL");

// ENVELOPE (RFC 3501 §7.4.2, `envelope` in §9) from the envelope delivery stored: ten fields in RFC order,
// NIL for what the message lacks, addresses as (name adl mailbox host) and groups as the grammar writes them.
// An address list is `"(" 1*address ")"`: the addresses follow each other with no space between them.
import type { Envelope, EnvelopeAddress } from "../../../src/core/index.js";
import { writeValue, type FormatOptions } from "./values.js";

/** One Buffer for the whole ENVELOPE: its ~25 pieces are gathered and concatenated once. */
export function formatEnvelope(envelope: Envelope, options: FormatOptions = {}): Buffer {
  const out: Buffer[] = [OPEN];
  writeValue(envelope.date, out, options);
  out.push(SPACE);
  writeValue(envelope.subject, out, options);
  for (const list of [
    envelope.from,
    envelope.sender,
    envelope.replyTo,
    envelope.to,
    envelope.cc,
    envelope.bcc,
  ]) {
    out.push(SPACE);
    addressList(list, out, options);
  }
  out.push(SPACE);
  writeValue(envelope.inReplyTo, out, options);
  out.push(SPACE);
  writeValue(envelope.messageId, out, options);
  out.push(CLOSE);
  return Buffer.concat(out);
}

/** An empty list is NIL too: the grammar has no empty address list. */
function addressList(list: EnvelopeAddress[] | null, out: Buffer[], options: FormatOptions): void {
  if (!list || list.length === 0) {
    out.push(NIL);
    return;
  }
  out.push(OPEN);
  for (const a of list) writeValue([a.name, a.adl, a.mailbox, a.host], out, options);
  out.push(CLOSE);
}

const OPEN = Buffer.from("(");
const CLOSE = Buffer.from(")");
const SPACE = Buffer.from(" ");
const NIL = Buffer.from("NIL");

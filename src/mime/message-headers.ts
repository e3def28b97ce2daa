// The decoded headers the core and the API use (threading, lists, search), as opposed to IMAP's raw envelope.
import { parseAddressList, toMailAddresses, type MailAddress } from "./address.js";
import { decodeWords } from "./charset.js";
import { firstHeader, type HeaderField } from "./header-block.js";

export interface ParsedHeaders {
  /** RFC 2047 decoded, unfolded, trimmed; "" when absent. */
  subject: string;
  from: MailAddress[];
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
  replyTo: MailAddress[];
  /** null when absent or unreadable. */
  date: Date | null;
  /** The first "<...>" of the header (or its trimmed value when it has none); null when absent. */
  messageId: string | null;
  inReplyTo: string | null;
  /** Every "<...>" of References, in order, without repeats. */
  references: string[];
}

/** Reads the decoded headers of a message from its top-level header fields. */
export function readParsedHeaders(fields: readonly HeaderField[]): ParsedHeaders {
  return {
    subject: decodeWords(firstHeader(fields, "subject") ?? "").replace(/[\r\n]+/g, ""),
    from: addresses(fields, "from"),
    to: addresses(fields, "to"),
    cc: addresses(fields, "cc"),
    bcc: addresses(fields, "bcc"),
    replyTo: addresses(fields, "reply-to"),
    date: parseDate(firstHeader(fields, "date")),
    messageId: firstMessageId(firstHeader(fields, "message-id")),
    inReplyTo: firstMessageId(firstHeader(fields, "in-reply-to")),
    references: [...new Set(messageIds(firstHeader(fields, "references") ?? ""))],
  };
}

/** Every occurrence counts: some senders split To or Cc over several fields. */
function addresses(fields: readonly HeaderField[], name: string): MailAddress[] {
  const out: MailAddress[] = [];
  for (const field of fields)
    if (field.name === name) out.push(...toMailAddresses(parseAddressList(field.value)));
  return out;
}

/** RFC 5322 §3.3 dates; V8's parser reads them, comments and obsolete zones included. */
export function parseDate(value: string | null): Date | null {
  if (!value) return null;
  const time = Date.parse(value.replace(/\([^)]*\)/g, " ").trim());
  return Number.isNaN(time) ? null : new Date(time);
}

function messageIds(value: string): string[] {
  return value.match(/<[^<>\s]+>/g) ?? [];
}

function firstMessageId(value: string | null): string | null {
  if (!value) return null;
  return messageIds(value)[0] ?? (value.trim() || null);
}

// Structured input -> RFC 5322 bytes, with nodemailer's MailComposer: address fields and the subject as RFC 2047
// encoded words where they are not ASCII, text with an HTML alternative, attachments, and the threading fields.
// Bcc is written only into a draft (so sending it later knows its blind recipients), never into what is sent.
import MailComposer from "nodemailer/lib/mail-composer";
import type { AttachmentInput, ComposeAddress, ComposeInput } from "./types.js";

/** An attachment's bytes (one named by a stored message's part is read first). */
export type ComposeAttachment = Extract<AttachmentInput, { content: Buffer }>;

/** What the bytes are made of: the input's fields, resolved attachments, and what the server sets. */
export interface ComposeParts extends Omit<ComposeInput, "attachments" | "inReplyTo" | "forwardOf"> {
  attachments: ComposeAttachment[];
  /** The Message-ID field's value, angle brackets included. */
  messageId: string;
  date: Date;
  /** The original's Message-ID, for a reply. */
  inReplyTo?: string | null;
  references?: string[];
  /** Write the Bcc field (a draft); otherwise Bcc is left out of the bytes. */
  keepBcc: boolean;
}

export async function composeMessage(parts: ComposeParts): Promise<Buffer> {
  const node = new MailComposer({
    from: address(parts.from),
    replyTo: addresses(parts.replyTo),
    to: addresses(parts.to),
    cc: addresses(parts.cc),
    bcc: parts.keepBcc ? addresses(parts.bcc) : undefined,
    subject: parts.subject ?? "",
    // A message needs a body: an empty text part when neither text nor HTML is given.
    text: parts.text ?? (parts.html == null ? "" : undefined),
    html: parts.html ?? undefined,
    attachments: parts.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: a.content,
      cid: a.contentId ?? undefined,
    })),
    messageId: parts.messageId,
    date: parts.date,
    inReplyTo: parts.inReplyTo ?? undefined,
    references: parts.references && parts.references.length > 0 ? parts.references : undefined,
    // Content comes only from the input: never from a path or a URL the input names.
    disableFileAccess: true,
    disableUrlAccess: true,
  }).compile();
  node.keepBcc = parts.keepBcc;
  return node.build();
}

function address(a: ComposeAddress): { name: string; address: string } {
  return { name: a.name ?? "", address: a.address };
}

function addresses(list: ComposeAddress[] | undefined): Array<{ name: string; address: string }> | undefined {
  return list && list.length > 0 ? list.map(address) : undefined;
}

/** A new Message-ID value: random, at the server's host name (RFC 5322 §3.6.4). */
export function newMessageId(hostname: string, random: string): string {
  return `<${random}@${hostname}>`;
}

// Building a message (the mime layer parses and builds; the core says what goes in): nodemailer's MailComposer
// gives the text with an HTML alternative, RFC 2047 header words and the Date/Message-ID it adds.
import MailComposer from "nodemailer/lib/mail-composer";

export interface NewMessageParts {
  from: string;
  to: string;
  subject: string;
  text: string;
  /** Sent as the alternative to `text` when given. */
  html?: string;
  inReplyTo?: string;
  references?: string[];
  date?: Date;
  /** Further header fields, as given. */
  headers?: Record<string, string>;
}

/** The RFC 822 bytes of a new message. */
export function composeMessage(parts: NewMessageParts): Promise<Buffer> {
  return new MailComposer({
    ...parts,
    references: parts.references && parts.references.length > 0 ? parts.references : undefined,
  })
    .compile()
    .build();
}

// The reply as RFC 822 bytes (built by the mime layer): text with an HTML alternative when there is one, and
// RFC 3834 §3.1's fields (Auto-Submitted, In-Reply-To, References, the "Auto:" subject).
import { composeMessage, type ParsedHeaders } from "../../mime/index.js";
import type { AutoreplyRecord } from "../../storage/ports.js";
import { replySubject } from "./rules.js";

export interface ReplyArgs {
  setting: Pick<AutoreplyRecord, "subject" | "text" | "html">;
  /** The user's address the message was sent to. */
  from: string;
  /** The envelope sender of the message answered. */
  to: string;
  original: Pick<ParsedHeaders, "subject" | "messageId" | "references">;
  date?: Date;
}

/** References of a reply: the original's, then its Message-ID (RFC 5322 §3.6.4), each once. */
export function replyReferences(original: Pick<ParsedHeaders, "messageId" | "references">): string[] {
  const refs = [...original.references];
  if (original.messageId && !refs.includes(original.messageId)) refs.push(original.messageId);
  return refs;
}

export function composeReply(args: ReplyArgs): Promise<Buffer> {
  const { setting, original } = args;
  return composeMessage({
    from: args.from,
    to: args.to,
    subject: replySubject(setting, original.subject),
    text: setting.text,
    html: setting.html ?? undefined,
    inReplyTo: original.messageId ?? undefined,
    references: replyReferences(original),
    date: args.date,
    headers: { "Auto-Submitted": "auto-replied" },
  });
}

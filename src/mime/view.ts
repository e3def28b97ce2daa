// What the API shows for one message: mailparser's text and HTML (slower, so only here), our attachment list.
import { simpleParser, type ParsedMail } from "mailparser";
import { listAttachments, type AttachmentInfo } from "./attachments.js";
import { extractBodyText } from "./body-text.js";
import { decodeWords } from "./charset.js";
import { splitMessage } from "./split.js";

export interface MessageView {
  text: string | null;
  /** As in the message, cid: references kept; sanitising is the client's job. */
  html: string | null;
  textAsHtml: string | null;
  attachments: AttachmentInfo[];
  /** Top-level header fields in order: lower-case key, value unfolded and RFC 2047 decoded. */
  headers: Array<{ key: string; value: string }>;
}

/** Parses a message for display. Never throws on bad MIME: where mailparser fails, the text comes from our own decoder. */
export async function viewMessage(raw: Buffer): Promise<MessageView> {
  const { tree, headers } = splitMessage(raw);
  let parsed: ParsedMail | null = null;
  try {
    parsed = await simpleParser(raw, { keepCidLinks: true, skipImageLinks: true });
  } catch {
    parsed = null;
  }
  const html = parsed?.html || null;
  // mailparser finds no text in MIME it cannot split (a boundary that never shows up); ours reads it as plain text.
  const text = parsed?.text ?? (html ? null : extractBodyText(raw, tree).searchText || null);
  return {
    text,
    html,
    textAsHtml: parsed?.textAsHtml ?? null,
    attachments: listAttachments(raw, tree),
    headers: (headers.get(tree)?.fields ?? []).map((field) => ({
      key: field.name,
      value: decodeWords(field.value.trim()),
    })),
  };
}

// How Eider's LMTP answers become the MX's SMTP answers. Pure: replies in, a verdict out.
//
// At RCPT the answer is Eider's, recipient by recipient. After DATA, SMTP has one reply for the whole message
// while LMTP gave one per recipient (RFC 2033 §4.2), so:
// - every recipient stored: 250;
// - none stored, all refused for good: the refusal (their shared code, else 550); any refused for now: 451
//   (a retry may succeed for them);
// - some stored, some refused for now: 451, so the sender tries again. The retry stores nothing twice: Eider keeps
//   one copy per Message-ID and mailbox within its duplicate window and answers the repeat 250 (RFC 5321 §4.2.5
//   lets a server answer a transaction it cannot finish for every recipient with a temporary failure);
// - some stored, the rest refused for good: 250, and the refusals are reported per recipient (`bounced`) for a
//   DSN to the sender (RFC 3461/3464), which is what an MTA does once it has accepted a message.
import type { Reply } from "./lmtp-client.js";
import { replyText } from "./lmtp-client.js";

export interface SmtpAnswer {
  code: number;
  /** Starts with the RFC 3463 enhanced code. */
  text: string;
}

export interface DataVerdict {
  answer: SmtpAnswer;
  /** Recipients refused for good while others were stored: the sender is owed a DSN for these. */
  bounced: Array<{ recipient: string; reply: Reply }>;
}

const ENHANCED = /^([245]\.\d{1,3}\.\d{1,3}) /;

/** An LMTP reply passed on as an SMTP reply: same code, its enhanced code kept or the class's generic one. */
export function passOn(reply: Reply): SmtpAnswer {
  const text = replyText(reply);
  if (ENHANCED.test(text)) return { code: reply.code, text };
  const cls = Math.floor(reply.code / 100);
  return { code: reply.code, text: `${cls}.0.0 ${text}` };
}

export function dataVerdict(results: Array<{ recipient: string; reply: Reply }>): DataVerdict {
  const stored = results.filter((r) => r.reply.code >= 200 && r.reply.code < 300);
  const temporary = results.filter((r) => r.reply.code >= 400 && r.reply.code < 500);
  const permanent = results.filter((r) => r.reply.code >= 500);
  if (stored.length === results.length)
    return {
      answer: { code: 250, text: `2.0.0 Message accepted for ${results.length} recipient(s).` },
      bounced: [],
    };
  if (temporary.length > 0) {
    const first = passOn(temporary[0].reply);
    const text =
      stored.length === 0 && permanent.length === 0
        ? first.text
        : `4.3.0 Not every recipient could take the message just now (${temporary[0].recipient}: ${first.text}); try again later.`;
    return { answer: { code: 451, text }, bounced: [] };
  }
  if (stored.length === 0) {
    // Every recipient refused for good: one code they share is passed on, else the general 550.
    const first = passOn(permanent[0].reply);
    const same = permanent.every((r) => r.reply.code === permanent[0].reply.code);
    return { answer: { code: same ? first.code : 550, text: first.text }, bounced: [] };
  }
  return {
    answer: {
      code: 250,
      text: `2.0.0 Message accepted for ${stored.length} of ${results.length} recipient(s); the others are reported back.`,
    },
    bounced: permanent,
  };
}

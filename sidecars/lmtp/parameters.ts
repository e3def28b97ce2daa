// What MAIL FROM and RCPT TO may carry beyond what smtp-server checks itself. Pure: the server turns a refusal
// into its reply. smtp-server takes any parameter name and any bytes in an address, so without this a NUL in
// an unknown parameter, or 8-bit bytes in a sender that announced no SMTPUTF8, were answered 250.
import type { LmtpReply } from "./replies.js";

/** The MAIL FROM parameters this server announces (SIZE, 8BITMIME, SMTPUTF8); RCPT TO has none (no DSN). */
export const MAIL_PARAMETERS: ReadonlySet<string> = new Set(["SIZE", "BODY", "SMTPUTF8"]);

type Args = Record<string, unknown> | false | undefined;

/** `known`: the parameters the server announces (the submission server adds RFC 4954's AUTH). */
export function mailFromRefusal(
  address: string,
  args: Args,
  known: ReadonlySet<string> = MAIL_PARAMETERS,
): LmtpReply | null {
  const smtpUtf8 = Boolean(args && args.SMTPUTF8 === true);
  return unknownParameter(args, known) ?? addressRefusal(address, smtpUtf8, "5.1.7");
}

export function rcptToRefusal(address: string, args: Args, smtpUtf8: boolean): LmtpReply | null {
  return unknownParameter(args, new Set()) ?? addressRefusal(address, smtpUtf8, "5.1.3");
}

/** RFC 5321 §4.1.1.11: a parameter the server did not announce is 555. */
function unknownParameter(args: Args, known: ReadonlySet<string>): LmtpReply | null {
  const name = args ? Object.keys(args).find((key) => !known.has(key)) : undefined;
  if (name === undefined) return null;
  const shown = name.replace(/[^\x21-\x7e]/g, "?").slice(0, 40);
  return { code: 555, enhanced: "5.5.4", text: `The parameter ${shown} is not supported here.` };
}

/**
 * Bytes that were not UTF-8 reach here as U+FFFD (smtp-server decodes the line as UTF-8): the address is
 * unreadable. Valid non-ASCII needs SMTPUTF8 on MAIL FROM (RFC 6531 §3.2, reply code of §3.7.4.1).
 */
function addressRefusal(address: string, smtpUtf8: boolean, syntaxCode: string): LmtpReply | null {
  if (address.includes("\ufffd"))
    return { code: 501, enhanced: syntaxCode, text: "The address is not valid UTF-8." };
  if (!smtpUtf8 && /[^\x00-\x7f]/.test(address))
    return {
      code: 553,
      enhanced: "5.6.7",
      text: "A non-ASCII address needs SMTPUTF8 on MAIL FROM.",
    };
  return null;
}

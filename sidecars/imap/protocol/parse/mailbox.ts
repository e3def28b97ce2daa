// A mailbox argument (RFC 3501 `mailbox`, an astring) as the core's path, and the name sent back.
import { decodeMailboxName } from "../mailbox-name.js";
import { BadArguments, type ImapArg } from "../request.js";

/** The astring's bytes: an atom's ASCII text or a quoted string's or literal's bytes. */
export function astringBytesOf(arg: ImapArg | undefined, what: string): Buffer {
  if (arg?.type === "string") return arg.value;
  if (arg?.type === "atom" && arg.section === undefined && arg.partial === undefined)
    return Buffer.from(arg.value, "latin1");
  throw new BadArguments(`Expected ${what} as an atom or a string.`);
}

/** A mailbox name argument decoded (modified UTF-7, or UTF-8 after ENABLE UTF8=ACCEPT). */
export function mailboxOf(arg: ImapArg | undefined, utf8Enabled: boolean, what = "a mailbox name"): string {
  return decodeMailboxName(astringBytesOf(arg, what), utf8Enabled);
}

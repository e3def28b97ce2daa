// CREATE mailbox [(USE (special-use...))] (RFC 3501 §6.3.3, RFC 6154 §3 CREATE-SPECIAL-USE).
import { DELIMITER } from "../mailbox-name.js";
import { BadArguments, atomIs, atomOf, listOf, type ImapArg } from "../request.js";
import { mailboxOf } from "./mailbox.js";

export interface CreateArgs {
  path: string;
  /** The USE attributes as sent (RFC 6154 create-param); empty without USE. */
  uses: string[];
}

export function parseCreate(args: ImapArg[], utf8Enabled: boolean): CreateArgs {
  if (args.length < 1 || args.length > 2)
    throw new BadArguments("CREATE takes a mailbox name and optional (USE (...)).");
  const path = withoutTrailingDelimiter(mailboxOf(args[0], utf8Enabled));
  const uses: string[] = [];
  if (args.length === 2) {
    const params = listOf(args[1], "CREATE parameters");
    for (let i = 0; i < params.length; i += 2) {
      if (!atomIs(params[i], "USE"))
        throw new BadArguments(`Unknown CREATE parameter "${atomOf(params[i], "a CREATE parameter")}".`);
      for (const use of listOf(params[i + 1], "the USE attributes"))
        uses.push(atomOf(use, "a special-use attribute"));
    }
  }
  return { path, uses };
}

/**
 * RFC 3501 §6.3.3: a name ending in the delimiter says the client means to create names below it; with flat
 * folders the mailbox is created without the trailing delimiter.
 */
export function withoutTrailingDelimiter(path: string): string {
  const clean = path.endsWith(DELIMITER) ? path.slice(0, -DELIMITER.length) : path;
  if (clean === "") throw new BadArguments(`Mailbox name "${path}" names no mailbox.`);
  return clean;
}

/** "*" and "%" are LIST wildcards (RFC 3501 §5.1): a mailbox so named could not be listed by itself. */
export function hasWildcard(path: string): boolean {
  return /[*%]/.test(path);
}

// APPEND mailbox [(flags)] [date-time] literal (RFC 3501 §6.3.11), or `UTF8 (literal8)` in place of the literal
// (RFC 6855 §4), and its date-time (RFC 3501 §9).
import { BadArguments, atomIs, atomOf, type ImapArg } from "../request.js";
import { mailboxOf } from "./mailbox.js";

export interface AppendArgs {
  path: string;
  flags: string[] | undefined;
  internalDate: Date | undefined;
  message: Buffer;
  /** Sent as `UTF8 (literal8)`: the message's headers may hold UTF-8 (RFC 6855 §4). */
  utf8: boolean;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE */
const DATE_TIME = /^([ \d]\d)-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/;

const MESSAGE_LAST = "APPEND takes the message last, after flags and date-time.";

export function parseAppend(args: ImapArg[], utf8Enabled: boolean): AppendArgs {
  if (args.length < 2 || args.length > 5)
    throw new BadArguments("APPEND takes a mailbox, optional flags, an optional date-time and the message.");
  const path = mailboxOf(args[0], utf8Enabled);
  const { message, utf8, at: end } = appendData(args, utf8Enabled);
  let i = 1;
  let flags: string[] | undefined;
  let internalDate: Date | undefined;
  const flagArg = args[i];
  if (i < end && flagArg.type === "list") {
    flags = flagArg.items.map((f) => atomOf(f, "a flag"));
    i++;
  }
  const dateArg = args[i];
  if (i < end && dateArg.type === "string" && !dateArg.literal) {
    internalDate = parseDateTime(dateArg.value.toString("latin1"));
    i++;
  }
  if (i !== end) throw new BadArguments(MESSAGE_LAST);
  return { path, flags, internalDate, message, utf8 };
}

/**
 * The message at the end of APPEND: a literal, or `UTF8 (literal8)` (RFC 6855 §4: a message with UTF-8 headers,
 * once the client enabled UTF8=ACCEPT). `at` is where it starts among the arguments.
 */
function appendData(args: ImapArg[], utf8Enabled: boolean): { message: Buffer; utf8: boolean; at: number } {
  const last = args[args.length - 1];
  if (args.length >= 3 && atomIs(args[args.length - 2], "UTF8") && last.type === "list") {
    const [item] = last.items;
    if (last.items.length !== 1 || item.type !== "string" || !item.literal8)
      throw new BadArguments("APPEND's UTF8 takes one literal8 in parentheses: UTF8 (~{n}).");
    if (!utf8Enabled) throw new BadArguments("APPEND's UTF8 (...) needs ENABLE UTF8=ACCEPT first.");
    return { message: item.value, utf8: true, at: args.length - 2 };
  }
  if (last.type !== "string") throw new BadArguments(MESSAGE_LAST);
  if (last.literal8) throw new BadArguments("APPEND takes a literal8 (~{n}) only inside UTF8 (...).");
  return { message: last.value, utf8: false, at: args.length - 1 };
}

/** `"17-Jul-1996 02:44:25 -0700"` (the day may be space-padded) as an instant; BadArguments quoting it if not. */
export function parseDateTime(text: string): Date {
  const m = DATE_TIME.exec(text);
  const month = m ? MONTHS.findIndex((name) => name.toLowerCase() === m[2].toLowerCase()) : -1;
  if (!m || month < 0)
    throw new BadArguments(`Date-time "${text}" is not like "17-Jul-1996 02:44:25 -0700".`);
  const [day, year, hour, minute, second] = [m[1], m[3], m[4], m[5], m[6]].map((v) => Number(v.trim()));
  const offsetMinutes = (m[7] === "-" ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
  const local = Date.UTC(year, month, day, hour, minute, second);
  const check = new Date(local);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month || hour > 23 || minute > 59 || second > 60)
    throw new BadArguments(`Date-time "${text}" is not a real date and time.`);
  return new Date(local - offsetMinutes * 60_000);
}

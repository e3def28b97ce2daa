// APPEND mailbox [(flags)] [date-time] literal (RFC 3501 §6.3.11) and its date-time (RFC 3501 §9).
import { BadArguments, atomOf, bytesOf, type ImapArg } from "../request.js";
import { mailboxOf } from "./mailbox.js";

export interface AppendArgs {
  path: string;
  flags: string[] | undefined;
  internalDate: Date | undefined;
  message: Buffer;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE */
const DATE_TIME = /^([ \d]\d)-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/;

export function parseAppend(args: ImapArg[], utf8Enabled: boolean): AppendArgs {
  if (args.length < 2 || args.length > 4)
    throw new BadArguments("APPEND takes a mailbox, optional flags, an optional date-time and the message.");
  const path = mailboxOf(args[0], utf8Enabled);
  let i = 1;
  let flags: string[] | undefined;
  let internalDate: Date | undefined;
  const flagArg = args[i];
  if (flagArg?.type === "list") {
    flags = flagArg.items.map((f) => atomOf(f, "a flag"));
    i++;
  }
  const dateArg = args[i];
  if (i < args.length - 1 && dateArg.type === "string" && !dateArg.literal) {
    internalDate = parseDateTime(dateArg.value.toString("latin1"));
    i++;
  }
  if (i !== args.length - 1)
    throw new BadArguments("APPEND takes the message last, after flags and date-time.");
  return { path, flags, internalDate, message: bytesOf(args[i], "the message") };
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

// A command line -> a request: a keyword of 3 or 4 characters (RFC 1939 §3, RFC 2449 §3) and its arguments.
// Anything else is a parse error carrying the reason, never an exception.

export type Pop3Command =
  | "USER"
  | "PASS"
  | "AUTH"
  | "CAPA"
  | "STAT"
  | "LIST"
  | "UIDL"
  | "TOP"
  | "RETR"
  | "DELE"
  | "RSET"
  | "NOOP"
  | "QUIT"
  | "STLS"
  | "UTF8";

export const COMMANDS: ReadonlySet<string> = new Set<Pop3Command>([
  "USER",
  "PASS",
  "AUTH",
  "CAPA",
  "STAT",
  "LIST",
  "UIDL",
  "TOP",
  "RETR",
  "DELE",
  "RSET",
  "NOOP",
  "QUIT",
  "STLS",
  "UTF8",
]);

export type ParsedRequest =
  | {
      ok: true;
      command: Pop3Command;
      args: string[];
      /** Everything after the keyword and one space. */ rest: string;
    }
  | { ok: false; reason: string };

export function parseRequest(line: string): ParsedRequest {
  const space = line.indexOf(" ");
  const word = space < 0 ? line : line.slice(0, space);
  // A letter, then letters or digits: UTF8 (RFC 6856) is a keyword too.
  if (!/^[A-Za-z][A-Za-z0-9]{2,3}$/.test(word)) return { ok: false, reason: "Unknown command." };
  const command = word.toUpperCase();
  if (!COMMANDS.has(command)) return { ok: false, reason: `Unknown command ${command}.` };
  const rest = space < 0 ? "" : line.slice(space + 1);
  // PASS takes the rest of the line as the password: RFC 1939 §7 allows spaces in it.
  const args = command === "PASS" ? (rest === "" ? [] : [rest]) : rest.split(" ").filter((a) => a !== "");
  return { ok: true, command: command as Pop3Command, args, rest };
}

/** A message number argument (RFC 1939: a positive decimal), or null when it is not one. */
export function parseNumber(arg: string | undefined): number | null {
  if (arg === undefined || !/^[0-9]{1,9}$/.test(arg)) return null;
  const n = Number(arg);
  return n >= 1 ? n : null;
}

/** A non-negative decimal (TOP's line count), or null. */
export function parseCount(arg: string | undefined): number | null {
  if (arg === undefined || !/^[0-9]{1,9}$/.test(arg)) return null;
  return Number(arg);
}

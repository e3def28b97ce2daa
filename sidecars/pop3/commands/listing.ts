// STAT, LIST and UIDL (RFC 1939 §5, §7): what the session's maildrop holds, without reading a message.
import type { MaildropEntry } from "../maildrop.js";
import { parseNumber } from "../protocol/request.js";
import { err, ok } from "../protocol/response.js";
import type { Pop3Session } from "../session.js";

export async function stat(s: Pop3Session): Promise<void> {
  const { count, size } = s.maildrop!.stat();
  s.write(ok(`${count} ${size}`));
}

export async function list(s: Pop3Session, args: string[]): Promise<void> {
  scanListing(s, args, (e) => `${e.number} ${e.size}`);
}

export async function uidl(s: Pop3Session, args: string[]): Promise<void> {
  scanListing(s, args, (e) => `${e.number} ${e.uniqueId}`);
}

function scanListing(s: Pop3Session, args: string[], line: (e: MaildropEntry) => string): void {
  const maildrop = s.maildrop!;
  if (args.length > 1) return s.write(err("Too many arguments."));
  if (args.length === 1) {
    const n = parseNumber(args[0]);
    if (n === null) return s.write(err(`Invalid message number ${args[0]}.`));
    const entry = maildrop.get(n);
    return s.write(entry ? ok(line(entry)) : err(`No message ${n}.`));
  }
  const { count, size } = maildrop.stat();
  const lines = maildrop.live().map((e) => `${line(e)}\r\n`);
  s.write(`${ok(`${count} messages (${size} octets)`)}${lines.join("")}.\r\n`);
}

// RETR and TOP (RFC 1939 §7): the message's stored bytes streamed from the core, byte-stuffed, with
// backpressure. RETR marks the message for \Seen, applied at QUIT with the deletions.
import type { MaildropEntry } from "../maildrop.js";
import { parseCount, parseNumber } from "../protocol/request.js";
import { err, ok, TopCutter } from "../protocol/response.js";
import type { Pop3Session } from "../session.js";

export async function retr(s: Pop3Session, args: string[]): Promise<void> {
  if (args.length !== 1) return s.write(err("RETR takes a message number."));
  const entry = target(s, args[0]);
  if (!entry) return;
  const raw = await open(s, entry);
  if (!raw) return;
  await s.writeBody(ok(`${entry.size} octets`), raw.chunks());
  entry.retrieved = true;
}

export async function top(s: Pop3Session, args: string[]): Promise<void> {
  if (args.length !== 2) return s.write(err("TOP takes a message number and a line count."));
  const entry = target(s, args[0]);
  if (!entry) return;
  const lines = parseCount(args[1]);
  if (lines === null) return s.write(err(`Invalid line count ${args[1]}.`));
  const raw = await open(s, entry);
  if (!raw) return;
  const cutter = new TopCutter(lines);
  await s.writeBody(ok("Top of message follows."), raw.chunks(), (chunk) =>
    cutter.done ? null : cutter.push(chunk),
  );
}

function target(s: Pop3Session, arg: string): MaildropEntry | null {
  const n = parseNumber(arg);
  if (n === null) {
    s.write(err(`Invalid message number ${arg}.`));
    return null;
  }
  const entry = s.maildrop!.get(n);
  if (!entry) s.write(err(`No message ${n}.`));
  return entry;
}

/** The message's bytes, or an answer saying it went away (another session expunged it). */
async function open(s: Pop3Session, entry: MaildropEntry) {
  const messages = s.options.core.uidMailboxes.rawMessages(s.principal!, s.maildrop!.mailboxId, [entry.uid]);
  const first = await messages.next();
  await messages.return(undefined);
  if (first.done) {
    s.write(err(`Message ${entry.number} was removed by another session.`));
    return null;
  }
  return first.value;
}

// DELE and RSET (RFC 1939 §5): marks only; the UPDATE state at QUIT applies them.
import { parseNumber } from "../protocol/request.js";
import { err, ok } from "../protocol/response.js";
import type { Pop3Session } from "../session.js";

export async function dele(s: Pop3Session, args: string[]): Promise<void> {
  const n = args.length === 1 ? parseNumber(args[0]) : null;
  if (n === null) return s.write(err("DELE takes a message number."));
  const entry = s.maildrop!.get(n);
  if (!entry) return s.write(err(`No message ${n}.`));
  entry.deleted = true;
  s.write(ok(`Message ${n} deleted.`));
}

export async function rset(s: Pop3Session): Promise<void> {
  s.maildrop!.reset();
  const { count, size } = s.maildrop!.stat();
  s.write(ok(`${count} messages (${size} octets).`));
}

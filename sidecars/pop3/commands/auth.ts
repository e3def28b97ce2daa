// USER/PASS (RFC 1939 §7) and AUTH PLAIN with an initial response (RFC 5034). Passwords go to
// core.auth.checkPassword only, which limits guesses per username and per client and logs every attempt.
import { Maildrop } from "../maildrop.js";
import { decodePlain } from "../../shared/sasl-plain.js";
import { err, ok } from "../protocol/response.js";
import type { Pop3Session } from "../session.js";

const CLEARTEXT_REFUSED = err(
  "Plaintext authentication is not allowed on a cleartext connection; use STLS (or port 1995) first.",
  "AUTH",
);

export async function user(s: Pop3Session, args: string[]): Promise<void> {
  if (!s.plaintextAllowed()) return s.write(CLEARTEXT_REFUSED);
  if (args.length !== 1) return s.write(err("USER takes one name."));
  s.pendingUser = args[0];
  s.write(ok("Send PASS."));
}

export async function pass(s: Pop3Session, _args: string[], rest: string): Promise<void> {
  if (!s.plaintextAllowed()) return s.write(CLEARTEXT_REFUSED);
  const name = s.pendingUser;
  s.pendingUser = null;
  if (name === null) return s.write(err("Send USER first."));
  await logIn(s, name, rest);
}

export async function auth(s: Pop3Session, args: string[]): Promise<void> {
  if (args.length === 0) return s.write("+OK\r\nPLAIN\r\n.\r\n");
  if (args[0].toUpperCase() !== "PLAIN" || args.length > 2)
    return s.write(err(`Unsupported mechanism ${args[0]}; this server offers PLAIN.`));
  if (!s.plaintextAllowed()) return s.write(CLEARTEXT_REFUSED);
  const respond = async (response: string) => {
    if (response === "*") return s.write(err("Authentication cancelled."));
    const creds = decodePlain(response === "=" ? "" : response);
    if (!creds.ok) return s.write(err(creds.reason));
    if (creds.authzid !== "" && creds.authzid !== creds.username)
      return s.write(err("Acting as another user is not allowed.", "AUTH"));
    await logIn(s, creds.username, creds.password);
  };
  if (args.length === 2) return respond(args[1]);
  s.continuation = respond;
  s.write("+ \r\n");
}

async function logIn(s: Pop3Session, username: string, password: string): Promise<void> {
  const core = s.options.core;
  const account = await core.auth.checkPassword(username, password, {
    ip: s.remoteAddress,
    protocol: "pop3",
  });
  const principal = { kind: "user", userId: account.id } as const;
  const maildrop = await Maildrop.open(core, principal, s.options.listingSize);
  if (s.closing) return;
  s.principal = principal;
  s.username = account.username;
  s.maildrop = maildrop;
  s.state = "TRANSACTION";
  const { count, size } = maildrop.stat();
  s.write(ok(`Logged in; ${count} messages (${size} octets).`));
}

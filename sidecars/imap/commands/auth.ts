// LOGIN (RFC 3501 §6.2.3) and AUTHENTICATE PLAIN (§6.2.2, RFC 4616) with or without an initial response
// (SASL-IR, RFC 4959). Passwords go to core.auth.checkPassword only, which limits guesses per username and per
// client and logs every attempt; a cleartext connection from an untrusted network may send none.
import { decodePlain } from "../../shared/sasl-plain.js";
import { astringOf, atomOf, BadArguments } from "../protocol/request.js";
import { NOT_AUTHENTICATED, type CommandSpec, type ImapSession, type TaggedResult } from "./context.js";

const PRIVACY_REQUIRED: TaggedResult = {
  status: "NO",
  code: "PRIVACYREQUIRED",
  text: "Passwords are not accepted on a cleartext connection; use STARTTLS (or port 1993) first.",
};

const login: CommandSpec = {
  name: "LOGIN",
  states: NOT_AUTHENTICATED,
  expunges: true,
  async handle(session, request) {
    if (request.args.length !== 2) throw new BadArguments("LOGIN takes a user name and a password.");
    const username = astringOf(request.args[0], "a user name");
    const password = astringOf(request.args[1], "a password");
    if (!session.plaintextAllowed()) return PRIVACY_REQUIRED;
    return logIn(session, username, password);
  },
};

const authenticate: CommandSpec = {
  name: "AUTHENTICATE",
  states: NOT_AUTHENTICATED,
  expunges: true,
  async handle(session, request) {
    const { args } = request;
    if (args.length < 1 || args.length > 2)
      throw new BadArguments("AUTHENTICATE takes a mechanism and an optional initial response.");
    const mechanism = atomOf(args[0], "a SASL mechanism").toUpperCase();
    if (mechanism !== "PLAIN")
      return { status: "NO", text: `Unsupported mechanism "${mechanism}"; this server offers PLAIN.` };
    if (!session.plaintextAllowed()) return PRIVACY_REQUIRED;
    let response: string | null;
    if (args.length === 2) response = atomOf(args[1], "the initial response in base64");
    else {
      response = await session.continuation("");
      if (response === null) return { status: "NO", text: "The client has gone." };
    }
    if (response === "*") return { status: "BAD", text: "Authentication cancelled." };
    // RFC 4959: "=" is an empty initial response.
    const creds = decodePlain(response === "=" ? "" : response);
    if (!creds.ok) return { status: "BAD", text: creds.reason };
    if (creds.authzid !== "" && creds.authzid !== creds.username)
      return { status: "NO", code: "AUTHORIZATIONFAILED", text: "Acting as another user is not allowed." };
    return logIn(session, creds.username, creds.password);
  },
};

/** A wrong password throws AUTH_FAILED (NO [AUTHENTICATIONFAILED]); too many, RATE_LIMITED (NO [UNAVAILABLE]). */
async function logIn(session: ImapSession, username: string, password: string): Promise<TaggedResult> {
  const account = await session.core.auth.checkPassword(username, password, {
    ip: session.remoteAddress,
    protocol: "imap",
  });
  if (!session.logIn({ kind: "user", userId: account.id }, account.username))
    return {
      status: "NO",
      code: "LIMIT",
      text: `Too many open connections for "${account.username}" (at most ${session.options.limits.maxConnectionsPerUser}); close one and try again.`,
    };
  return { status: "OK", code: `CAPABILITY ${session.capabilities().join(" ")}`, text: "Logged in." };
}

export const AUTH_COMMANDS: CommandSpec[] = [login, authenticate];

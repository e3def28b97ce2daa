// Small readings of the session that several mailbox commands share.
import type { Principal } from "../../../src/core/index.js";
import type { ImapRequest } from "../protocol/request.js";
import { AUTHENTICATED, type CommandSpec, type ImapSession, type TaggedResult } from "./context.js";

/** A command of the authenticated state whose updates (EXPUNGE included) may precede its answer. */
export function authenticatedCommand(
  name: string,
  handle: (session: ImapSession, request: ImapRequest) => Promise<TaggedResult>,
): CommandSpec {
  return { name, states: AUTHENTICATED, expunges: true, handle };
}

/** The logged-in user (the session's state gate runs these commands only once authenticated). */
export function userOf(session: ImapSession): Principal {
  if (!session.principal) throw new Error("A mailbox command ran before login.");
  return session.principal;
}

/** Mailbox names travel as UTF-8 once the client enabled UTF8=ACCEPT (RFC 6855). */
export function utf8Of(session: ImapSession): boolean {
  return session.enabled.has("UTF8=ACCEPT");
}

/** RFC 7162 §3.1: STATUS (HIGHESTMODSEQ) is a CONDSTORE enabling command. */
export function markCondstore(session: ImapSession): void {
  session.enabled.add("CONDSTORE");
}

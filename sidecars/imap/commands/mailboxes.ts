// LIST (LIST-EXTENDED, LIST-STATUS, SPECIAL-USE), LSUB, CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, STATUS, NAMESPACE.
// Mailboxes are flat paths in the core: "a/b" may exist without "a" (LIST shows "a" as a level that does not
// exist), DELETE of "a" leaves "a/b", RENAME moves inferiors, and a subscription is a flag of a mailbox.
import { SPECIAL_USES } from "../../../src/core/index.js";
import { DELIMITER, encodeMailboxName } from "../protocol/mailbox-name.js";
import { hasWildcard, parseCreate, withoutTrailingDelimiter } from "../protocol/parse/create.js";
import { mailboxOf } from "../protocol/parse/mailbox.js";
import { needsDeletedCount, parseStatusItems } from "../protocol/parse/status-items.js";
import { BadArguments, type ImapRequest } from "../protocol/request.js";
import { statusResponse } from "../protocol/status-response.js";
import { atom } from "../protocol/values.js";
import type { CommandSpec } from "./context.js";
import { LIST_COMMANDS } from "./list.js";
import { authenticatedCommand, markCondstore, userOf, utf8Of } from "./session-helpers.js";

function argCount(request: ImapRequest, n: number, what: string): void {
  if (request.args.length !== n) throw new BadArguments(`${request.command} takes ${what}.`);
}

const CREATE = authenticatedCommand("CREATE", async (session, request) => {
  const { path, uses } = parseCreate(request.args, utf8Of(session));
  if (hasWildcard(path))
    return {
      status: "NO",
      code: "CANNOT",
      text: `Mailbox name "${path}" contains a LIST wildcard (* or %).`,
    };
  // RFC 6154 §3: a use the server cannot give is refused with USEATTR, and nothing is created.
  const unknown = uses.find((u) => !SPECIAL_USES.includes(canonicalUse(u)));
  if (unknown)
    return { status: "NO", code: "USEATTR", text: `"${unknown}" is not a special use this server knows.` };
  if (uses.length > 1)
    return { status: "NO", code: "USEATTR", text: `A mailbox has one special use here, not ${uses.length}.` };
  await session.core.mailboxes.create(userOf(session), path, {
    specialUse: uses.length ? canonicalUse(uses[0]) : null,
  });
  return { status: "OK", text: "CREATE completed." };
});

const DELETE = authenticatedCommand("DELETE", async (session, request) => {
  argCount(request, 1, "a mailbox name");
  await session.core.mailboxes.deleteByPath(userOf(session), mailboxOf(request.args[0], utf8Of(session)));
  return { status: "OK", text: "DELETE completed; mailboxes below it, if any, are kept." };
});

const RENAME = authenticatedCommand("RENAME", async (session, request) => {
  argCount(request, 2, "the existing and the new mailbox name");
  const utf8 = utf8Of(session);
  const from = mailboxOf(request.args[0], utf8);
  const to = withoutTrailingDelimiter(mailboxOf(request.args[1], utf8));
  if (hasWildcard(to))
    return { status: "NO", code: "CANNOT", text: `Mailbox name "${to}" contains a LIST wildcard (* or %).` };
  const renamed = await session.core.mailboxes.renameTree(userOf(session), from, to);
  return {
    status: "OK",
    text: `RENAME completed (${renamed.length} mailbox${renamed.length === 1 ? "" : "es"}).`,
  };
});

function subscription(name: "SUBSCRIBE" | "UNSUBSCRIBE"): CommandSpec {
  return authenticatedCommand(name, async (session, request) => {
    argCount(request, 1, "a mailbox name");
    const path = mailboxOf(request.args[0], utf8Of(session));
    await session.core.mailboxes.setSubscribedByPath(userOf(session), path, name === "SUBSCRIBE");
    return { status: "OK", text: `${name} completed.` };
  });
}

const STATUS = authenticatedCommand("STATUS", async (session, request) => {
  argCount(request, 2, "a mailbox name and a list of status items");
  const utf8 = utf8Of(session);
  const path = mailboxOf(request.args[0], utf8);
  const items = parseStatusItems(request.args[1]);
  if (items.includes("HIGHESTMODSEQ")) markCondstore(session);
  const status = await session.core.uidMailboxes.statusByPath(userOf(session), path, {
    deleted: needsDeletedCount(items),
  });
  const name = encodeMailboxName(status.path, utf8);
  session.untaggedValues(statusResponse(name, items, status, session.options.limits.maxAppendBytes));
  return { status: "OK", text: "STATUS completed." };
});

/** RFC 2342: one personal namespace with no prefix, no other users' or shared ones. */
const NAMESPACE = authenticatedCommand("NAMESPACE", async (session, request) => {
  argCount(request, 0, "no arguments");
  session.untaggedValues([atom("NAMESPACE"), [["", DELIMITER]], null, null]);
  return { status: "OK", text: "NAMESPACE completed." };
});

/** RFC 6154 attributes are case-insensitive atoms: "\\sent" is \Sent. */
function canonicalUse(use: string): string {
  const lower = use.toLowerCase();
  return SPECIAL_USES.find((a) => a.toLowerCase() === lower) ?? use;
}

export const MAILBOX_COMMANDS: CommandSpec[] = [
  ...LIST_COMMANDS,
  CREATE,
  DELETE,
  RENAME,
  subscription("SUBSCRIBE"),
  subscription("UNSUBSCRIBE"),
  STATUS,
  NAMESPACE,
];

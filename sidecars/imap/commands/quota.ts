// GETQUOTA, GETQUOTAROOT, SETQUOTA (RFC 9208). One quota root, "", holds all of a user's mailboxes; its one
// resource is STORAGE in KiB. Quotas are set by the admin (GraphQL, the command line), so SETQUOTA is refused.
import type { UserRecord } from "../../../src/core/index.js";
import { astringBytesOf, mailboxOf } from "../protocol/parse/mailbox.js";
import { BadArguments } from "../protocol/request.js";
import { atom, type ImapValue } from "../protocol/values.js";
import type { CommandSpec, ImapSession } from "./context.js";
import { authenticatedCommand, userOf, utf8Of } from "./session-helpers.js";
import { encodeMailboxName } from "../protocol/mailbox-name.js";

const ROOT = "";

/** `QUOTA "" (STORAGE used limit)`: usage rounded up so a non-empty account never shows 0, the limit down. */
function quotaResponse(user: UserRecord): ImapValue[] {
  const used = Math.ceil(user.storageUsed / 1024);
  return [atom("QUOTA"), ROOT, [atom("STORAGE"), used, Math.floor(user.quotaBytes / 1024)]];
}

async function quotaOf(session: ImapSession): Promise<UserRecord> {
  return session.core.users.get(userOf(session));
}

const GETQUOTAROOT = authenticatedCommand("GETQUOTAROOT", async (session, request) => {
  if (request.args.length !== 1) throw new BadArguments("GETQUOTAROOT takes a mailbox name.");
  const utf8 = utf8Of(session);
  const p = userOf(session);
  const mailbox = await session.core.mailboxes.getByPath(p, mailboxOf(request.args[0], utf8));
  const user = await quotaOf(session);
  // An account without a quota has no quota root (RFC 9208 §4.3.2 lists none).
  const limited = user.quotaBytes > 0;
  session.untaggedValues([
    atom("QUOTAROOT"),
    encodeMailboxName(mailbox.path, utf8),
    ...(limited ? [ROOT] : []),
  ]);
  if (limited) session.untaggedValues(quotaResponse(user));
  return { status: "OK", text: "GETQUOTAROOT completed." };
});

const GETQUOTA = authenticatedCommand("GETQUOTA", async (session, request) => {
  if (request.args.length !== 1) throw new BadArguments("GETQUOTA takes a quota root.");
  const root = astringBytesOf(request.args[0], "a quota root").toString("utf8");
  const user = await quotaOf(session);
  if (root !== ROOT || user.quotaBytes === 0)
    return { status: "NO", code: "NONEXISTENT", text: `There is no quota root "${root}".` };
  session.untaggedValues(quotaResponse(user));
  return { status: "OK", text: "GETQUOTA completed." };
});

const SETQUOTA = authenticatedCommand("SETQUOTA", async () => {
  return { status: "NO", code: "NOPERM", text: "Quotas are set by the administrator, not over IMAP." };
});

export const QUOTA_COMMANDS: CommandSpec[] = [GETQUOTAROOT, GETQUOTA, SETQUOTA];

// LIST (RFC 3501 §6.3.8 with LIST-EXTENDED RFC 5258, SPECIAL-USE RFC 6154, CHILDREN RFC 3348, LIST-STATUS
// RFC 5819) and LSUB (RFC 3501 §6.3.9): one read of the user's mailboxes (with counts for RETURN (STATUS)).
import type { MailboxCounts, MailboxRecord } from "../../../src/core/index.js";
import { compileListPattern } from "../protocol/list-pattern.js";
import { listEntries, lsubEntries, type ListEntry } from "../protocol/list-tree.js";
import { DELIMITER, encodeMailboxName } from "../protocol/mailbox-name.js";
import { parseList, parseLsub } from "../protocol/parse/list.js";
import { needsDeletedCount } from "../protocol/parse/status-items.js";
import { statusResponse } from "../protocol/status-response.js";
import { atom, type ImapValue } from "../protocol/values.js";
import type { CommandSpec, ImapSession } from "./context.js";
import { authenticatedCommand, markCondstore, userOf, utf8Of } from "./session-helpers.js";

const LIST = authenticatedCommand("LIST", async (session, request) => {
  const utf8 = utf8Of(session);
  const args = parseList(request.args, utf8);
  // RFC 3501 §6.3.8: an empty pattern asks for the delimiter and the root name.
  if (args.patterns.length === 1 && args.patterns[0] === "") {
    session.untaggedValues([atom("LIST"), [atom("\\Noselect")], DELIMITER, ""]);
    return { status: "OK", text: "LIST completed." };
  }
  const patterns = args.patterns.map((p) => compileListPattern(args.reference, p));
  const p = userOf(session);
  const status = args.returns.status;
  if (status?.includes("HIGHESTMODSEQ")) markCondstore(session);
  const boxes: Array<MailboxRecord & { counts?: MailboxCounts }> = status
    ? await session.core.mailboxes.listWithCounts(p)
    : await session.core.mailboxes.list(p);
  for (const entry of listEntries(boxes, patterns, args)) {
    writeEntry(session, "LIST", entry, utf8);
    // RFC 5819: a STATUS response follows each selectable mailbox listed.
    if (status && entry.mailbox?.counts) {
      const { counts } = entry.mailbox;
      // DELETED counts read the mailbox's flags: one more core call per listed mailbox, only when asked.
      const deleted = needsDeletedCount(status)
        ? (await session.core.uidMailboxes.status(p, entry.mailbox.id, { deleted: true })).deleted
        : undefined;
      const counters = {
        ...entry.mailbox,
        messages: counts.total,
        unseen: counts.unseen,
        size: counts.size,
        deleted,
      };
      const name = encodeMailboxName(entry.path, utf8);
      session.untaggedValues(statusResponse(name, status, counters, session.options.limits.maxAppendBytes));
    }
  }
  return { status: "OK", text: "LIST completed." };
});

const LSUB = authenticatedCommand("LSUB", async (session, request) => {
  const utf8 = utf8Of(session);
  const { reference, pattern } = parseLsub(request.args, utf8);
  if (pattern === "") {
    session.untaggedValues([atom("LSUB"), [atom("\\Noselect")], DELIMITER, ""]);
    return { status: "OK", text: "LSUB completed." };
  }
  const boxes = await session.core.mailboxes.list(userOf(session));
  for (const entry of lsubEntries(boxes, compileListPattern(reference, pattern)))
    writeEntry(session, "LSUB", entry, utf8);
  return { status: "OK", text: "LSUB completed." };
});

function writeEntry(
  session: ImapSession,
  response: "LIST" | "LSUB",
  entry: ListEntry<MailboxRecord & { counts?: MailboxCounts }>,
  utf8: boolean,
): void {
  const values: ImapValue[] = [
    atom(response),
    entry.attributes.map(atom),
    DELIMITER,
    encodeMailboxName(entry.path, utf8),
  ];
  if (entry.childInfo) values.push(["CHILDINFO", ["SUBSCRIBED"]]);
  session.untaggedValues(values);
}

export const LIST_COMMANDS: CommandSpec[] = [LIST, LSUB];

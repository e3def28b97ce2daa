// EXPUNGE and UID EXPUNGE (RFC 3501 §6.4.3, RFC 4315 §2.1): the \Deleted messages of the mailbox, or of a UID
// set, are removed; the session's flush after the command tells each as EXPUNGE (or VANISHED with QRESYNC).
import { atomOf, BadArguments, type ImapRequest } from "../protocol/request.js";
import { parseSequenceSet } from "../protocol/sequence-set.js";
import { selectedView } from "../selected.js";
import { uidChunks } from "../uid-ranges.js";
import { SELECTED, type CommandSpec, type ImapSession, type TaggedResult } from "./context.js";

async function expunge(session: ImapSession, request: ImapRequest, byUid: boolean): Promise<TaggedResult> {
  if (request.args.length !== (byUid ? 1 : 0))
    throw new BadArguments(byUid ? "Expected a UID set." : "EXPUNGE takes no arguments.");
  const view = selectedView(session);
  const uids = byUid
    ? view.resolve(parseSequenceSet(atomOf(request.args[0], "a UID set")), true)
    : view.uids();
  if (view.readOnly)
    return { status: "NO", text: "The mailbox is open read-only (EXAMINE); nothing can be expunged." };
  for (const chunk of uidChunks(uids))
    view.noteExpunged(await session.core.uidMailboxes.expunge(session.principal!, view.mailboxId, chunk));
  if (!session.enabled.has("QRESYNC")) return { status: "OK", text: `${request.command} completed.` };
  // RFC 7162 §3.2.7: with QRESYNC the answer carries the HIGHESTMODSEQ after the expunge; the VANISHED go out
  // first, and the value is the view's, so it never claims a change the client was not told of.
  await view.flush(session, { expunges: true });
  return {
    status: "OK",
    code: `HIGHESTMODSEQ ${Math.max(1, view.highestModseq)}`,
    text: `${request.command} completed.`,
  };
}

export const EXPUNGE_COMMANDS: CommandSpec[] = [
  { name: "EXPUNGE", states: SELECTED, expunges: true, handle: (s, r) => expunge(s, r, false) },
  { name: "UID EXPUNGE", states: SELECTED, expunges: true, handle: (s, r) => expunge(s, r, true) },
];

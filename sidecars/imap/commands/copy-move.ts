// COPY, MOVE and their UID forms (RFC 3501 §6.4.7, RFC 6851), answering COPYUID (RFC 4315 §3). A target that
// does not exist gets NO [TRYCREATE]; over quota, the core's error becomes NO [OVERQUOTA].
import { isDomainError, type CopyResult } from "../../../src/core/index.js";
import { mailboxOf } from "../protocol/parse/mailbox.js";
import { atomOf, BadArguments, type ImapRequest } from "../protocol/request.js";
import { parseSequenceSet } from "../protocol/sequence-set.js";
import { selectedView } from "../selected.js";
import { compactUidSet, uidChunks } from "../uid-ranges.js";
import { SELECTED, type CommandSpec, type ImapSession, type TaggedResult } from "./context.js";

async function transfer(
  session: ImapSession,
  request: ImapRequest,
  how: { byUid: boolean; move: boolean },
): Promise<TaggedResult> {
  if (request.args.length !== 2) throw new BadArguments("Expected a sequence set and a mailbox name.");
  const set = parseSequenceSet(atomOf(request.args[0], "a sequence set"));
  const targetPath = mailboxOf(request.args[1], session.enabled.has("UTF8=ACCEPT"));
  const view = selectedView(session);
  const uids = view.resolve(set, how.byUid);
  const p = session.principal!;
  if (how.move && view.readOnly)
    return { status: "NO", text: "The mailbox is open read-only (EXAMINE); messages cannot be moved out." };
  let targetId: string;
  try {
    targetId = (await session.core.mailboxes.getByPath(p, targetPath)).id;
  } catch (err) {
    if (isDomainError(err) && err.code === "NOT_FOUND")
      return { status: "NO", code: "TRYCREATE", text: `Mailbox "${targetPath}" does not exist.` };
    throw err;
  }
  const result: CopyResult = { uidValidity: 0, pairs: [] };
  for (const chunk of uidChunks(uids)) {
    const part = how.move
      ? await session.core.uidMailboxes.move(p, view.mailboxId, chunk, targetId)
      : await session.core.uidMailboxes.copy(p, view.mailboxId, chunk, targetId);
    result.uidValidity = part.uidValidity;
    result.pairs.push(...part.pairs);
  }
  const copyUid =
    result.pairs.length > 0
      ? `COPYUID ${result.uidValidity} ${compactUidSet(result.pairs.map((x) => x.from))} ${compactUidSet(result.pairs.map((x) => x.to))}`
      : undefined;
  if (!how.move) return { status: "OK", code: copyUid, text: `${request.command} completed.` };
  // RFC 6851 §4.3: COPYUID goes in an untagged OK before the expunges, which the session's flush then tells.
  if (copyUid) session.untagged(`OK [${copyUid}] Moved.`);
  view.noteExpunged(result.pairs.map((x) => x.from));
  return { status: "OK", text: `${request.command} completed.` };
}

export const COPY_MOVE_COMMANDS: CommandSpec[] = [
  {
    name: "COPY",
    states: SELECTED,
    expunges: true,
    handle: (s, r) => transfer(s, r, { byUid: false, move: false }),
  },
  {
    name: "UID COPY",
    states: SELECTED,
    expunges: true,
    handle: (s, r) => transfer(s, r, { byUid: true, move: false }),
  },
  {
    name: "MOVE",
    states: SELECTED,
    expunges: true,
    handle: (s, r) => transfer(s, r, { byUid: false, move: true }),
  },
  {
    name: "UID MOVE",
    states: SELECTED,
    expunges: true,
    handle: (s, r) => transfer(s, r, { byUid: true, move: true }),
  },
];

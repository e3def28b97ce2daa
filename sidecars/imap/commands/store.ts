// STORE and UID STORE (RFC 3501 §6.4.6), with UNCHANGEDSINCE (RFC 7162 §3.1.3).
// A message in the set that another session expunged and this one was not yet told of is left alone and the
// STORE still answers OK (RFC 2180 §4.2.1): the core finds no such UID, and the EXPUNGE follows at the next point
// the client may hear it (at once for UID STORE, after the next command that allows it for STORE).
import { parseStoreArguments } from "../protocol/parse/store.js";
import type { ImapRequest } from "../protocol/request.js";
import { atom } from "../protocol/values.js";
import { flagItems, selectedView } from "../selected.js";
import { compactUidSet, uidChunks } from "../uid-ranges.js";
import { SELECTED, type CommandSpec, type ImapSession, type TaggedResult } from "./context.js";

async function store(session: ImapSession, request: ImapRequest, byUid: boolean): Promise<TaggedResult> {
  const args = parseStoreArguments(request.args);
  const view = selectedView(session);
  const uids = view.resolve(args.set, byUid);
  if (view.readOnly)
    return { status: "NO", text: "The mailbox is open read-only (EXAMINE); flags cannot change." };
  if (args.unchangedSince !== null) session.enabled.add("CONDSTORE"); // a CONDSTORE-enabling command (§3.1)
  const condstore = session.enabled.has("CONDSTORE") || session.enabled.has("QRESYNC");
  const modified: number[] = [];
  for (const chunk of uidChunks(uids)) {
    const result = await session.core.uidMailboxes.storeFlags(
      session.principal!,
      view.mailboxId,
      chunk,
      { op: args.op, flags: args.flags },
      args.unchangedSince === null ? {} : { unchangedSince: args.unchangedSince },
    );
    modified.push(...result.modified);
    for (const u of result.updated) {
      const seq = view.seqOf(u.uid);
      if (seq === undefined) continue;
      view.noteFlagsTold(u.uid, u.modseq);
      // .SILENT drops FLAGS; with CONDSTORE the client still learns the new MODSEQ (RFC 7162 §3.1.3).
      if (!args.silent || condstore)
        session.untaggedValues([
          seq,
          atom("FETCH"),
          flagItems(u.uid, args.silent ? null : u.flags, condstore ? u.modseq : null),
        ]);
    }
  }
  if (modified.length > 0) {
    const named = byUid ? modified : modified.map((uid) => view.seqOf(uid)!).sort((a, b) => a - b);
    return {
      status: "OK",
      code: `MODIFIED ${compactUidSet(named)}`,
      text: "Conditional STORE failed for some.",
    };
  }
  return { status: "OK", text: `${request.command} completed.` };
}

export const STORE_COMMANDS: CommandSpec[] = [
  { name: "STORE", states: SELECTED, expunges: false, handle: (s, r) => store(s, r, false) },
  { name: "UID STORE", states: SELECTED, expunges: true, handle: (s, r) => store(s, r, true) },
];

// SELECT and EXAMINE (RFC 3501 §6.3.1-2, with RFC 7162's CONDSTORE and QRESYNC parameters), CLOSE, UNSELECT
// (RFC 3691) and CHECK.
import type { Principal } from "../../../src/core/index.js";
import { parseSelectArguments, type QresyncParameter } from "../protocol/parse/select.js";
import type { ImapRequest } from "../protocol/request.js";
import { atom } from "../protocol/values.js";
import { flagItems, flagList, selectedView, SelectedView } from "../selected.js";
import { compactUidSet, missingUidSet, uidChunks } from "../uid-ranges.js";
import { AUTHENTICATED, SELECTED, type CommandSpec, type ImapSession, type TaggedResult } from "./context.js";

const LAST_UID = 2 ** 32 - 1;

async function select(session: ImapSession, request: ImapRequest, readOnly: boolean): Promise<TaggedResult> {
  const args = parseSelectArguments(request.args, session.enabled.has("UTF8=ACCEPT"));
  if (args.qresync && !session.enabled.has("QRESYNC"))
    return { status: "BAD", text: "The QRESYNC parameter needs ENABLE QRESYNC first (RFC 7162 §3.2.3)." };
  // Whatever the outcome, the mailbox selected before is closed (RFC 3501 §6.3.1); RFC 7162 §3.2.11 says so.
  if (session.selected) {
    const previous = session.selected;
    session.selected = null;
    session.state = "authenticated";
    await previous.close();
    session.untagged("OK [CLOSED] Previous mailbox closed.");
  }
  if (args.condstore) session.enabled.add("CONDSTORE");
  const p = session.principal!;
  const { view, opened } = await SelectedView.open(session.core, p, args.mailbox, { readOnly });
  try {
    session.untagged(`FLAGS ${flagList(view.knownKeywords())}`);
    session.untagged(
      `OK [PERMANENTFLAGS ${readOnly ? "()" : flagList(view.knownKeywords(), true)}] ${readOnly ? "No permanent flags permitted." : "Flags permitted."}`,
    );
    session.untagged(`${opened.uids.length} EXISTS`);
    session.untagged("0 RECENT");
    if (opened.firstUnseen > 0) session.untagged(`OK [UNSEEN ${opened.firstUnseen}] First unseen.`);
    session.untagged(`OK [UIDVALIDITY ${opened.uidValidity}] UIDs valid.`);
    session.untagged(`OK [UIDNEXT ${opened.uidNext}] Predicted next UID.`);
    session.untagged(`OK [HIGHESTMODSEQ ${Math.max(1, view.highestModseq)}] Highest.`);
    if (args.qresync && args.qresync.uidValidity === opened.uidValidity)
      await resynchronize(session, p, view, args.qresync);
  } catch (err) {
    await view.close();
    throw err;
  }
  session.selected = view;
  session.state = "selected";
  return {
    status: "OK",
    code: readOnly ? "READ-ONLY" : "READ-WRITE",
    text: `${readOnly ? "EXAMINE" : "SELECT"} completed.`,
  };
}

/**
 * QRESYNC (RFC 7162 §3.2.5.1): the UIDs expunged since the client's modseq as VANISHED (EARLIER), then the flags
 * of the messages changed since. When the journal no longer reaches back, VANISHED names the client's known UIDs
 * that are gone (§3.2.5.2).
 */
async function resynchronize(
  session: ImapSession,
  p: Principal,
  view: SelectedView,
  q: QresyncParameter,
): Promise<void> {
  const known = (q.knownUids ?? [{ from: 1, to: LAST_UID }]).map((r) => ({ from: r.from!, to: r.to! }));
  const isKnown = (uid: number) =>
    known.some((r) => uid >= Math.min(r.from, r.to) && uid <= Math.max(r.from, r.to));
  const vanished = await session.core.uidMailboxes.vanishedSince(p, view.mailboxId, q.modseq);
  const present = view.uids();
  const set =
    vanished === null
      ? missingUidSet(known, present, view.uidNext - 1)
      : compactUidSet(vanished.filter(isKnown));
  if (set !== "") session.untagged(`VANISHED (EARLIER) ${set}`);
  if (present.length === 0) return;
  const range = [{ from: present[0], to: present[present.length - 1] }];
  for await (const batch of session.core.uidMailboxes.fetch(p, view.mailboxId, range, {
    changedSince: q.modseq,
    batchSize: 1000,
  }))
    for (const m of batch) {
      const seq = view.seqOf(m.uid);
      if (seq !== undefined && isKnown(m.uid))
        session.untaggedValues([seq, atom("FETCH"), flagItems(m.uid, m.flags, m.modseq)]);
    }
}

/** Leaves the selected state: CLOSE expunges \Deleted messages silently first (unless read-only). */
async function unselect(session: ImapSession, expunge: boolean): Promise<TaggedResult> {
  const view = selectedView(session);
  session.selected = null;
  session.state = "authenticated";
  try {
    if (expunge && !view.readOnly)
      for (const chunk of uidChunks(view.uids()))
        await session.core.uidMailboxes.expunge(session.principal!, view.mailboxId, chunk);
  } finally {
    await view.close();
  }
  return { status: "OK", text: `${expunge ? "CLOSE" : "UNSELECT"} completed.` };
}

export const SELECT_COMMANDS: CommandSpec[] = [
  {
    name: "SELECT",
    states: AUTHENTICATED,
    expunges: true,
    handle: (session, request) => select(session, request, false),
  },
  {
    name: "EXAMINE",
    states: AUTHENTICATED,
    expunges: true,
    handle: (session, request) => select(session, request, true),
  },
  {
    name: "CLOSE",
    states: SELECTED,
    expunges: true,
    handle: async (session, request) => noArguments(request) ?? unselect(session, true),
  },
  {
    name: "UNSELECT",
    states: SELECTED,
    expunges: true,
    handle: async (session, request) => noArguments(request) ?? unselect(session, false),
  },
  {
    // RFC 3501 §6.4.1: nothing to checkpoint (every change is committed when answered); the session's flush
    // after the command tells what changed.
    name: "CHECK",
    states: SELECTED,
    expunges: true,
    handle: async (_session, request) => noArguments(request) ?? { status: "OK", text: "CHECK completed." },
  },
];

function noArguments(request: ImapRequest): TaggedResult | null {
  return request.args.length > 0 ? { status: "BAD", text: `${request.command} takes no arguments.` } : null;
}

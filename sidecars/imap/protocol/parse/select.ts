// SELECT / EXAMINE arguments: a mailbox and RFC 7162's select parameters, (CONDSTORE) and
// (QRESYNC (uidvalidity modseq [known-uids [(known-sequence-set known-uid-set)]])) (RFC 7162 §3.2.5).
import { atomOf, BadArguments, listOf, numberOf, type ImapArg } from "../request.js";
import { parseSequenceSet, type SetRange } from "../sequence-set.js";
import { mailboxOf } from "./mailbox.js";

/** The largest mod-sequence-value (RFC 7162 §7: 63 bits), as far as a JS number holds it exactly. */
export const MAX_MODSEQ = Number.MAX_SAFE_INTEGER;

export interface QresyncParameter {
  uidValidity: number;
  modseq: number;
  /** The UIDs the client knows of; null: every UID. */
  knownUids: SetRange[] | null;
  /** Sequence numbers and the UIDs they had, to narrow VANISHED when the journal is gone (§3.2.5.2). */
  seqMatch: { seqs: SetRange[]; uids: SetRange[] } | null;
}

export interface SelectArguments {
  mailbox: string;
  condstore: boolean;
  qresync: QresyncParameter | null;
}

export function parseSelectArguments(args: ImapArg[], utf8: boolean): SelectArguments {
  if (args.length === 0 || args.length > 2)
    throw new BadArguments("Expected a mailbox name and, optionally, select parameters in parentheses.");
  const out: SelectArguments = { mailbox: mailboxOf(args[0], utf8), condstore: false, qresync: null };
  const params = args.length === 2 ? listOf(args[1], "select parameters") : [];
  for (let i = 0; i < params.length; i++) {
    const name = atomOf(params[i], "a select parameter").toUpperCase();
    if (name === "CONDSTORE") out.condstore = true;
    else if (name === "QRESYNC" && !out.qresync) out.qresync = parseQresync(params[++i]);
    else throw new BadArguments(`Unknown or repeated select parameter "${name}".`);
  }
  return out;
}

function parseQresync(arg: ImapArg | undefined): QresyncParameter {
  const items = listOf(arg, "the QRESYNC parameter's values");
  if (items.length < 2 || items.length > 4)
    throw new BadArguments("QRESYNC takes (uidvalidity modseq [known-uids [seq-match-data]]).");
  const uidValidity = numberOf(items[0], "UIDVALIDITY");
  const modseq = numberOf(items[1], "MODSEQ", MAX_MODSEQ);
  if (uidValidity === 0) throw new BadArguments("UIDVALIDITY 0 is not a valid UIDVALIDITY.");
  let knownUids: SetRange[] | null = null;
  let matchArg: ImapArg | undefined;
  if (items[2]?.type === "list") matchArg = items[2];
  else if (items[2]) {
    knownUids = uidSetOf(items[2], "the known UIDs");
    matchArg = items[3];
  }
  let seqMatch: QresyncParameter["seqMatch"] = null;
  if (matchArg) {
    const pair = listOf(matchArg, "the sequence match data");
    if (pair.length !== 2)
      throw new BadArguments("Sequence match data is (known-sequence-set known-uid-set).");
    seqMatch = {
      seqs: uidSetOf(pair[0], "the known sequence set"),
      uids: uidSetOf(pair[1], "the known UID set"),
    };
  }
  return { uidValidity, modseq, knownUids, seqMatch };
}

/** A sequence set in which `*` is not allowed (RFC 7162 known-uids). */
function uidSetOf(arg: ImapArg, what: string): SetRange[] {
  const text = atomOf(arg, what);
  const set = parseSequenceSet(text);
  if (set.some((r) => r.from === null || r.to === null))
    throw new BadArguments(`${what[0].toUpperCase()}${what.slice(1)} "${text}" may not hold "*".`);
  return set;
}

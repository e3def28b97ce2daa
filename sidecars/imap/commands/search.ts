// SEARCH, SORT and THREAD (RFC 3501 §6.4.4, RFC 5256), their UID forms, ESEARCH returns (RFC 4731), OLDER /
// YOUNGER (RFC 5032) and MODSEQ (RFC 7162 §3.1.5). The keys are evaluated in the store; sequence-set keys at the
// top and the client's view (messages it was told of) are applied here, on the UIDs the store returns.
import type { MessageQuery, SortCriterion, SortKey } from "../../../src/core/index.js";
import {
  SEARCH_CHARSETS,
  parseSearchArgs,
  parseSortArgs,
  parseThreadArgs,
  type SearchKey,
  type SearchReturn,
} from "../protocol/parse/search.js";
import { BadArguments, type ImapRequest } from "../protocol/request.js";
import { resolveSequenceNumbers, resolveUids } from "../protocol/sequence-set.js";
import { formatThreads } from "../protocol/thread-list.js";
import { formatValue } from "../protocol/values.js";
import { compactUidSet, uidRuns } from "../uid-ranges.js";
import {
  SELECTED,
  type CommandSpec,
  type ImapSession,
  type SelectedMailbox,
  type TaggedResult,
} from "./context.js";

const DAY_MS = 86_400_000;
const BADCHARSET: TaggedResult = {
  status: "NO",
  code: `BADCHARSET (${SEARCH_CHARSETS.join(" ")})`,
  text: `Search strings are taken in ${SEARCH_CHARSETS.join(" or ")} only.`,
};

/** What the store evaluates, and the UIDs top-level sequence-set keys allow (null: any). */
interface Plan {
  query: MessageQuery;
  allowed: Set<number> | null;
  usesModseq: boolean;
}

/**
 * The parsed keys against the session's view: sequence numbers and `*` become UIDs, days become instants
 * (internal dates compare by their UTC day: the store keeps no zone of an internal date), OLDER/YOUNGER count from
 * now. RECENT matches nothing: Eider gives no message \Recent.
 */
export function planSearch(key: SearchKey, view: SelectedMailbox, now: Date): Plan {
  const plan: Plan = { query: { kind: "all" }, allowed: null, usesModseq: false };
  const conjuncts = key.kind === "and" ? key.of : [key];
  const rest: MessageQuery[] = [];
  for (const k of conjuncts) {
    if (k.kind === "sequence" || k.kind === "uid") {
      const uids = setUids(k, view);
      plan.allowed = plan.allowed ? new Set(uids.filter((u) => plan.allowed!.has(u))) : new Set(uids);
    } else rest.push(toQuery(k, view, now, plan));
  }
  plan.query = rest.length === 0 ? { kind: "all" } : rest.length === 1 ? rest[0] : { kind: "and", of: rest };
  return plan;
}

function setUids(k: Extract<SearchKey, { kind: "sequence" | "uid" }>, view: SelectedMailbox): number[] {
  const uids = view.uids();
  if (k.kind === "uid") return resolveUids(k.set, uids);
  // Numbers past the end name no message (a search is a question, not an action on them).
  return resolveSequenceNumbers(k.set, uids.length).seqs.map((n) => uids[n - 1]);
}

function toQuery(k: SearchKey, view: SelectedMailbox, now: Date, plan: Plan): MessageQuery {
  switch (k.kind) {
    case "all":
    case "flag":
    case "body":
    case "text":
    case "header":
    case "size":
      return k;
    case "and":
      return { kind: "and", of: k.of.map((c) => toQuery(c, view, now, plan)) };
    case "or":
      return { kind: "or", of: k.of.map((c) => toQuery(c, view, now, plan)) };
    case "not":
      return { kind: "not", of: toQuery(k.of, view, now, plan) };
    case "recent":
      return { kind: "or", of: [] };
    case "sequence":
    case "uid":
      return { kind: "uid", ranges: uidRuns(setUids(k, view)) };
    case "modseq":
      plan.usesModseq = true;
      return { kind: "modseq", min: k.min };
    case "age": {
      const at = new Date(now.getTime() - k.seconds * 1000);
      return { kind: "internalDate", op: k.op === "older" ? "before" : "since", at };
    }
    case "date": {
      if (k.field === "sent") return { kind: "sentDay", op: k.op, day: k.day };
      const start = new Date(k.day * DAY_MS);
      const end = new Date((k.day + 1) * DAY_MS);
      if (k.op === "before") return { kind: "internalDate", op: "before", at: start };
      if (k.op === "since") return { kind: "internalDate", op: "since", at: start };
      return {
        kind: "and",
        of: [
          { kind: "internalDate", op: "since", at: start },
          { kind: "internalDate", op: "before", at: end },
        ],
      };
    }
  }
}

/** The UIDs the client may hear of (told of, and allowed by top-level set keys), in the order given. */
function visible(uids: readonly number[], view: SelectedMailbox, allowed: Set<number> | null): number[] {
  return uids.filter((u) => (!allowed || allowed.has(u)) && view.seqOf(u) !== undefined);
}

function numberer(view: SelectedMailbox, byUid: boolean): (uid: number) => number {
  return byUid ? (uid) => uid : (uid) => view.seqOf(uid)!;
}

function checkCharset(charset: string | null): boolean {
  return charset === null || (SEARCH_CHARSETS as readonly string[]).includes(charset);
}

async function search(session: ImapSession, request: ImapRequest, byUid: boolean): Promise<TaggedResult> {
  const args = parseSearchArgs(request.args);
  // RFC 6855 §3: after ENABLE UTF8=ACCEPT strings are UTF-8, and a CHARSET would be a second, conflicting label.
  if (args.charset !== null && session.enabled.has("UTF8=ACCEPT"))
    throw new BadArguments(
      `SEARCH takes no CHARSET (here "${args.charset}") after ENABLE UTF8=ACCEPT: strings are UTF-8.`,
    );
  if (!checkCharset(args.charset)) return BADCHARSET;
  const view = session.selected!;
  const plan = planSearch(args.key, view, new Date());
  let uids: number[];
  const modseqs = new Map<number, number>();
  if (plan.usesModseq) {
    session.enabled.add("CONDSTORE"); // RFC 7162 §3.1: a MODSEQ search key is a CONDSTORE-enabling command
    for (const r of await session.core.mailboxSearch.searchModseqs(
      session.principal!,
      view.mailboxId,
      plan.query,
    ))
      modseqs.set(r.uid, r.modseq);
    uids = visible([...modseqs.keys()], view, plan.allowed);
  } else if (plan.query.kind === "all" && plan.allowed) {
    uids = visible(
      [...plan.allowed].sort((a, b) => a - b),
      view,
      null,
    ); // only set keys: no store needed
  } else {
    const found = await session.core.mailboxSearch.search(session.principal!, view.mailboxId, plan.query);
    uids = visible(found, view, plan.allowed);
  }
  const number = numberer(view, byUid);
  // A loop, not Math.max(...): a spread of a 100,000-message answer would overflow the stack.
  const highest = (of: number[]) =>
    of.length === 0 ? null : of.reduce((top, u) => Math.max(top, modseqs.get(u)!), 0);
  if (args.returns === null) {
    const modseq = plan.usesModseq ? highest(uids) : null;
    session.untagged(
      ["SEARCH", ...uids.map(number), ...(modseq !== null ? [`(MODSEQ ${modseq})`] : [])].join(" "),
    );
  } else {
    session.untagged(
      esearch(request.tag, byUid, args.returns, uids.map(number), plan.usesModseq ? highest : null, uids),
    );
  }
  return { status: "OK", text: `${byUid ? "UID SEARCH" : "SEARCH"} completed (${uids.length} found).` };
}

/** RFC 4731 `* ESEARCH (TAG "t") [UID] [MIN n] [MAX n] [ALL set] [COUNT n]`; MIN, MAX and ALL only when found. */
function esearch(
  tag: string,
  byUid: boolean,
  returns: SearchReturn[],
  numbers: number[],
  highest: ((uids: number[]) => number | null) | null,
  uids: number[],
): string {
  const parts = [`ESEARCH (TAG ${formatValue(tag).toString("latin1")})`];
  if (byUid) parts.push("UID");
  const found = numbers.length > 0;
  if (found && returns.includes("MIN")) parts.push(`MIN ${numbers[0]}`);
  if (found && returns.includes("MAX")) parts.push(`MAX ${numbers[numbers.length - 1]}`);
  if (found && returns.includes("ALL")) parts.push(`ALL ${compactUidSet(numbers)}`);
  if (returns.includes("COUNT")) parts.push(`COUNT ${numbers.length}`);
  if (highest && found) {
    // RFC 7162 §3.1.5: over the messages returned; MIN and MAX alone return only those.
    const all = returns.includes("ALL") || returns.includes("COUNT");
    const returned = all
      ? uids
      : [
          ...(returns.includes("MIN") ? [uids[0]] : []),
          ...(returns.includes("MAX") ? [uids[uids.length - 1]] : []),
        ];
    const modseq = highest(returned);
    if (modseq !== null) parts.push(`MODSEQ ${modseq}`);
  }
  return parts.join(" ");
}

async function sort(session: ImapSession, request: ImapRequest, byUid: boolean): Promise<TaggedResult> {
  const args = parseSortArgs(request.args);
  if (!checkCharset(args.charset)) return BADCHARSET;
  const view = session.selected!;
  const plan = planSearch(args.key, view, new Date());
  if (plan.usesModseq) session.enabled.add("CONDSTORE");
  const criteria: SortCriterion[] = args.criteria.map((c) => ({
    key: c.key.toLowerCase() as SortKey,
    reverse: c.reverse,
  }));
  const sorted = await session.core.mailboxSearch.sort(
    session.principal!,
    view.mailboxId,
    criteria,
    plan.query,
  );
  const number = numberer(view, byUid);
  session.untagged(["SORT", ...visible(sorted, view, plan.allowed).map(number)].join(" "));
  return { status: "OK", text: `${byUid ? "UID SORT" : "SORT"} completed.` };
}

async function thread(session: ImapSession, request: ImapRequest, byUid: boolean): Promise<TaggedResult> {
  const args = parseThreadArgs(request.args);
  if (!checkCharset(args.charset)) return BADCHARSET;
  const view = session.selected!;
  const plan = planSearch(args.key, view, new Date());
  if (plan.usesModseq) session.enabled.add("CONDSTORE");
  // Threads are built from the messages the client knows (and top-level set keys allow), never cut afterwards.
  const known = plan.allowed
    ? visible(
        [...plan.allowed].sort((a, b) => a - b),
        view,
        null,
      )
    : view.uids();
  const query: MessageQuery = { kind: "and", of: [plan.query, { kind: "uid", ranges: uidRuns(known) }] };
  const algorithm = args.algorithm === "REFERENCES" ? "references" : "orderedsubject";
  const threads = await session.core.mailboxSearch.thread(
    session.principal!,
    view.mailboxId,
    algorithm,
    query,
  );
  const list = formatThreads(threads, numberer(view, byUid));
  session.untagged(list ? `THREAD ${list}` : "THREAD");
  return { status: "OK", text: `${byUid ? "UID THREAD" : "THREAD"} completed.` };
}

/** RFC 3501 §7.4.1: no EXPUNGE during SEARCH; the UID forms may have them. */
function spec(
  name: string,
  run: (session: ImapSession, request: ImapRequest, byUid: boolean) => Promise<TaggedResult>,
): CommandSpec[] {
  return [
    { name, states: SELECTED, expunges: false, handle: (s, r) => run(s, r, false) },
    { name: `UID ${name}`, states: SELECTED, expunges: true, handle: (s, r) => run(s, r, true) },
  ];
}

export const SEARCH_COMMANDS: CommandSpec[] = [
  ...spec("SEARCH", search),
  ...spec("SORT", sort),
  ...spec("THREAD", thread),
];

// FETCH and UID FETCH (RFC 3501 §6.4.5, §6.4.8; RFC 7162 §3.1.4, §3.2.6): every RFC 3501 item,
// BODY[section]<partial>, MODSEQ, CHANGEDSINCE and VANISHED. Messages are answered in chunks of FETCH_CHUNK:
// metadata from `uidMailboxes.fetch` (ENVELOPE and BODYSTRUCTURE as stored, no body read), whole messages from
// the bulk `rawMessages` path (one read per message kept together), other sections from `body()` (only the
// stored pieces they overlap), all written through one batcher that waits for the socket to drain. Each
// message's body data is charged to the user's daily download allowance before it is written.
import type { Envelope, FetchedMessage, Principal, RawMessage, UidRange } from "../../../src/core/index.js";
import { formatBodyStructure } from "../protocol/body-structure.js";
import { formatEnvelope } from "../protocol/envelope.js";
import {
  fetchResponsePieces,
  formatInternalDate,
  type FetchAttribute,
  type LiteralData,
} from "../protocol/fetch-response.js";
import { parseFetch, type FetchArgs, type FetchBodyItem, type FetchItem } from "../protocol/parse/fetch.js";
import type { SetRange } from "../protocol/sequence-set.js";
import { atom, type FormatOptions } from "../protocol/values.js";
import { WriteBatcher } from "../protocol/write-batcher.js";
import { FormattedLookup, formattedCache, type FormattedKind } from "../formatted-cache.js";
import { compactUidSet } from "../uid-ranges.js";
import {
  SELECTED,
  type CommandSpec,
  type ImapSession,
  type SelectedMailbox,
  type TaggedResult,
} from "./context.js";

/** Messages read and answered together: one metadata query, one bulk body query, then their responses. */
export const FETCH_CHUNK = 100;

/** What one message's answer is made from. */
interface MessageData {
  uid: number;
  size: number;
  internalDate: Date;
  meta: FetchedMessage | null;
  raw: RawMessage | null;
  /** Flags changed by this FETCH (\Seen set): FLAGS goes into the answer even when not asked for. */
  flagsChanged: boolean;
  /** ENVELOPE / BODY / BODYSTRUCTURE as formatted before, or made from `meta`. */
  formatted: FormattedLookup;
}

/** How a FETCH is answered, settled once from its items. */
interface FetchPlan {
  args: FetchArgs;
  byUid: boolean;
  /** Read flags, modseq, envelope or structure from `uidMailboxes.fetch`. */
  meta: boolean;
  /** Read whole messages through the bulk path (BODY[], BODY.PEEK[], RFC822 without a partial). */
  raw: boolean;
  /** Set \Seen on the messages answered (a non-PEEK body item on a read-write mailbox). */
  setSeen: boolean;
  /** CONDSTORE is on: every FETCH response carries MODSEQ (RFC 7162 §3.1.4.1). */
  modseq: boolean;
  format: FormatOptions;
  /** The items kept formatted in `formattedCache` that this FETCH asks for. */
  formattedKinds: FormattedKind[];
}

async function handleFetch(session: ImapSession, args: FetchArgs, byUid: boolean): Promise<TaggedResult> {
  const selected = session.selected!;
  const principal = session.principal!;
  enableCondstore(session, args);
  const uids = selected.resolve(args.set, byUid);
  const plan = planFetch(session, selected, args, byUid);
  const batcher = new WriteBatcher((data) => session.write(data));
  if (args.vanished) await writeVanished(session, selected, principal, args, batcher);
  for (let i = 0; i < uids.length; i += FETCH_CHUNK) {
    const chunk = uids.slice(i, i + FETCH_CHUNK);
    for await (const message of readChunk(session, selected, principal, plan, chunk)) {
      if (session.closed) return { status: "OK", text: "FETCH stopped: the client has gone." };
      const seq = selected.seqOf(message.uid);
      if (seq === undefined) continue;
      const attributes = await attributesOf(session, selected, principal, plan, message);
      if (attributes === null) continue; // expunged while we read it
      try {
        await session.core.transfers.charge(principal, "download", dataBytes(attributes));
      } catch (err) {
        // Past the daily allowance (NO [LIMIT]): the answers already made still go out, whole, first.
        await batcher.flush();
        throw err;
      }
      await writeResponse(batcher, fetchResponsePieces(seq, attributes, plan.format));
    }
  }
  await batcher.flush();
  return { status: "OK", text: `${byUid ? "UID FETCH" : "FETCH"} completed.` };
}

function planFetch(
  session: ImapSession,
  selected: SelectedMailbox,
  args: FetchArgs,
  byUid: boolean,
): FetchPlan {
  const kinds = new Set(args.items.map((item) => item.kind));
  const bodies = args.items.filter((item): item is FetchBodyItem => item.kind === "body-section");
  const setSeen = !selected.readOnly && bodies.some((item) => item.setsSeen);
  const modseq = session.enabled.has("CONDSTORE");
  const raw = bodies.some(isWholeMessage);
  const needsMeta =
    setSeen ||
    modseq ||
    args.changedSince !== null ||
    ["FLAGS", "ENVELOPE", "BODY", "BODYSTRUCTURE", "MODSEQ"].some((kind) =>
      kinds.has(kind as FetchItem["kind"]),
    );
  return {
    args,
    byUid,
    meta: needsMeta || !raw,
    raw,
    setSeen,
    modseq,
    format: { utf8: session.enabled.has("UTF8=ACCEPT") },
    formattedKinds: (["ENVELOPE", "BODY", "BODYSTRUCTURE"] as const).filter((kind) => kinds.has(kind)),
  };
}

/** BODY[] / BODY.PEEK[] / RFC822 without a partial: the bulk path's whole message. */
function isWholeMessage(item: FetchBodyItem): boolean {
  return item.section.part.length === 0 && item.section.text === "" && item.partial === null;
}

/** MODSEQ and CHANGEDSINCE are CONDSTORE-enabling (RFC 7162 §3.1); in a selected mailbox, say its HIGHESTMODSEQ. */
function enableCondstore(session: ImapSession, args: FetchArgs): void {
  const enabling = args.changedSince !== null || args.items.some((item) => item.kind === "MODSEQ");
  if (!enabling || session.enabled.has("CONDSTORE")) return;
  session.enabled.add("CONDSTORE");
  session.untagged(`OK [HIGHESTMODSEQ ${session.selected!.highestModseq}] Conditional STORE enabled.`);
}

/** One chunk's messages in UID order, with \Seen set first when the FETCH sets it (so FLAGS shows it). */
async function* readChunk(
  session: ImapSession,
  selected: SelectedMailbox,
  principal: Principal,
  plan: FetchPlan,
  chunk: number[],
): AsyncGenerator<MessageData> {
  const core = session.core.uidMailboxes;
  const mailboxId = selected.mailboxId;
  let metas: FetchedMessage[] | null = null;
  const formatted = new FormattedLookup(formattedCache, plan.formattedKinds, plan.format.utf8 ? "utf8" : "");
  if (plan.meta) {
    metas = [];
    const items = new Set(plan.args.items.map((item) => item.kind));
    for await (const batch of core.fetch(principal, mailboxId, chunk, {
      envelope: items.has("ENVELOPE"),
      bodyStructure: items.has("BODY") || items.has("BODYSTRUCTURE"),
      changedSince: plan.args.changedSince ?? undefined,
      batchSize: FETCH_CHUNK,
      metaFor: (id) => formatted.needsMeta(id),
    }))
      metas.push(...batch);
  }
  const changed =
    plan.setSeen && metas ? await setSeen(session, selected, principal, metas) : new Set<number>();
  const wanted = metas ? metas.map((m) => m.uid) : chunk;
  if (wanted.length === 0) return;
  const metaOf = new Map((metas ?? []).map((m) => [m.uid, m]));
  if (!plan.raw) {
    for (const meta of metas!)
      yield { ...dataOf(meta), meta, raw: null, flagsChanged: changed.has(meta.uid), formatted };
    return;
  }
  for await (const raw of core.rawMessages(principal, mailboxId, wanted)) {
    const meta = metaOf.get(raw.uid) ?? null;
    if (metas && !meta) continue; // not asked (CHANGEDSINCE left it out) or arrived since
    yield {
      uid: raw.uid,
      size: raw.size,
      internalDate: raw.internalDate,
      meta,
      raw,
      flagsChanged: changed.has(raw.uid),
      formatted,
    };
  }
}

function dataOf(meta: FetchedMessage): Pick<MessageData, "uid" | "size" | "internalDate"> {
  return { uid: meta.uid, size: meta.size, internalDate: meta.internalDate };
}

/** Sets \Seen on the messages that lack it (RFC 3501 §6.4.5) and updates their flags and modseq in `metas`. */
async function setSeen(
  session: ImapSession,
  selected: SelectedMailbox,
  principal: Principal,
  metas: FetchedMessage[],
): Promise<Set<number>> {
  const unseen = metas.filter((m) => !m.flags.includes("\\Seen")).map((m) => m.uid);
  if (unseen.length === 0) return new Set();
  const result = await session.core.uidMailboxes.storeFlags(principal, selected.mailboxId, unseen, {
    op: "add",
    flags: ["\\Seen"],
  });
  const byUid = new Map(result.updated.map((u) => [u.uid, u]));
  for (const meta of metas) {
    const update = byUid.get(meta.uid);
    if (!update) continue;
    meta.flags = update.flags;
    meta.modseq = update.modseq;
    selected.noteFlagsTold(update.uid, update.modseq);
  }
  return new Set(byUid.keys());
}

/** The attributes of one message's answer, in the order asked; null when the message went away meanwhile. */
async function attributesOf(
  session: ImapSession,
  selected: SelectedMailbox,
  principal: Principal,
  plan: FetchPlan,
  message: MessageData,
): Promise<FetchAttribute[] | null> {
  const out: FetchAttribute[] = [];
  const meta = message.meta;
  // RFC 3501 §6.4.8: UID FETCH answers always carry UID; first, as most servers write it.
  if (plan.byUid) out.push({ name: "UID", value: message.uid });
  for (const item of plan.args.items) {
    switch (item.kind) {
      case "UID":
        if (!plan.byUid) out.push({ name: "UID", value: message.uid });
        break;
      case "FLAGS":
        out.push({ name: "FLAGS", value: meta!.flags.map(atom) });
        break;
      case "INTERNALDATE":
        out.push({ name: "INTERNALDATE", value: formatInternalDate(message.internalDate) });
        break;
      case "RFC822.SIZE":
        out.push({ name: "RFC822.SIZE", value: message.size });
        break;
      case "MODSEQ":
        out.push({ name: "MODSEQ", value: [meta!.modseq] });
        break;
      case "ENVELOPE":
        out.push({
          name: "ENVELOPE",
          formatted: message.formatted.get(meta!.id, "ENVELOPE", () =>
            formatEnvelope(meta!.envelope ?? NO_ENVELOPE, plan.format),
          ),
        });
        break;
      case "BODY":
      case "BODYSTRUCTURE":
        out.push({
          name: item.kind,
          formatted: message.formatted.get(meta!.id, item.kind, () =>
            structureOf(meta!, item.kind === "BODYSTRUCTURE", plan.format),
          ),
        });
        break;
      case "body-section": {
        const literal = await sectionOf(session, selected, principal, item, message);
        if (literal === null) return null;
        out.push(
          literal.size === 0 ? { name: item.responseName, value: "" } : { name: item.responseName, literal },
        );
        break;
      }
    }
  }
  if (message.flagsChanged && !plan.args.items.some((item) => item.kind === "FLAGS"))
    out.push({ name: "FLAGS", value: meta!.flags.map(atom) });
  if (plan.modseq && !plan.args.items.some((item) => item.kind === "MODSEQ"))
    out.push({ name: "MODSEQ", value: [meta!.modseq] });
  return out;
}

/** The message data an answer carries (body sections as literals): what the daily download allowance counts. */
function dataBytes(attributes: FetchAttribute[]): number {
  return attributes.reduce((sum, a) => sum + ("literal" in a ? a.literal.size : 0), 0);
}

/** Every field NIL: a message stored without an envelope (none is, but a reader must not fail on it). */
const NO_ENVELOPE: Envelope = {
  date: null,
  subject: null,
  from: null,
  sender: null,
  replyTo: null,
  to: null,
  cc: null,
  bcc: null,
  inReplyTo: null,
  messageId: null,
};

function structureOf(meta: FetchedMessage, extensible: boolean, format: FormatOptions): Buffer {
  if (!meta.bodyStructure)
    return Buffer.from(`("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" ${meta.size} 0)`);
  return formatBodyStructure(meta.bodyStructure, { ...format, extensible });
}

/** A section's bytes: the bulk path's message for BODY[], `body()` for the rest; null when the message is gone. */
async function sectionOf(
  session: ImapSession,
  selected: SelectedMailbox,
  principal: Principal,
  item: FetchBodyItem,
  message: MessageData,
): Promise<LiteralData | null> {
  if (isWholeMessage(item) && message.raw)
    return { size: message.raw.size, bytes: message.raw.bytes ?? message.raw.chunks() };
  const { part, text, fields } = item.section;
  const section = await session.core.uidMailboxes.body(principal, selected.mailboxId, message.uid, {
    part,
    text,
    fields,
    ...(item.partial ? { partial: item.partial } : {}),
  });
  return section ? { size: section.size, bytes: section.stream } : null;
}

/** Writes a response's pieces, streaming each literal; a literal that is not the size announced is fatal. */
async function writeResponse(batcher: WriteBatcher, pieces: Array<Buffer | LiteralData>): Promise<void> {
  for (const piece of pieces) {
    if (Buffer.isBuffer(piece)) {
      await batcher.push(piece);
      continue;
    }
    if (Buffer.isBuffer(piece.bytes)) {
      assertSize(piece.bytes.length, piece.size);
      await batcher.push(piece.bytes);
      continue;
    }
    let sent = 0;
    for await (const chunk of piece.bytes) {
      sent += chunk.length;
      if (sent > piece.size) break;
      await batcher.push(chunk);
    }
    assertSize(sent, piece.size);
  }
}

/** The literal's size went out before its bytes: if they differ the stream cannot be repaired. */
function assertSize(sent: number, announced: number): void {
  if (sent !== announced)
    throw new Error(
      `A literal announced ${announced} bytes but the store gave ${sent}; the stream is broken.`,
    );
}

/**
 * RFC 7162 §3.2.6: `* VANISHED (EARLIER) uids`, the set's UIDs expunged since CHANGEDSINCE, before the FETCH
 * answers. When the journal no longer reaches back that far, every UID of the set that is not in the mailbox is
 * named instead (as §3.2.5.2 does for SELECT): a client treats a UID it never had as already gone.
 */
async function writeVanished(
  session: ImapSession,
  selected: SelectedMailbox,
  principal: Principal,
  args: FetchArgs,
  batcher: WriteBatcher,
): Promise<void> {
  const known = selected.uids();
  const asked = askedUids(args.set, known);
  const expunged = await session.core.uidMailboxes.vanishedSince(
    principal,
    selected.mailboxId,
    args.changedSince!,
  );
  const text =
    expunged === null
      ? formatRanges(absentFrom(asked, known))
      : compactUidSet(expunged.filter((uid) => asked.some((r) => uid >= r.from && uid <= r.to)));
  if (text) await batcher.push(Buffer.from(`* VANISHED (EARLIER) ${text}\r\n`));
}

/** The UID set as sorted, merged ranges; `*` is the highest UID the client knows (RFC 3501 §6.4.8). */
function askedUids(set: SetRange[], known: readonly number[]): UidRange[] {
  const last = known.length > 0 ? known[known.length - 1] : 0;
  const ranges = set
    .map((r) => ({ a: r.from ?? last, b: r.to ?? last }))
    .map(({ a, b }) => ({ from: Math.max(1, Math.min(a, b)), to: Math.max(a, b) }))
    .filter((r) => r.to >= 1)
    .sort((x, y) => x.from - y.from);
  const out: UidRange[] = [];
  for (const r of ranges) {
    const prev = out[out.length - 1];
    if (prev && r.from <= prev.to + 1) prev.to = Math.max(prev.to, r.to);
    else out.push(r);
  }
  return out;
}

/** The parts of `ranges` that hold none of `present` (ascending), as ranges: a large gap stays one range. */
function absentFrom(ranges: UidRange[], present: readonly number[]): UidRange[] {
  const out: UidRange[] = [];
  let i = 0;
  for (const r of ranges) {
    let from = r.from;
    while (i < present.length && present[i] < from) i++;
    for (; i < present.length && present[i] <= r.to; i++) {
      if (present[i] > from) out.push({ from, to: present[i] - 1 });
      from = present[i] + 1;
    }
    if (from <= r.to) out.push({ from, to: r.to });
  }
  return out;
}

function formatRanges(ranges: UidRange[]): string {
  return ranges.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}:${r.to}`)).join(",");
}

function spec(name: string, byUid: boolean): CommandSpec {
  return {
    name,
    states: SELECTED,
    // RFC 3501 §7.4.1: no EXPUNGE during FETCH; UID FETCH may have them (sequence numbers are not used).
    expunges: byUid,
    async handle(session, request) {
      const args = parseFetch(request.args, { byUid, qresync: session.enabled.has("QRESYNC") });
      return handleFetch(session, args, byUid);
    },
  };
}

export const FETCH_COMMANDS: CommandSpec[] = [spec("FETCH", false), spec("UID FETCH", true)];

// The selected mailbox as one session knows it: UIDs by sequence number, the highest modseq told, and the changes
// heard from the core's watch but not yet told. The session owns the sequence numbers; the core knows UIDs only.
import type { Core, MailboxEvent, OpenedUids, Principal, Watch } from "../../src/core/index.js";
import type { ImapSession, SelectedMailbox } from "./commands/context.js";
import { BadArguments } from "./protocol/request.js";
import { resolveSequenceNumbers, resolveUids, type SetRange } from "./protocol/sequence-set.js";
import { atom, type ImapValue } from "./protocol/values.js";
import { compactUidSet } from "./uid-ranges.js";

/** The flags a session can always offer: system flags and, with `\*`, new keywords (RFC 3501 §7.1). */
export const SYSTEM_FLAGS = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"] as const;

interface FlagNotice {
  flags: string[];
  modseq: number;
}

export interface OpenSelectedOptions {
  readOnly: boolean;
}

/**
 * A mailbox opened by SELECT or EXAMINE. The watch is taken live before the UID list is read, so every change
 * committed after the read arrives as an event, and events for changes the list already holds are recognised and
 * dropped (an exists of a known UID, an expunge of an unknown one). Replaying the journal from the mailbox's
 * modseq instead would refuse to open a quiet mailbox in a busy account (`changes` gives up past maxChanges) and
 * read thousands of entries of other mailboxes on each SELECT.
 */
export class SelectedView implements SelectedMailbox {
  readonly mailboxId: string;
  readonly path: string;
  readonly readOnly: boolean;
  readonly uidValidity: number;
  /** UIDNEXT at the open (SELECT's answer). */
  readonly uidNext: number;
  private told: number[];
  private toldModseq: number;
  /** Keywords the client was told of in FLAGS. */
  private readonly keywords: Set<string>;
  private keywordsChanged = false;
  private readonly expunged = new Set<number>();
  private readonly added: number[] = [];
  private readonly flagNotices = new Map<number, FlagNotice>();
  /** Flag changes the client was told of in its own STORE's answer before the watch brought them: uid -> modseq. */
  private readonly toldFlags = new Map<number, number>();
  /** The highest modseq of the events heard (told at the next flush that tells them all). */
  private heardModseq: number;
  private listeners: Array<() => void> = [];
  private pump: Promise<void> | null = null;
  private failure: Error | null = null;
  private closed = false;

  private constructor(
    private readonly core: Core,
    private readonly principal: Principal,
    opened: OpenedUids,
    readOnly: boolean,
    private watch: Watch<MailboxEvent>,
  ) {
    this.mailboxId = opened.mailboxId;
    this.path = opened.path;
    this.readOnly = readOnly;
    this.uidValidity = opened.uidValidity;
    this.uidNext = opened.uidNext;
    this.told = Array.from(opened.uids);
    this.toldModseq = opened.highestModseq;
    this.heardModseq = opened.highestModseq;
    this.keywords = new Set(opened.keywords);
  }

  /** Opens a mailbox by path for a session: watch first, then the UID list (see the class comment). */
  static async open(
    core: Core,
    principal: Principal,
    path: string,
    options: OpenSelectedOptions,
  ): Promise<{ view: SelectedView; opened: OpenedUids }> {
    const box = await core.mailboxes.getByPath(principal, path);
    const watch = await core.watch.mailbox(principal, box.id);
    let opened: OpenedUids;
    try {
      opened = await core.uidMailboxes.openUids(principal, box.id);
    } catch (err) {
      await watch.return();
      throw err;
    }
    const view = new SelectedView(core, principal, opened, options.readOnly, watch);
    view.listen();
    return { view, opened };
  }

  get highestModseq(): number {
    return this.toldModseq;
  }

  uids(): readonly number[] {
    return this.told;
  }

  seqOf(uid: number): number | undefined {
    const i = indexOf(this.told, uid);
    return i < 0 ? undefined : i + 1;
  }

  /** Keywords of the mailbox as told in the last FLAGS response. */
  knownKeywords(): string[] {
    return [...this.keywords].sort();
  }

  resolve(set: SetRange[], byUid: boolean): number[] {
    if (byUid) return resolveUids(set, this.told);
    const { seqs, outOfRange } = resolveSequenceNumbers(set, this.told.length);
    if (outOfRange)
      throw new BadArguments(
        `Message sequence number out of range: the mailbox has ${this.told.length} messages.`,
      );
    return seqs.map((n) => this.told[n - 1]);
  }

  /** Whether changes wait to be told (IDLE writes them at once). */
  hasPending(): boolean {
    return (
      this.expunged.size > 0 ||
      this.added.length > 0 ||
      this.flagNotices.size > 0 ||
      this.keywordsChanged ||
      this.failure !== null
    );
  }

  /** Calls `listener` whenever a change arrives, until the returned function is called. */
  onChange(listener: () => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /**
   * The client's own EXPUNGE / MOVE: their UIDs leave the view now, told in this flush, before the tagged OK
   * (the watch's events for them then find the UIDs gone and are dropped).
   */
  noteExpunged(uids: readonly number[]): void {
    for (const uid of uids) this.heardExpunge(uid);
  }

  /**
   * The client's own STORE: the FETCH it gets in the answer makes the watch's notice of that change redundant,
   * whether the notice came already or comes later (through Redis it may come after the answer).
   */
  noteFlagsTold(uid: number, modseq: number): void {
    const pending = this.flagNotices.get(uid);
    if (pending && pending.modseq <= modseq) this.flagNotices.delete(uid);
    else this.toldFlags.set(uid, Math.max(modseq, this.toldFlags.get(uid) ?? 0));
  }

  async flush(session: ImapSession, options: { expunges: boolean }): Promise<void> {
    if (this.failure) await this.resume(session);
    const condstore = session.enabled.has("CONDSTORE") || session.enabled.has("QRESYNC");
    const qresync = session.enabled.has("QRESYNC");
    // While expunges wait, so does EXISTS: the client's count must stay what its sequence numbers mean.
    const holding = !options.expunges && this.expunged.size > 0;
    if (this.keywordsChanged) {
      this.keywordsChanged = false;
      session.untagged(`FLAGS ${flagList(this.keywords)}`);
      session.untagged(
        `OK [PERMANENTFLAGS ${this.readOnly ? "()" : flagList(this.keywords, true)}] Flags permitted.`,
      );
    }
    if (!holding && this.expunged.size > 0) {
      const gone = [...this.expunged].sort((a, b) => a - b);
      this.expunged.clear();
      if (qresync) {
        this.told = removeSorted(this.told, gone);
        session.untagged(`VANISHED ${compactUidSet(gone)}`);
      } else {
        // Highest sequence number first: each number stays what the client thinks it is.
        for (let k = gone.length - 1; k >= 0; k--) {
          const i = indexOf(this.told, gone[k]);
          if (i < 0) continue;
          this.told.splice(i, 1);
          session.untagged(`${i + 1} EXPUNGE`);
        }
      }
    }
    if (!holding && this.added.length > 0) {
      this.told.push(...this.added.sort((a, b) => a - b));
      this.added.length = 0;
      session.untagged(`${this.told.length} EXISTS`);
    }
    for (const [uid, notice] of [...this.flagNotices].sort((a, b) => a[0] - b[0])) {
      const i = indexOf(this.told, uid);
      if (i < 0) continue;
      this.flagNotices.delete(uid);
      session.untaggedValues([
        i + 1,
        atom("FETCH"),
        flagItems(uid, notice.flags, condstore ? notice.modseq : null),
      ]);
    }
    if (!this.hasPending()) this.toldModseq = Math.max(this.toldModseq, this.heardModseq);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners = [];
    await this.watch.return();
    await this.pump;
  }

  private listen(): void {
    this.pump = (async () => {
      try {
        for await (const event of this.watch) this.hear(event);
      } catch (err) {
        if (this.closed) return;
        this.failure = err instanceof Error ? err : new Error(String(err));
        this.notify();
      }
    })();
  }

  /**
   * The bus dropped the watch: watch again from the last modseq heard, replaying the journal. If the journal no
   * longer reaches back the session cannot know what it missed, so it ends (RFC 3501 §7.1.5 BYE).
   */
  private async resume(session: ImapSession): Promise<void> {
    this.failure = null;
    try {
      this.watch = await this.core.watch.mailbox(this.principal, this.mailboxId, {
        sinceState: this.heardModseq,
      });
      this.listen();
    } catch {
      session.untagged("BYE [UNAVAILABLE] Lost track of the mailbox's changes; please reconnect.");
      session.end();
    }
  }

  private hear(e: MailboxEvent): void {
    if (e.modseq > this.heardModseq) this.heardModseq = e.modseq;
    if (e.kind === "exists" && e.uid !== null) this.heardExists(e.uid, e.flags);
    else if (e.kind === "expunge" && e.uid !== null) this.heardExpunge(e.uid);
    else if (e.kind === "flags" && e.uid !== null && e.flags) this.heardFlags(e.uid, e.flags, e.modseq);
    else if (e.kind === "mailbox-delete")
      for (const uid of [...this.told, ...this.added]) this.heardExpunge(uid);
    else return;
    this.notify();
  }

  private heardExists(uid: number, flags: string[] | null): void {
    if (indexOf(this.told, uid) >= 0 || this.added.includes(uid) || this.expunged.has(uid)) return;
    this.added.push(uid);
    if (flags) this.noteKeywords(flags);
  }

  private heardExpunge(uid: number): void {
    const pendingNew = this.added.indexOf(uid);
    this.toldFlags.delete(uid);
    if (pendingNew >= 0) this.added.splice(pendingNew, 1);
    else if (indexOf(this.told, uid) >= 0) this.expunged.add(uid);
    this.flagNotices.delete(uid);
  }

  private heardFlags(uid: number, flags: string[], modseq: number): void {
    this.noteKeywords(flags);
    const told = this.toldFlags.get(uid);
    if (told !== undefined && modseq <= told) {
      if (modseq === told) this.toldFlags.delete(uid);
      return;
    }
    if (indexOf(this.told, uid) < 0 || this.expunged.has(uid)) return;
    const pending = this.flagNotices.get(uid);
    if (!pending || pending.modseq < modseq) this.flagNotices.set(uid, { flags, modseq });
  }

  private noteKeywords(flags: string[]): void {
    for (const f of flags)
      if (isKeyword(f) && !this.keywords.has(f)) {
        this.keywords.add(f);
        this.keywordsChanged = true;
      }
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}

/** The view of a session in the selected state (SELECT / EXAMINE made it). */
export function selectedView(session: ImapSession): SelectedView {
  const view = session.selected;
  if (!(view instanceof SelectedView)) throw new Error("No mailbox is selected.");
  return view;
}

/** The FETCH items of a flag change: `(UID n FLAGS (...) [MODSEQ (m)])`; flags null leaves FLAGS out. */
export function flagItems(uid: number, flags: readonly string[] | null, modseq: number | null): ImapValue[] {
  const items: ImapValue[] = [atom("UID"), uid];
  if (flags) items.push(atom("FLAGS"), flags.map(atom));
  if (modseq !== null) items.push(atom("MODSEQ"), [modseq]);
  return items;
}

/** `(\Answered ... keyword)`, with `\*` for PERMANENTFLAGS (the client may make new keywords). */
export function flagList(keywords: Iterable<string>, permanent = false): string {
  const all: string[] = [...SYSTEM_FLAGS, ...[...keywords].sort()];
  if (permanent) all.push("\\*");
  return `(${all.join(" ")})`;
}

function isKeyword(flag: string): boolean {
  return !flag.startsWith("\\");
}

/** Binary search in an ascending UID list: the index, or -1. */
function indexOf(uids: readonly number[], uid: number): number {
  let lo = 0;
  let hi = uids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (uids[mid] === uid) return mid;
    if (uids[mid] < uid) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** `list` without the UIDs of `gone` (both ascending), in one pass. */
function removeSorted(list: number[], gone: number[]): number[] {
  const out: number[] = [];
  let g = 0;
  for (const uid of list) {
    while (g < gone.length && gone[g] < uid) g++;
    if (g < gone.length && gone[g] === uid) continue;
    out.push(uid);
  }
  return out;
}

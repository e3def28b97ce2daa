import type { JournalEntry, Store } from "../storage/ports.js";
import { DomainError, invalidInput } from "./errors.js";
import { DEFAULT_LIMITS, type CoreLimits } from "./limits.js";
import { requireUser, type Principal } from "./principal.js";

/**
 * How long a gap in the journal may still fill. On MongoDB a writer takes its modseq before it writes its
 * journal entry, so for a moment a later entry can exist while an earlier one does not yet: a state past that
 * gap would make clients miss the earlier change for good. A gap older than this is a crash gap, stepped over.
 */
export const JOURNAL_GAP_GRACE_MS = 5000;
const STATE_TAIL = 200;

export interface ChangeSet {
  created: string[];
  updated: string[];
  destroyed: string[];
}

export interface Changes {
  oldState: number;
  newState: number;
  hasMoreChanges: boolean;
  mailboxes: ChangeSet;
  messages: ChangeSet;
}

/**
 * JMAP-style sync: what changed since a state, computed from the journal. An id first seen as
 * "exists" was created in the window; one whose last entry is a removal was destroyed; the rest updated
 * (a move shows up as an update: the message keeps its id).
 */
export class ChangesService {
  constructor(
    private readonly store: Store,
    private readonly limits: CoreLimits = DEFAULT_LIMITS,
  ) {}

  /** The account's state: the end of the settled journal (never past a change still being written). */
  async state(p: Principal, userId?: string): Promise<number> {
    return this.stateOf(requireUser(p, userId));
  }

  /** The state of an account whose record the caller was already allowed to see. */
  private async stateOf(userId: string): Promise<number> {
    const user = await this.store.users.get(userId);
    if (!user) return 0;
    const from = Math.max(0, user.modseq - STATE_TAIL, await this.store.journal.floor(userId));
    const tail = settledPrefix(
      await this.store.journal.since(userId, from, STATE_TAIL + 1),
      from,
      Date.now(),
    );
    return tail.length > 0 ? tail[tail.length - 1].modseq : from;
  }

  async since(p: Principal, sinceState: number, maxChanges = this.limits.maxChanges): Promise<Changes> {
    const userId = requireUser(p);
    if (!Number.isSafeInteger(sinceState) || sinceState < 0)
      throw invalidInput(`State "${sinceState}" is not a state this server gave out.`);
    if (maxChanges < 1 || maxChanges > this.limits.maxChanges)
      throw invalidInput(`maxChanges ${maxChanges} must be 1 to ${this.limits.maxChanges}.`);
    const user = await this.store.users.get(userId);
    const current = user?.modseq ?? 0;
    if (sinceState > current)
      throw invalidInput(`State ${sinceState} is newer than the account's state ${current}.`);
    if (sinceState < (await this.store.journal.floor(userId))) {
      throw new DomainError(
        "CANNOT_CALCULATE_CHANGES",
        `The journal no longer reaches back to state ${sinceState}; reload.`,
      );
    }
    const entries = await this.store.journal.since(userId, sinceState, maxChanges + 1);
    const settled = settledPrefix(entries, sinceState, Date.now());
    const hasMoreChanges = settled.length > maxChanges;
    const window = settled.slice(0, maxChanges);
    const mailboxes = summarize(
      window.filter((e) => e.kind.startsWith("mailbox-")),
      (e) => e.mailboxId,
      "mailbox-create",
      "mailbox-delete",
    );
    // A mailbox whose messages changed has new counts (total, unseen, size): JMAP reports it as updated.
    const listed = new Set([...mailboxes.created, ...mailboxes.updated, ...mailboxes.destroyed]);
    for (const e of window) {
      if (e.messageId === null || listed.has(e.mailboxId)) continue;
      listed.add(e.mailboxId);
      mailboxes.updated.push(e.mailboxId);
    }
    return {
      oldState: sinceState,
      newState: window.length > 0 ? window[window.length - 1].modseq : sinceState,
      hasMoreChanges,
      mailboxes,
      messages: summarize(
        window.filter((e) => e.messageId !== null),
        (e) => e.messageId!,
        "exists",
        "expunge",
      ),
    };
  }
  /**
   * The journal of one mailbox after a state (checked like `since`), oldest first, for a watch that replays before
   * going live. A client further behind than `maxChanges` entries of the account is told to reload instead.
   */
  async mailboxSince(p: Principal, mailboxId: string, sinceState: number): Promise<JournalEntry[]> {
    await this.since(p, sinceState, 1);
    const userId = requireUser(p);
    const max = this.limits.maxChanges;
    const entries = await this.store.journal.since(userId, sinceState, max + 1);
    if (entries.length > max)
      throw new DomainError(
        "CANNOT_CALCULATE_CHANGES",
        `More than ${max} changes since state ${sinceState}; reload.`,
      );
    return entries.filter((e) => e.mailboxId === mailboxId);
  }
}

/** The entries up to the first gap that may still fill (see JOURNAL_GAP_GRACE_MS); older gaps are stepped over. */
export function settledPrefix(
  entries: JournalEntry[],
  since: number,
  now: number,
  graceMs = JOURNAL_GAP_GRACE_MS,
): JournalEntry[] {
  const out: JournalEntry[] = [];
  let expected = since + 1;
  for (const e of entries) {
    if (e.modseq !== expected && now - e.at.getTime() < graceMs) break;
    out.push(e);
    expected = e.modseq + 1;
  }
  return out;
}

function summarize(
  entries: JournalEntry[],
  key: (e: JournalEntry) => string,
  create: string,
  destroy: string,
): ChangeSet {
  const first = new Map<string, string>();
  const last = new Map<string, string>();
  for (const e of entries) {
    const k = key(e);
    if (!first.has(k)) first.set(k, e.kind);
    last.set(k, e.kind);
  }
  const out: ChangeSet = { created: [], updated: [], destroyed: [] };
  for (const [k, firstKind] of first) {
    const gone = last.get(k) === destroy;
    if (firstKind === create) {
      if (!gone) out.created.push(k);
    } else if (gone) out.destroyed.push(k);
    else out.updated.push(k);
  }
  return out;
}

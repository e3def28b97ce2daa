import type { MailboxCounts, MailboxRecord, Store } from "../storage/ports.js";
import { StoreConflictError } from "../storage/ports.js";
import { DomainError, invalidInput, notFound } from "./errors.js";
import { mailboxEvent, messageEvent, moveEvents, type EventPublisher } from "./events.js";
import { newId } from "./ids.js";
import { DEFAULT_LIMITS, type CoreLimits } from "./limits.js";
import { requireUser, type Principal } from "./principal.js";
import { SPECIAL_USES, newUidValidity } from "./special-use.js";

export interface MailboxWithCounts extends MailboxRecord {
  counts: MailboxCounts;
}

export interface CreateMailboxOptions {
  /** An RFC 6154 special use (\\Sent, \\Drafts, ...): IMAP's CREATE (USE (...)) (RFC 6154 §3). */
  specialUse?: string | null;
}

/** Messages moved per store change when INBOX is renamed. */
const INBOX_MOVE_BATCH = 1000;

/** Mailboxes of one user: flat paths ("/" only for display), special-use roles, subscriptions. */
export class MailboxService {
  constructor(
    private readonly store: Store,
    private readonly events: EventPublisher,
    private readonly limits: CoreLimits = DEFAULT_LIMITS,
  ) {}

  async list(p: Principal, userId?: string): Promise<MailboxRecord[]> {
    return this.store.mailboxes.list(requireUser(p, userId));
  }

  async get(p: Principal, mailboxId: string): Promise<MailboxRecord> {
    const userId = requireUser(p);
    const box = await this.store.mailboxes.get(userId, mailboxId);
    if (!box) throw notFound("Mailbox", mailboxId);
    return box;
  }

  /** The mailboxes of `ids` that the principal owns (missing ones are left out), for batched loading. */
  async getMany(p: Principal, ids: string[]): Promise<MailboxRecord[]> {
    return this.store.mailboxes.getMany(requireUser(p), ids);
  }

  async getByPath(p: Principal, path: string): Promise<MailboxRecord> {
    const userId = requireUser(p);
    const box = await this.store.mailboxes.getByPath(
      userId,
      normalizePath(path, this.limits.maxMailboxPathChars),
    );
    if (!box) throw notFound("Mailbox", path);
    return box;
  }

  async counts(p: Principal, ids: string[]): Promise<MailboxCounts[]> {
    return this.store.mailboxes.counts(requireUser(p), ids);
  }

  /** The user's mailboxes, each with its message counts (IMAP LIST-STATUS): two reads whatever the count. */
  async listWithCounts(p: Principal): Promise<MailboxWithCounts[]> {
    const userId = requireUser(p);
    const boxes = await this.store.mailboxes.list(userId);
    const counts = new Map(
      (
        await this.store.mailboxes.counts(
          userId,
          boxes.map((b) => b.id),
        )
      ).map((c) => [c.mailboxId, c]),
    );
    return boxes.map((b) => ({
      ...b,
      counts: counts.get(b.id) ?? { mailboxId: b.id, total: 0, unseen: 0, size: 0 },
    }));
  }

  async create(p: Principal, path: string, options: CreateMailboxOptions = {}): Promise<MailboxRecord> {
    const userId = requireUser(p);
    const clean = normalizePath(path, this.limits.maxMailboxPathChars);
    const specialUse = options.specialUse ?? null;
    if (specialUse !== null && !SPECIAL_USES.includes(specialUse))
      throw invalidInput(`Special use "${specialUse}" is not one of ${SPECIAL_USES.join(", ")} (RFC 6154).`);
    try {
      return await this.insert(userId, clean, specialUse);
    } catch (err) {
      if (err instanceof StoreConflictError) throw alreadyExists(clean);
      throw err;
    }
  }

  /**
   * The user's mailbox with a special use (\\Junk), else the one at `path`, else a new one at `path` with that
   * use (RFC 6154), so delivery always has somewhere to put what it routes there.
   */
  async ensureSpecialUse(p: Principal, specialUse: string, path: string): Promise<MailboxRecord> {
    const userId = requireUser(p);
    const boxes = await this.store.mailboxes.list(userId);
    const found = boxes.find((b) => b.specialUse === specialUse) ?? boxes.find((b) => b.path === path);
    if (found) return found;
    try {
      return await this.insert(userId, path, specialUse);
    } catch (err) {
      // Another delivery made it first.
      if (!(err instanceof StoreConflictError)) throw err;
      const made = await this.store.mailboxes.getByPath(userId, path);
      if (!made) throw err;
      return made;
    }
  }

  /**
   * The mailbox to `path`, and the mailboxes below it with it, as IMAP RENAME moves them (renameTree), so the
   * API and IMAP leave the same folders behind. INBOX cannot be renamed here (IMAP's RENAME INBOX is special).
   */
  async rename(p: Principal, mailboxId: string, path: string): Promise<MailboxRecord> {
    const box = await this.get(p, mailboxId);
    if (box.path === "INBOX") throw invalidInput("INBOX cannot be renamed.");
    const renamed = await this.renameTree(p, box.path, path);
    const self = renamed.find((b) => b.id === box.id);
    // Renamed by someone else between the read and the move: the tree at the old path was another mailbox.
    if (!self) throw notFound("Mailbox", mailboxId);
    return self;
  }

  /**
   * IMAP RENAME (RFC 3501 §6.3.5): the mailbox at `path` and every mailbox below it move under `newPath`, one
   * journaled change each, parents first. With flat paths `path` itself may be only a prefix ("a" of "a/b");
   * its inferiors still move. Every target is checked free before the first change; a target made meanwhile
   * stops the rename there (ALREADY_EXISTS), with the mailboxes before it renamed. INBOX is special: its
   * messages move to a new mailbox at `newPath` and INBOX stays, empty, its inferiors where they are.
   */
  async renameTree(p: Principal, path: string, newPath: string): Promise<MailboxRecord[]> {
    const userId = requireUser(p);
    const from = normalizePath(path, this.limits.maxMailboxPathChars);
    const to = normalizePath(newPath, this.limits.maxMailboxPathChars);
    if (to === "INBOX" || to === from) throw alreadyExists(to);
    if (from === "INBOX") return [await this.renameInbox(userId, to)];
    if (to.startsWith(from + "/"))
      throw invalidInput(`Mailbox "${from}" cannot be renamed to "${to}", below itself.`);
    const boxes = await this.store.mailboxes.list(userId);
    const moving = boxes
      .filter((b) => b.path === from || b.path.startsWith(from + "/"))
      .sort((a, b) => a.path.length - b.path.length);
    if (moving.length === 0) throw notFound("Mailbox", from);
    const taken = new Set(boxes.map((b) => b.path));
    const plan = moving.map((box) => ({
      box,
      target: normalizePath(to + box.path.slice(from.length), this.limits.maxMailboxPathChars),
    }));
    const clash = plan.find((step) => taken.has(step.target));
    if (clash) throw alreadyExists(clash.target);
    const renamed: MailboxRecord[] = [];
    for (const step of plan) renamed.push(await this.update(p, step.box, { path: step.target }));
    return renamed;
  }

  async setSubscribed(p: Principal, mailboxId: string, subscribed: boolean): Promise<MailboxRecord> {
    return this.update(p, await this.get(p, mailboxId), { subscribed });
  }

  /**
   * IMAP SUBSCRIBE / UNSUBSCRIBE: the subscription is a flag of the mailbox, so a name that is not a mailbox
   * cannot be subscribed (NOT_FOUND; RFC 3501 §6.3.6 lets a server check), and deleting a mailbox ends it.
   */
  async setSubscribedByPath(p: Principal, path: string, subscribed: boolean): Promise<MailboxRecord> {
    return this.update(p, await this.getByPath(p, path), { subscribed });
  }

  async deleteByPath(p: Principal, path: string): Promise<void> {
    await this.delete(p, (await this.getByPath(p, path)).id);
  }

  async delete(p: Principal, mailboxId: string): Promise<void> {
    const box = await this.get(p, mailboxId);
    if (box.specialUse)
      throw invalidInput(
        `Mailbox "${box.path}" has the special use ${box.specialUse} and cannot be deleted.`,
      );
    const deleted = await this.store.mailboxes.delete(box.userId, box.id);
    if (!deleted) throw notFound("Mailbox", mailboxId);
    // Each event carries its own journal entry's modseq, so a watcher's replay/live dedupe stays exact.
    await this.events.changed(box.userId, [
      ...deleted.removed.map((m) => messageEvent("expunge", box.userId, m)),
      ...(deleted.modseq === null
        ? []
        : [mailboxEvent("mailbox-delete", box.userId, box.id, deleted.modseq)]),
    ]);
  }

  private async update(
    p: Principal,
    box: MailboxRecord,
    patch: { path?: string; subscribed?: boolean },
  ): Promise<MailboxRecord> {
    try {
      const updated = await this.store.mailboxes.update(box.userId, box.id, patch);
      if (!updated) throw notFound("Mailbox", box.id);
      if (updated.modseq !== null)
        await this.events.changed(box.userId, [
          mailboxEvent("mailbox-update", box.userId, box.id, updated.modseq),
        ]);
      return updated.mailbox;
    } catch (err) {
      if (err instanceof StoreConflictError) throw alreadyExists(patch.path ?? box.path);
      throw err;
    }
  }

  /** RENAME INBOX (RFC 3501 §6.3.5): a new mailbox at `to` receives every INBOX message, in batches. */
  private async renameInbox(userId: string, to: string): Promise<MailboxRecord> {
    const inbox = await this.store.mailboxes.getByPath(userId, "INBOX");
    if (!inbox) throw notFound("Mailbox", "INBOX");
    let target: MailboxRecord;
    try {
      target = await this.insert(userId, to, null);
    } catch (err) {
      if (err instanceof StoreConflictError) throw alreadyExists(to);
      throw err;
    }
    for (;;) {
      const ids = (await this.store.messages.listUids(userId, inbox.id))
        .slice(0, INBOX_MOVE_BATCH)
        .map((m) => m.id);
      if (ids.length === 0) break;
      const moved = await this.store.messages.move(userId, ids, target.id);
      await this.events.changed(
        userId,
        moved.flatMap((m) => moveEvents(userId, m)),
      );
      // Messages that left INBOX meanwhile are not in `moved`; the next listing no longer has them either.
      if (moved.length === 0) break;
    }
    return (await this.store.mailboxes.get(userId, target.id)) ?? target;
  }

  /** A new subscribed mailbox, announced; StoreConflictError when the path is taken. */
  private async insert(userId: string, path: string, specialUse: string | null): Promise<MailboxRecord> {
    const box = await this.store.mailboxes.create({
      id: newId(),
      userId,
      path,
      specialUse,
      subscribed: true,
      uidValidity: newUidValidity(),
      createdAt: new Date(),
    });
    await this.events.changed(box.userId, [
      mailboxEvent("mailbox-create", box.userId, box.id, box.highestModseq),
    ]);
    return box;
  }
}

const alreadyExists = (path: string) =>
  new DomainError("ALREADY_EXISTS", `Mailbox "${path}" already exists.`);

/** Trims, folds any case of "inbox" to INBOX, and refuses empty segments and control characters. */
export function normalizePath(path: string, maxChars = DEFAULT_LIMITS.maxMailboxPathChars): string {
  const clean = path.normalize("NFC").trim();
  if (clean.length === 0 || clean.length > maxChars) {
    throw invalidInput(`Mailbox path "${path}" must have 1 to ${maxChars} characters.`);
  }

  if (/[\u0000-\u001f\u007f]/.test(clean))
    throw invalidInput(`Mailbox path "${path}" contains a control character.`);
  if (clean.split("/").some((s) => s.trim().length === 0))
    throw invalidInput(`Mailbox path "${path}" has an empty segment.`);
  return clean.toUpperCase() === "INBOX" ? "INBOX" : clean;
}

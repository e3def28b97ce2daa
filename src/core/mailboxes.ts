import type { MailboxCounts, MailboxRecord, Store } from "../storage/ports.js";
import { StoreConflictError } from "../storage/ports.js";
import { DomainError, invalidInput, notFound } from "./errors.js";
import { mailboxEvent, messageEvent, type EventPublisher } from "./events.js";
import { newId } from "./ids.js";
import { DEFAULT_LIMITS, type CoreLimits } from "./limits.js";
import { requireUser, type Principal } from "./principal.js";
import { newUidValidity } from "./special-use.js";

export interface MailboxWithCounts extends MailboxRecord {
  counts: MailboxCounts;
}

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

  async create(p: Principal, path: string): Promise<MailboxRecord> {
    const userId = requireUser(p);
    const clean = normalizePath(path, this.limits.maxMailboxPathChars);
    try {
      return await this.insert(userId, clean, null);
    } catch (err) {
      if (err instanceof StoreConflictError)
        throw new DomainError("ALREADY_EXISTS", `Mailbox "${clean}" already exists.`);
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

  async rename(p: Principal, mailboxId: string, path: string): Promise<MailboxRecord> {
    const box = await this.get(p, mailboxId);
    if (box.path === "INBOX") throw invalidInput("INBOX cannot be renamed.");
    return this.update(p, box, { path: normalizePath(path, this.limits.maxMailboxPathChars) });
  }

  async setSubscribed(p: Principal, mailboxId: string, subscribed: boolean): Promise<MailboxRecord> {
    return this.update(p, await this.get(p, mailboxId), { subscribed });
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
      if (err instanceof StoreConflictError)
        throw new DomainError("ALREADY_EXISTS", `Mailbox "${patch.path}" already exists.`);
      throw err;
    }
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

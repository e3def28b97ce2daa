// A user's delivery rules, managed by the user (GraphQL): filters (create, change, reorder, delete) and the spam
// level. Delivery reads them through the store and applies them with `routeMessage` (src/core/delivery/route.ts).
import type { FilterRecord, FlatDocument, Store, UserRecord } from "../storage/ports.js";
import {
  cleanFilter,
  type FilterActions,
  type FilterConditions,
  type FilterDefinition,
} from "./delivery/filters.js";
import type { RoutingFilter } from "./delivery/route.js";
import { DEFAULT_SPAM_LEVEL } from "./delivery/spam.js";
import { invalidInput, notFound } from "./errors.js";
import { newId } from "./ids.js";
import { DEFAULT_LIMITS, type CoreLimits } from "./limits.js";
import { requireUser, type Principal } from "./principal.js";

export interface Filter extends RoutingFilter {
  userId: string;
  /** 0 for the first applied; the user's filters are numbered 0..n-1 after a reorder. */
  position: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface FilterInput {
  name: string;
  /** Default true. */
  enabled?: boolean;
  conditions: FilterConditions;
  actions: FilterActions;
}

/** What an update changes; conditions and actions, when given, replace the old ones whole. */
export type FilterUpdate = Partial<FilterInput>;

/** Scores beyond this mean nothing to SpamAssassin or rspamd (rspamd rejects at 15 by default). */
const MAX_SPAM_LEVEL = 1000;

export interface SpamLevel {
  level: number;
  /** The user set none: the configured `[delivery] spam_level` applies. */
  isDefault: boolean;
}

export class FilterService {
  constructor(
    private readonly store: Store,
    private readonly limits: CoreLimits = DEFAULT_LIMITS,
    private readonly defaultSpamLevel = DEFAULT_SPAM_LEVEL,
  ) {}

  /** The spam score from which the user's mail goes to Junk. */
  spamLevelOf(user: Pick<UserRecord, "spamLevel">): SpamLevel {
    return user.spamLevel === null
      ? { level: this.defaultSpamLevel, isDefault: true }
      : { level: user.spamLevel, isDefault: false };
  }

  /** Sets the user's spam level; null goes back to the configured default. The admin names the user. */
  async setSpamLevel(p: Principal, level: number | null, userId?: string): Promise<UserRecord> {
    const id = requireUser(p, userId);
    if (level !== null && (!Number.isFinite(level) || Math.abs(level) > MAX_SPAM_LEVEL))
      throw invalidInput(
        `Spam level ${level} must be a number from -${MAX_SPAM_LEVEL} to ${MAX_SPAM_LEVEL}.`,
      );
    const updated = await this.store.users.update(id, { spamLevel: level });
    if (!updated) throw notFound("User", id);
    return updated;
  }

  /** The user's filters in the order delivery applies them. The admin names the user. */
  async list(p: Principal, userId?: string): Promise<Filter[]> {
    return (await this.store.filters.list(requireUser(p, userId))).map(toFilter);
  }

  async get(p: Principal, id: string): Promise<Filter> {
    const userId = requireUser(p);
    const found = await this.store.filters.get(userId, id);
    if (!found) throw notFound("Filter", id);
    return toFilter(found);
  }

  /** Adds a filter after the user's others. Its mailbox, if it moves mail, must be one of the user's. */
  async create(p: Principal, input: FilterInput): Promise<Filter> {
    const userId = requireUser(p);
    const clean = cleanFilter({ ...input, enabled: input.enabled ?? true });
    await this.assertMailbox(userId, clean);
    const existing = await this.store.filters.list(userId);
    if (existing.length >= this.limits.maxFiltersPerUser)
      throw invalidInput(
        `A user may have at most ${this.limits.maxFiltersPerUser} filters; delete one before adding another.`,
      );
    const now = new Date();
    const record: FilterRecord = {
      id: newId(),
      userId,
      name: clean.name,
      position: existing.reduce((top, f) => Math.max(top, f.position + 1), 0),
      enabled: clean.enabled,
      conditions: clean.conditions as FlatDocument,
      actions: clean.actions as FlatDocument,
      createdAt: now,
      updatedAt: now,
    };
    await this.store.filters.create(record);
    return toFilter(record);
  }

  async update(p: Principal, id: string, changes: FilterUpdate): Promise<Filter> {
    const current = await this.get(p, id);
    const clean = cleanFilter({
      name: changes.name ?? current.name,
      enabled: changes.enabled ?? current.enabled,
      conditions: changes.conditions ?? current.conditions,
      actions: changes.actions ?? current.actions,
    });
    if (changes.actions) await this.assertMailbox(current.userId, clean);
    const updated = await this.store.filters.update(current.userId, id, {
      name: clean.name,
      enabled: clean.enabled,
      conditions: clean.conditions as FlatDocument,
      actions: clean.actions as FlatDocument,
      updatedAt: new Date(),
    });
    if (!updated) throw notFound("Filter", id);
    return toFilter(updated);
  }

  async delete(p: Principal, id: string): Promise<void> {
    const userId = requireUser(p);
    if (!(await this.store.filters.delete(userId, id))) throw notFound("Filter", id);
  }

  /** Sets the order: `ids` must name each of the user's filters exactly once. Returns them in the new order. */
  async reorder(p: Principal, ids: string[]): Promise<Filter[]> {
    const userId = requireUser(p);
    const existing = new Set((await this.store.filters.list(userId)).map((f) => f.id));
    const given = new Set(ids);
    for (const id of ids) if (!existing.has(id)) throw notFound("Filter", id);
    if (given.size !== ids.length || given.size !== existing.size)
      throw invalidInput(`List each of your ${existing.size} filters exactly once to reorder them.`);
    await this.store.filters.setPositions(userId, ids);
    return this.list(p);
  }

  /** A filter may move mail only into a mailbox its owner has (another user's id is not found, as a wrong one). */
  private async assertMailbox(userId: string, f: FilterDefinition): Promise<void> {
    const target = f.actions.moveTo;
    if (target && !(await this.store.mailboxes.get(userId, target))) throw notFound("Mailbox", target);
  }
}

export function toFilter(r: FilterRecord): Filter {
  return {
    id: r.id,
    userId: r.userId,
    name: r.name,
    position: r.position,
    enabled: r.enabled,
    conditions: r.conditions as FilterConditions,
    actions: r.actions as FilterActions,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

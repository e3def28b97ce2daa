import type { Bus } from "../bus/ports.js";
import { StoreConflictError, type RepairReport, type Store } from "../storage/ports.js";
import { newId } from "./ids.js";
import { requireAdmin, type Principal } from "./principal.js";
import { DEFAULT_MAILBOXES, newUidValidity } from "./special-use.js";

export interface MaintenanceOptions {
  /** Journal entries older than this are pruned; clients further behind get CANNOT_CALCULATE_CHANGES. */
  journalRetentionMs: number;
  /** Delivery log entries older than this are pruned (none when absent). */
  deliveryLogRetentionMs?: number;
  /** The duplicate window: delivered Message-IDs older than it suppress nothing and are pruned (none when absent). */
  duplicateWindowMs?: number;
  /** Auth log entries older than this are pruned, so the log cannot grow without bound (none when absent). */
  authLogRetentionMs?: number;
  /** The autoreply period: whom an autoreply answered longer ago than this holds nothing back and is pruned. */
  autoreplyPeriodMs?: number;
}

export interface MaintenanceResult {
  journalEntriesPruned: number;
  deliveriesPruned: number;
  deliveredIdsPruned: number;
  authLogEntriesPruned: number;
  autoreplyRecordsPruned: number;
}

const LOCK_TTL_MS = 10 * 60_000;

/** A usage change younger than this may still be in progress (usage first, documents next): left for later. */
export const USAGE_SETTLE_MS = 60_000;

/** Periodic housekeeping and repairs, for the admin (the server itself acts as the admin for its timers). In a cluster every process may call it; a bus lock lets one do the work at a time. */
export class MaintenanceService {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly options: MaintenanceOptions,
  ) {}

  /** The end of the window the last usage reconcile covered; absent before the first run. */
  #usageCheckedUpTo: Date | undefined;

  /**
   * Recounts quota usage from the messages: for every user on the first run (the server's start), then for the
   * users whose usage changed since the last run, once their change has settled. A crash between a usage change
   * and its documents (MongoDB has no transactions) is so repaired within minutes, with nobody running doctor.
   * Returns how many users' usage was off.
   */
  async reconcileUsage(p: Principal, now = new Date()): Promise<number> {
    requireAdmin(p);
    const settledBefore = new Date(now.getTime() - USAGE_SETTLE_MS);
    const fixed = await this.store.reconcileUsage({ since: this.#usageCheckedUpTo, settledBefore });
    this.#usageCheckedUpTo = settledBefore;
    return fixed;
  }

  /**
   * Recounts blob references, usage and mailbox counters from the messages and removes unreferenced blobs
   * (`eider doctor --fix`); with `dryRun`, only reports what is off (`eider doctor`).
   */
  async repair(p: Principal, options: { dryRun: boolean }): Promise<RepairReport> {
    requireAdmin(p);
    return this.store.repair({ dryRun: options.dryRun });
  }

  /**
   * Gives every user the special-use mailboxes it lacks (on MongoDB a crash between creating a user and its
   * mailboxes can leave one without INBOX). Returns how many mailboxes it created, or would create (`dryRun`).
   */
  async ensureSpecialUse(p: Principal, options: { dryRun: boolean }): Promise<number> {
    requireAdmin(p);
    let created = 0;
    let after: string | undefined;
    for (;;) {
      const users = await this.store.users.list(500, after);
      for (const user of users) {
        const roles = new Set((await this.store.mailboxes.list(user.id)).map((m) => m.specialUse));
        for (const m of DEFAULT_MAILBOXES.filter((d) => !roles.has(d.specialUse))) {
          created++;
          if (options.dryRun) continue;
          try {
            await this.store.mailboxes.create({
              id: newId(),
              userId: user.id,
              path: m.path,
              specialUse: m.specialUse,
              subscribed: true,
              uidValidity: newUidValidity(),
              createdAt: new Date(),
            });
          } catch (err) {
            if (!(err instanceof StoreConflictError)) throw err; // a plain mailbox holds the path: leave it to the admin
            created--;
          }
        }
      }
      if (users.length < 500) return created;
      after = users[users.length - 1].username;
    }
  }

  /** Prunes the journal, the delivery log, old delivered Message-IDs and the auth log; null when another process holds the lock. */
  async runOnce(p: Principal, now = new Date()): Promise<MaintenanceResult | null> {
    requireAdmin(p);
    const lock = await this.bus.tryLock("maintenance", LOCK_TTL_MS);
    if (!lock) return null;
    try {
      const ago = (ms: number) => new Date(now.getTime() - ms);
      const { deliveryLogRetentionMs, duplicateWindowMs, authLogRetentionMs, autoreplyPeriodMs } =
        this.options;
      const journalEntriesPruned = await this.store.journal.prune(ago(this.options.journalRetentionMs));
      const deliveriesPruned =
        deliveryLogRetentionMs === undefined
          ? 0
          : await this.store.deliveries.prune(ago(deliveryLogRetentionMs));
      const deliveredIdsPruned =
        duplicateWindowMs === undefined ? 0 : await this.store.deliveredIds.prune(ago(duplicateWindowMs));
      const authLogEntriesPruned =
        authLogRetentionMs === undefined ? 0 : await this.store.authLog.prune(ago(authLogRetentionMs));
      const autoreplyRecordsPruned =
        autoreplyPeriodMs === undefined
          ? 0
          : await this.store.autoreplies.pruneReplies(ago(autoreplyPeriodMs));
      return {
        journalEntriesPruned,
        deliveriesPruned,
        deliveredIdsPruned,
        authLogEntriesPruned,
        autoreplyRecordsPruned,
      };
    } finally {
      await lock.release();
    }
  }
}

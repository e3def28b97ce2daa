import type { Bus } from "../bus/ports.js";
import type { RepairReport, Store } from "../storage/ports.js";

export interface MaintenanceOptions {
  /** Journal entries older than this are pruned; clients further behind get CANNOT_CALCULATE_CHANGES. */
  journalRetentionMs: number;
}

const LOCK_TTL_MS = 10 * 60_000;

/** Periodic housekeeping. In a cluster every process may call it; a bus lock lets one do the work at a time. */
export class MaintenanceService {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly options: MaintenanceOptions,
  ) {}

  /**
   * Recounts blob references, usage and mailbox counters from the messages and removes unreferenced blobs
   * (`eider doctor --fix`); with `dryRun`, only reports what is off (`eider doctor`).
   */
  async repair(options: { dryRun: boolean }): Promise<RepairReport> {
    return this.store.repair({ dryRun: options.dryRun });
  }

  /** Prunes the journal; returns null when another process holds the maintenance lock. */
  async runOnce(now = new Date()): Promise<{ journalEntriesPruned: number } | null> {
    const lock = await this.bus.tryLock("maintenance", LOCK_TTL_MS);
    if (!lock) return null;
    try {
      const journalEntriesPruned = await this.store.journal.prune(
        new Date(now.getTime() - this.options.journalRetentionMs),
      );
      return { journalEntriesPruned };
    } finally {
      await lock.release();
    }
  }
}

// Watching a user's outbox entries through the core's watch, and waiting for one to reach a state: event-driven,
// no polling of the store and no sleeps.
import { ADMIN, type Core, type OutboxEntry, type OutboxState } from "../../src/core/index.js";

export interface OutboxWatch {
  /** Every change seen, in order. */
  seen: OutboxEntry[];
  /** Resolves once the entry was seen in `state`. */
  reached(id: string, state: OutboxState): Promise<OutboxEntry>;
}

export async function watchOutbox(core: Core, userId: string): Promise<OutboxWatch> {
  const seen: OutboxEntry[] = [];
  const waiters = new Set<() => void>();
  await core.outbox.watch(
    ADMIN,
    (e) => {
      seen.push(e);
      for (const wake of waiters) wake();
    },
    userId,
  );
  return {
    seen,
    async reached(id, state) {
      for (;;) {
        const hit = seen.find((e) => e.id === id && e.state === state);
        if (hit) return hit;
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
        });
      }
    },
  };
}

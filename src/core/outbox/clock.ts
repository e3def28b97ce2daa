// The outbox's time: what "now" is and one timer. Tests pass a clock they move by hand, so retries days apart
// run without waiting.

export interface OutboxClock {
  now(): Date;
  /** Calls `fn` once at `at` (at once when it has passed); returns a function that cancels it. */
  timer(at: Date, fn: () => void): () => void;
}

/** setTimeout's longest delay; a later time is reached by waking early and setting the timer again. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export const SYSTEM_CLOCK: OutboxClock = {
  now: () => new Date(),
  timer(at, fn) {
    const t = setTimeout(fn, Math.min(Math.max(0, at.getTime() - Date.now()), MAX_TIMEOUT_MS));
    t.unref(); // a due time days away must not keep a stopping process alive
    return () => clearTimeout(t);
  },
};

// A clock a test moves by hand: timers fire when `advance` passes their time, so retries minutes or days apart
// run at once and in order, with no sleeping.
import type { OutboxClock } from "../../src/core/index.js";

export class ManualClock implements OutboxClock {
  #now: number;
  readonly #timers = new Set<{ at: number; fn: () => void }>();

  constructor(start = new Date("2026-03-01T10:00:00Z")) {
    this.#now = start.getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  timer(at: Date, fn: () => void): () => void {
    const t = { at: at.getTime(), fn };
    this.#timers.add(t);
    if (t.at <= this.#now) setImmediate(() => this.#fire());
    return () => this.#timers.delete(t);
  }

  /** Moves time on and fires every timer whose time has come. */
  advance(ms: number): void {
    this.#now += ms;
    this.#fire();
  }

  /** The times of the timers set and not yet fired. */
  pending(): Date[] {
    return [...this.#timers].map((t) => new Date(t.at));
  }

  #fire(): void {
    for (const t of [...this.#timers]) {
      if (t.at > this.#now) continue;
      this.#timers.delete(t);
      t.fn();
    }
  }
}

// When a deferred recipient is tried again, and when the queue gives up on it (RFC 5321 §4.5.4.1: retry at
// intervals of 30 minutes or more for 4-5 days; the first retries here come sooner, as greylisting expects).

export interface RetrySchedule {
  /** The pause after the 1st, 2nd, ... failed attempt; the last one repeats. */
  delaysMs: number[];
  /** Measured from the release: past this, a recipient still refused for now is bounced. */
  maxAgeMs: number;
}

const MINUTE = 60_000;

/** 5, 10, 20 minutes, 1, 2, 4 hours, then every 4 hours, for 5 days. */
export const DEFAULT_RETRY: RetrySchedule = {
  delaysMs: [5, 10, 20, 60, 120, 240].map((m) => m * MINUTE),
  maxAgeMs: 5 * 24 * 60 * MINUTE,
};

/**
 * The time of the next attempt after `attempts` failed ones (1 or more), or null when the entry released at
 * `releasedAt` has reached its maximum age and must bounce. The last attempt falls on the deadline itself.
 */
export function nextAttemptAt(
  schedule: RetrySchedule,
  releasedAt: Date,
  attempts: number,
  now: Date,
): Date | null {
  const deadline = releasedAt.getTime() + schedule.maxAgeMs;
  if (now.getTime() >= deadline) return null;
  const { delaysMs } = schedule;
  const delay = delaysMs[Math.min(Math.max(attempts, 1), delaysMs.length) - 1];
  return new Date(Math.min(now.getTime() + delay, deadline));
}

/** Checks a configured schedule: at least one pause, each positive, and a positive maximum age. */
export function assertRetrySchedule(schedule: RetrySchedule): void {
  if (schedule.delaysMs.length === 0 || schedule.delaysMs.some((d) => !(d > 0)))
    throw new Error(`Retry pauses [${schedule.delaysMs.join(", ")}] must be one or more positive numbers.`);
  if (!(schedule.maxAgeMs > 0))
    throw new Error(`Maximum queue age ${schedule.maxAgeMs} ms must be positive.`);
}

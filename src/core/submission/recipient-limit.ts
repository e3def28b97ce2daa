// Recipients a user may send to per day, counted on the bus so every process (GraphQL, port 587, ZoneMTA) shares
// one count: a fixed window that opens with the first message and lasts a day. A message that would go past the
// limit is refused whole and not counted, so the user can still send to fewer until the window ends.
import type { Bus } from "../../bus/ports.js";
import { DomainError } from "../errors.js";

const DAY_MS = 86_400_000;

export class RecipientLimit {
  constructor(
    private readonly bus: Bus,
    private readonly windowMs = DAY_MS,
  ) {}

  /** Counts `count` recipients for the user; RATE_LIMITED with retryAfterMs (the window's end) past `limit`. */
  async charge(userId: string, count: number, limit: number): Promise<void> {
    const key = counterKey(userId);
    const total = await this.bus.increment(key, count, this.windowMs);
    if (total <= limit) return;
    await this.bus.increment(key, -count, this.windowMs);
    const retryAfterMs = (await this.bus.counterTtl(key)) ?? this.windowMs;
    const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000));
    throw new DomainError(
      "RATE_LIMITED",
      `Sending to ${count} more ${count === 1 ? "recipient" : "recipients"} would pass the daily limit of ${limit} (${total - count} used); try again in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`,
      { retryAfterMs },
    );
  }

  /** Gives back what a message that was not sent after all (cancelled while held) had counted. */
  async refund(userId: string, count: number): Promise<void> {
    const key = counterKey(userId);
    if ((await this.bus.getCounter(key)) >= count) await this.bus.increment(key, -count, this.windowMs);
  }

  /** Recipients counted in the user's current window. */
  used(userId: string): Promise<number> {
    return this.bus.getCounter(counterKey(userId));
  }
}

function counterKey(userId: string): string {
  return `submission-recipients:${userId}`;
}

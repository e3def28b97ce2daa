// Transfer allowances: the message bytes a user may download (IMAP FETCH of bodies) and upload (APPEND) per
// day, counted on the bus so every process serving the user shares one count. A charge that would go past
// the allowance is refused and not counted, so the user can still move smaller messages until the day ends.
import type { Bus } from "../bus/ports.js";
import { DomainError } from "./errors.js";
import { requireUser, type Principal } from "./principal.js";

export type TransferDirection = "download" | "upload";

export interface TransferLimits {
  /** Bytes per user per day; 0: no limit. */
  downloadBytesPerDay: number;
  uploadBytesPerDay: number;
}

const DAY_MS = 86_400_000;

export class TransferService {
  constructor(
    private readonly bus: Bus,
    private readonly limits: TransferLimits,
  ) {}

  /**
   * Counts `bytes` against the user's allowance for the day (a window that starts with the first charge and
   * lasts 24 hours). Past it: TRANSFER_LIMIT with `retryAfterMs` (the window's end), and nothing counted.
   */
  async charge(p: Principal, direction: TransferDirection, bytes: number): Promise<void> {
    const userId = requireUser(p);
    const limit = this.limitOf(direction);
    if (limit <= 0 || bytes <= 0) return;
    const key = counterKey(direction, userId);
    const total = await this.bus.increment(key, bytes, DAY_MS);
    if (total <= limit) return;
    await this.bus.increment(key, -bytes, DAY_MS);
    const retryAfterMs = (await this.bus.counterTtl(key)) ?? DAY_MS;
    const hours = Math.max(1, Math.ceil(retryAfterMs / 3_600_000));
    throw new DomainError(
      "TRANSFER_LIMIT",
      `The daily ${direction} allowance of ${limit} bytes would be exceeded by ${total - limit} bytes; try again in ${hours} ${hours === 1 ? "hour" : "hours"}.`,
      { retryAfterMs },
    );
  }

  /** Bytes counted in the user's current window (0 when none is open). */
  async used(p: Principal, direction: TransferDirection): Promise<number> {
    return this.bus.getCounter(counterKey(direction, requireUser(p)));
  }

  private limitOf(direction: TransferDirection): number {
    return direction === "download" ? this.limits.downloadBytesPerDay : this.limits.uploadBytesPerDay;
  }
}

function counterKey(direction: TransferDirection, userId: string): string {
  return `transfer-${direction}:${userId}`;
}

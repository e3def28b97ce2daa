// Rate limits on mail from the internet (via "mx"): per recipient user (WildDuck's default: 60 messages in 60 s)
// and per client IP. Counted on the bus, so every Eider process behind the MX shares one count. A recipient is
// checked at RCPT and counted once its copy is stored; check-then-count can let a few concurrent messages past
// the limit, which is the price of never counting a message that was then refused.
import type { Bus } from "../../bus/ports.js";

export interface InboundLimit {
  /** Messages allowed per window; 0 turns the limit off. */
  messages: number;
  windowMs: number;
}

export interface InboundLimitsOptions {
  perRecipient: InboundLimit;
  perClientIp: InboundLimit;
  now?: () => Date;
}

export type InboundLimitRefusal = {
  status: "rate-limited" | "client-rate-limited";
  message: string;
};

export const DEFAULT_INBOUND_LIMITS: Omit<InboundLimitsOptions, "now"> = {
  perRecipient: { messages: 60, windowMs: 60_000 },
  perClientIp: { messages: 600, windowMs: 60_000 },
};

export class InboundLimits {
  constructor(
    private readonly bus: Bus,
    private readonly options: InboundLimitsOptions,
  ) {}

  /** Whether a message from `ip` to user `userId` would go over a limit now; null when it may come. */
  async refusal(userId: string, ip: string | undefined): Promise<InboundLimitRefusal | null> {
    const { perRecipient, perClientIp } = this.options;
    const [forUser, forIp] = await Promise.all([
      this.count(this.userKey(userId), perRecipient),
      ip ? this.count(this.ipKey(ip), perClientIp) : 0,
    ]);
    if (perClientIp.messages > 0 && forIp >= perClientIp.messages)
      return {
        status: "client-rate-limited",
        message: `Too many messages from ${ip} (${perClientIp.messages} in ${seconds(perClientIp)}); try again later.`,
      };
    if (perRecipient.messages > 0 && forUser >= perRecipient.messages)
      return {
        status: "rate-limited",
        message: `This recipient is receiving too many messages (${perRecipient.messages} in ${seconds(perRecipient)}); try again later.`,
      };
    return null;
  }

  /** Counts one message for each user that stored it and one for the client IP. */
  async record(userIds: readonly string[], ip: string | undefined): Promise<void> {
    const { perRecipient, perClientIp } = this.options;
    const hits: Array<Promise<number>> = [];
    if (perRecipient.messages > 0)
      for (const id of new Set(userIds))
        hits.push(this.bus.increment(this.userKey(id), 1, perRecipient.windowMs));
    if (ip && perClientIp.messages > 0 && userIds.length > 0)
      hits.push(this.bus.increment(this.ipKey(ip), 1, perClientIp.windowMs));
    await Promise.all(hits);
  }

  private count(key: string, limit: InboundLimit): Promise<number> {
    return limit.messages > 0 ? this.bus.getCounter(key) : Promise.resolve(0);
  }

  // Fixed windows aligned to the epoch: every process computes the same key for the same moment.
  private userKey(userId: string): string {
    return `mx:rcpt:${userId}:${this.windowIndex(this.options.perRecipient)}`;
  }

  private ipKey(ip: string): string {
    return `mx:ip:${ip}:${this.windowIndex(this.options.perClientIp)}`;
  }

  private windowIndex(limit: InboundLimit): number {
    const now = this.options.now?.().getTime() ?? Date.now();
    return Math.floor(now / limit.windowMs);
  }
}

function seconds(limit: InboundLimit): string {
  return `${Math.round(limit.windowMs / 1000)} s`;
}

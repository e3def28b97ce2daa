// Failed-password limits, counted on the bus so every process of a cluster shares them: per username (one
// account cannot be guessed at speed) and per client (one host cannot spray passwords over many accounts).
import type { Bus } from "../bus/ports.js";
import { clientKey } from "./networks.js";

export interface LoginLimitOptions {
  /** Failures allowed per username within the window. */
  perUser: number;
  /** Failures allowed from one client (an IPv4 address, an IPv6 /64) within the window, whatever the names. */
  perClient: number;
  windowMs: number;
  /** Clients whose failures are not counted per address (configured only; loopback is not exempt by default). */
  isExempt: (ip: string) => boolean;
}

/** Which limit refused an attempt, and when the same attempt may succeed. */
export interface LoginRefusal {
  by: "user" | "ip";
  retryAfterMs: number;
}

/** An attempt the limits let through: its counts stay if it failed and are given back if not. */
export interface LoginReservation {
  settle(failed: boolean): Promise<void>;
}

export class LoginLimiter {
  constructor(
    private readonly bus: Bus,
    private readonly options: LoginLimitOptions,
  ) {}

  /**
   * Counts the attempt before the (slow) password check, so parallel guesses cannot all slip in; refuses it
   * when either count is past its limit, giving both counts back, since a refused attempt is no guess.
   */
  async reserve(username: string, ip: string): Promise<LoginReservation | LoginRefusal> {
    const { perUser, perClient, windowMs } = this.options;
    const keys: Array<{ by: LoginRefusal["by"]; key: string; limit: number }> = [
      { by: "user", key: `login-attempts:${username.trim().toLowerCase()}`, limit: perUser },
    ];
    if (!this.options.isExempt(ip))
      keys.push({ by: "ip", key: `login-ip:${clientKey(ip)}`, limit: perClient });
    const counts = await Promise.all(keys.map((k) => this.bus.increment(k.key, 1, windowMs)));
    // A give-back carries the TTL too: if the counter expired meanwhile, the -1 it creates expires as well.
    const giveBack = () =>
      Promise.all(keys.map((k) => this.bus.increment(k.key, -1, windowMs))).then(() => {});
    const over = keys.filter((k, i) => counts[i] > k.limit);
    if (over.length > 0) {
      await giveBack();
      // The refusal lasts until the last exceeded count expires: name that one.
      const refusals = await Promise.all(
        over.map(async (k) => ({ by: k.by, retryAfterMs: (await this.bus.counterTtl(k.key)) ?? windowMs })),
      );
      return refusals.reduce((a, b) => (b.retryAfterMs > a.retryAfterMs ? b : a));
    }
    return { settle: (failed) => (failed ? Promise.resolve() : giveBack()) };
  }
}

export function isRefusal(r: LoginReservation | LoginRefusal): r is LoginRefusal {
  return "retryAfterMs" in r;
}

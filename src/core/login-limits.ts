// Login limits, counted on the bus so every process of a cluster shares them: failed passwords per username (one
// account cannot be guessed at speed) and per client (one host cannot spray passwords over many accounts), and
// password checks in flight per username and per client, so parallel guesses cannot all start before the first
// failure is counted.
//
// The bound on parallel guessing: a check starts only while its username has fewer than `perUser` failures and
// at most `perUserAtOnce` checks in flight (itself included), and a failure is counted before its check leaves
// the in-flight count. So of N parallel wrong guesses for one username, at most `perUser - 1 + perUserAtOnce`
// password checks run in a window: `perUser - 1` already counted when the last one started, plus at most
// `perUserAtOnce` in flight with it. (The same holds per client with `perClient` and `perClientAtOnce`.) One
// slack: when an in-flight counter's TTL ends, the places then held are forgotten, so until those checks end up
// to twice the cap may run. A login that succeeds only holds an in-flight place for the length of its check, so
// a burst of right passwords (a client opening several connections) is never refused as failures, only past
// `perUserAtOnce` checks at the same instant.
import type { Bus } from "../bus/ports.js";
import { clientKey } from "./networks.js";

export interface LoginLimitOptions {
  /** Failures allowed per username within the window. */
  perUser: number;
  /** Failures allowed from one client (an IPv4 address, an IPv6 /64) within the window, whatever the names. */
  perClient: number;
  /** Password checks of one username running at once. */
  perUserAtOnce: number;
  /** Password checks from one client running at once, whatever the names. */
  perClientAtOnce: number;
  windowMs: number;
  /** Clients whose attempts are not counted per address (configured only; loopback is not exempt by default). */
  isExempt: (ip: string) => boolean;
}

/**
 * Which limit refused an attempt, and when the same attempt may succeed: `failures` when the window's failures
 * are spent, `at-once` when too many checks are running already (a moment later may do).
 */
export interface LoginRefusal {
  by: "user" | "ip";
  kind: "failures" | "at-once";
  retryAfterMs: number;
}

/** An attempt the limits let through: settling it frees its in-flight place and counts it if it failed. */
export interface LoginReservation {
  settle(failed: boolean): Promise<void>;
}

/** How long an `at-once` refusal asks the client to wait: a password check takes well under this. */
export const AT_ONCE_RETRY_MS = 1000;

interface Limit {
  by: LoginRefusal["by"];
  failures: string;
  failureLimit: number;
  inFlight: string;
  inFlightLimit: number;
}

export class LoginLimiter {
  constructor(
    private readonly bus: Bus,
    private readonly options: LoginLimitOptions,
  ) {}

  /**
   * Takes an in-flight place before the (slow) password check and refuses it when too many checks are running
   * or the window's failures are spent; a refused attempt gives its place back and counts as no guess.
   */
  async reserve(username: string, ip: string): Promise<LoginReservation | LoginRefusal> {
    const o = this.options;
    const user = username.trim().toLowerCase();
    const limits: Limit[] = [
      {
        by: "user",
        failures: `login-attempts:${user}`,
        failureLimit: o.perUser,
        inFlight: `login-in-flight:${user}`,
        inFlightLimit: o.perUserAtOnce,
      },
    ];
    if (!o.isExempt(ip)) {
      const client = clientKey(ip);
      limits.push({
        by: "ip",
        failures: `login-ip:${client}`,
        failureLimit: o.perClient,
        inFlight: `login-ip-in-flight:${client}`,
        inFlightLimit: o.perClientAtOnce,
      });
    }
    // The in-flight counters carry the window's TTL so a place held by a process that died is freed in the end.
    const inFlight = await Promise.all(limits.map((l) => this.bus.increment(l.inFlight, 1, o.windowMs)));
    const leave = async () => {
      const left = await Promise.all(limits.map((l) => this.bus.increment(l.inFlight, -1, o.windowMs)));
      // Below 0: the counter expired while this place was held, and the -1 went to a fresh one; undone, so
      // the expiry cannot leave a credit of extra places for the counter's next lifetime.
      const under = limits.filter((_, i) => left[i] < 0);
      await Promise.all(under.map((l) => this.bus.increment(l.inFlight, 1, o.windowMs)));
    };
    const busy = limits.find((l, i) => inFlight[i] > l.inFlightLimit);
    if (busy) {
      await leave();
      return { by: busy.by, kind: "at-once", retryAfterMs: AT_ONCE_RETRY_MS };
    }
    // Read after taking the place: a failure settled before this read is seen, one settled after is in flight.
    const failures = await Promise.all(limits.map((l) => this.bus.getCounter(l.failures)));
    const spent = limits.filter((l, i) => failures[i] >= l.failureLimit);
    if (spent.length > 0) {
      await leave();
      // The refusal lasts until the last spent count expires: name that one.
      const refusals = await Promise.all(
        spent.map(async (l) => ({
          by: l.by,
          kind: "failures" as const,
          retryAfterMs: (await this.bus.counterTtl(l.failures)) ?? o.windowMs,
        })),
      );
      return refusals.reduce((a, b) => (b.retryAfterMs > a.retryAfterMs ? b : a));
    }
    return {
      settle: async (failed) => {
        // Counted before leaving, so no check can start between the two unaware of this failure.
        if (failed) await Promise.all(limits.map((l) => this.bus.increment(l.failures, 1, o.windowMs)));
        await leave();
      },
    };
  }
}

export function isRefusal(r: LoginReservation | LoginRefusal): r is LoginRefusal {
  return "retryAfterMs" in r;
}

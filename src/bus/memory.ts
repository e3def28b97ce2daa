import { assertPositiveMs, assertRateLimit, assertSafeInteger } from "./arguments.js";
import { BusClosedError } from "./errors.js";
import { fixedWindow } from "./fixed-window.js";
import type {
  Bus,
  BusHandler,
  BusMessage,
  Lock,
  RateLimitResult,
  SubscriptionLost,
  Unsubscribe,
} from "./ports.js";

/** Options of `MemoryBus`. */
export interface MemoryBusOptions {
  /** Receives errors thrown by subscription handlers; the default writes them to stderr. */
  onError?: (error: unknown) => void;
}

/** The longest delay setTimeout honours (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

interface Subscription {
  readonly handler: BusHandler;
  active: boolean;
}

interface Entry<T> {
  value: T;
  expiresAt?: number;
  timer?: NodeJS.Timeout;
}

/**
 * Map entries that may expire. An entry past its time is gone on the next read even if its timer has not
 * fired yet; timers are unref'd so they never keep the process alive.
 */
class ExpiringMap<T> {
  readonly #entries = new Map<string, Entry<T>>();

  get(key: string): Entry<T> | undefined {
    const entry = this.#entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.delete(key);
      return undefined;
    }
    return entry;
  }

  set(key: string, value: T): Entry<T> {
    this.delete(key);
    const entry: Entry<T> = { value };
    this.#entries.set(key, entry);
    return entry;
  }

  expire(key: string, entry: Entry<T>, ttlMs: number): void {
    entry.expiresAt = Date.now() + ttlMs;
    this.#arm(key, entry);
  }

  /** Node fires a timeout longer than MAX_TIMEOUT_MS after 1 ms instead, so long TTLs wait in steps. */
  #arm(key: string, entry: Entry<T>): void {
    const leftMs = Math.max(0, (entry.expiresAt ?? 0) - Date.now());
    entry.timer = setTimeout(
      () => {
        if (this.#entries.get(key) !== entry) return;
        if (leftMs > MAX_TIMEOUT_MS) this.#arm(key, entry);
        else this.#entries.delete(key);
      },
      Math.min(leftMs, MAX_TIMEOUT_MS),
    );
    entry.timer.unref();
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.#entries.delete(key);
  }

  clear(): void {
    for (const entry of this.#entries.values()) clearTimeout(entry.timer);
    this.#entries.clear();
  }
}

/**
 * The single-box bus: everything in this process's memory. Messages go through JSON like on Redis, so a message
 * that would not survive a cluster fails here too; handlers run asynchronously (a microtask per publish), in order.
 */
export class MemoryBus implements Bus {
  readonly kind = "memory" as const;
  readonly #channels = new Map<string, Set<Subscription>>();
  readonly #counters = new ExpiringMap<number>();
  readonly #windows = new ExpiringMap<number>();
  readonly #locks = new ExpiringMap<symbol>();
  readonly #onError: (error: unknown) => void;
  #closed = false;

  constructor(options: MemoryBusOptions = {}) {
    this.#onError = options.onError ?? ((error) => console.error("Bus handler failed:", error));
  }

  async publish(channel: string, message: BusMessage): Promise<void> {
    this.#assertOpen("publish");
    const subscriptions = this.#channels.get(channel);
    const payload = JSON.stringify(message);
    if (subscriptions === undefined || subscriptions.size === 0) return;
    const recipients = [...subscriptions];
    queueMicrotask(() => {
      for (const subscription of recipients) {
        if (!subscription.active) continue;
        try {
          subscription.handler(JSON.parse(payload) as BusMessage);
        } catch (error) {
          this.#onError(error);
        }
      }
    });
  }

  async ping(): Promise<void> {
    this.#assertOpen("ping");
  }

  /** In one process nothing can drop a subscription, so `onLost` is never called. */
  async subscribe(channel: string, handler: BusHandler, _onLost?: SubscriptionLost): Promise<Unsubscribe> {
    this.#assertOpen("subscribe");
    const subscription: Subscription = { handler, active: true };
    let subscriptions = this.#channels.get(channel);
    if (subscriptions === undefined) {
      subscriptions = new Set();
      this.#channels.set(channel, subscriptions);
    }
    subscriptions.add(subscription);
    return async () => {
      subscription.active = false;
      const current = this.#channels.get(channel);
      if (current === undefined) return;
      current.delete(subscription);
      if (current.size === 0) this.#channels.delete(channel);
    };
  }

  async increment(key: string, by = 1, ttlMs?: number): Promise<number> {
    this.#assertOpen("increment");
    assertSafeInteger("by", by);
    if (ttlMs !== undefined) assertPositiveMs("ttlMs", ttlMs);
    return this.#increment(this.#counters, key, by, ttlMs);
  }

  async getCounter(key: string): Promise<number> {
    this.#assertOpen("getCounter");
    return this.#counters.get(key)?.value ?? 0;
  }

  async counterTtl(key: string): Promise<number | null> {
    this.#assertOpen("counterTtl");
    const expiresAt = this.#counters.get(key)?.expiresAt;
    return expiresAt === undefined ? null : Math.max(1, expiresAt - Date.now());
  }

  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitResult> {
    this.#assertOpen("hit");
    assertRateLimit(limit, windowMs);
    const window = fixedWindow(Date.now(), windowMs);
    const count = this.#increment(this.#windows, `${key}:${window.index}`, 1, windowMs);
    return { allowed: count <= limit, count, limit, resetInMs: window.resetInMs };
  }

  async tryLock(key: string, ttlMs: number): Promise<Lock | null> {
    this.#assertOpen("tryLock");
    assertPositiveMs("ttlMs", ttlMs);
    if (this.#locks.get(key) !== undefined) return null;
    const token = Symbol(key);
    this.#locks.expire(key, this.#locks.set(key, token), ttlMs);
    return { key, release: () => this.#release(key, token) };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const subscriptions of this.#channels.values()) {
      for (const subscription of subscriptions) subscription.active = false;
    }
    this.#channels.clear();
    this.#counters.clear();
    this.#windows.clear();
    this.#locks.clear();
  }

  async #release(key: string, token: symbol): Promise<void> {
    this.#assertOpen("release a lock");
    if (this.#locks.get(key)?.value === token) this.#locks.delete(key);
  }

  #increment(map: ExpiringMap<number>, key: string, by: number, ttlMs: number | undefined): number {
    const entry = map.get(key) ?? map.set(key, 0);
    entry.value += by;
    if (ttlMs !== undefined && entry.expiresAt === undefined) map.expire(key, entry, ttlMs);
    return entry.value;
  }

  #assertOpen(operation: string): void {
    if (this.#closed) throw new BusClosedError(operation);
  }
}

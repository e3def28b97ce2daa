// The bus port: what the core needs from "the other processes" — events, counters, rate limits and locks.
// Single box: MemoryBus (in-process). Cluster: RedisBus. The core sees only these types.

/** A message on the bus. It crosses processes as JSON, so every adapter delivers a JSON copy (a Date arrives as its ISO string). */
export type BusMessage = Record<string, unknown>;

/** Called for each message on a subscribed channel. It should not throw; if it does, the adapter reports the error and carries on. */
export type BusHandler = (message: BusMessage) => void;

/**
 * Told, at most once, that a subscription ended without its owner asking: the bus lost its connection, so
 * messages published meanwhile are gone. The owner resumes from its state (the journal) with a new subscribe().
 */
export type SubscriptionLost = (error: Error) => void;

/** Ends one subscription; later messages do not reach its handler. Calling it twice is harmless. */
export type Unsubscribe = () => Promise<void>;

/** An exclusive lock taken with `Bus.tryLock`. */
export interface Lock {
  readonly key: string;
  /** Releases the lock if we still hold it; a lock that expired and was taken by somebody else is left alone. */
  release(): Promise<void>;
}

/** The answer of `Bus.hit`. */
export interface RateLimitResult {
  /** True when this hit is within the limit (`count <= limit`). */
  allowed: boolean;
  /** Hits counted in the current window, this one included. */
  count: number;
  limit: number;
  /** Milliseconds until the current window ends and counting starts again. */
  resetInMs: number;
}

/**
 * Events, counters, rate limits and locks shared by every process of one Eider installation. Every call is
 * bounded: when the bus cannot answer in time it rejects with `BusUnavailableError` (a temporary failure).
 */
export interface Bus {
  /** Which adapter: "memory" (one process) or "redis" (a cluster). For /health and doctor. */
  readonly kind: "memory" | "redis";
  /**
   * Deliver to every subscriber of the channel in every process sharing the bus, in publish order per publisher.
   * Delivery is at most once: a process that is disconnected from the bus when a message is published misses it
   * (readers catch up from the journal).
   */
  publish(channel: string, message: BusMessage): Promise<void>;
  /**
   * Resolves only once the subscription is registered (for Redis: after SUBSCRIBE is acknowledged), so a publish
   * after it is never missed. `onLost` is called if the bus drops the subscription (Redis connection lost).
   */
  subscribe(channel: string, handler: BusHandler, onLost?: SubscriptionLost): Promise<Unsubscribe>;
  /**
   * Atomic counter; creates at 0; optional TTL set when the key is created. Returns the new value.
   * Precisely: when `ttlMs` is given and the counter has no TTL yet, it expires `ttlMs` from now; a TTL once set
   * is never extended by later increments (Redis `PEXPIRE NX`). `by` may be negative; both must be safe integers.
   */
  increment(key: string, by?: number, ttlMs?: number): Promise<number>;
  /** The counter's value; 0 when it does not exist or has expired. */
  getCounter(key: string): Promise<number>;
  /** Milliseconds until the counter expires; null when it does not exist or has no TTL (a limit's "retry after"). */
  counterTtl(key: string): Promise<number | null>;
  /** Fixed-window rate limit: counts this hit in the current window of `windowMs` and says whether it is within `limit`. */
  hit(key: string, limit: number, windowMs: number): Promise<RateLimitResult>;
  /** Try to take an exclusive lock with a TTL; null when somebody else holds it. release() only releases our own token. */
  tryLock(key: string, ttlMs: number): Promise<Lock | null>;
  /** A round trip on every connection the bus holds, for /health and doctor; rejects when the bus is unreachable. */
  ping(): Promise<void>;
  /** Stops delivery, frees timers and connections. Closing twice is harmless; after it, calls other than an Unsubscribe reject with `BusClosedError`. */
  close(): Promise<void>;
}

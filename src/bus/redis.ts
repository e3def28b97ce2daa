import { randomUUID } from "node:crypto";
import { Redis, ReplyError } from "ioredis";
import { assertPositiveMs, assertRateLimit, assertSafeInteger } from "./arguments.js";
import { BusClosedError, BusUnavailableError } from "./errors.js";
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

/** Options of `RedisBus`. */
export interface RedisBusOptions {
  /** Put in front of every key and channel, so installations (and test runs) can share one Redis. Default "eider:". */
  keyPrefix?: string;
  /** CLIENT SETNAME of the two connections, suffixed "-cmd" and "-sub". Default "eider-bus". */
  connectionName?: string;
  /** Receives connection errors (ioredis reconnects by itself) and errors thrown by handlers. Default: stderr. */
  onError?: (error: unknown) => void;
  /**
   * How long a call may wait for Redis (connecting, or an answer) before it fails with `BusUnavailableError`.
   * Default 2000 ms: a caller (a login, an upload's publish) is told "unavailable" instead of waiting out an outage.
   */
  commandTimeoutMs?: number;
}

const DEFAULT_COMMAND_TIMEOUT_MS = 2000;

/** Deletes the lock only if it still holds our token (https://redis.io/docs/latest/commands/set/, "Patterns"). */
const RELEASE_LOCK_SCRIPT = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;

const DEFAULT_KEY_PREFIX = "eider:";

interface Subscription {
  readonly handler: BusHandler;
  readonly onLost: SubscriptionLost | undefined;
  active: boolean;
  /** SUBSCRIBE was acknowledged and subscribe() resolved: a loss is reported through onLost from now on. */
  registered: boolean;
  /** The connection dropped: no message will reach it again. */
  lost: boolean;
}

/** The local subscribers of one Redis channel; `ready` settles when its one SUBSCRIBE is acknowledged. */
interface Channel {
  readonly subscriptions: Set<Subscription>;
  readonly ready: Promise<unknown>;
}

/**
 * The cluster bus on Redis 7 (PEXPIRE NX needs 7.0). One connection sends commands, one holds the subscriptions;
 * however many local subscribers a channel has, it costs one SUBSCRIBE. Every call is bounded by
 * `commandTimeoutMs` and fails with `BusUnavailableError` when Redis does not answer. When the subscriber
 * connection drops, messages published meanwhile are lost (as with any Redis pub/sub), so every subscription it
 * held ends and is told through its `onLost`; its owner resumes from the journal with a new subscribe().
 */
export class RedisBus implements Bus {
  readonly kind = "redis" as const;
  readonly #commands: Redis;
  readonly #subscriber: Redis;
  readonly #prefix: string;
  readonly #onError: (error: unknown) => void;
  readonly #channels = new Map<string, Channel>();
  readonly #timeoutMs: number;
  #closed = false;

  /** Connects in the background; commands wait in ioredis's offline queue meanwhile. See also `RedisBus.connect`. */
  constructor(url: string, options: RedisBusOptions = {}) {
    this.#prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.#onError = options.onError ?? ((error) => console.error("Redis bus:", error));
    const name = options.connectionName ?? "eider-bus";
    this.#timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    // Commands wait in the offline queue while (re)connecting, but never longer than the timeout; a failed
    // reconnect attempt fails what waits (maxRetriesPerRequest) rather than holding it for the whole outage.
    const bounded = { commandTimeout: this.#timeoutMs, maxRetriesPerRequest: 1 };
    this.#commands = new Redis(url, { connectionName: `${name}-cmd`, ...bounded });
    // No autoResubscribe: a drop ends every subscription (see #subscriptionsLost), and new ones subscribe afresh.
    this.#subscriber = new Redis(url, { connectionName: `${name}-sub`, autoResubscribe: false, ...bounded });
    for (const connection of [this.#commands, this.#subscriber]) {
      connection.on("error", (error: unknown) => this.#onError(error));
    }
    this.#subscriber.on("message", (channel: string, text: string) => this.#deliver(channel, text));
    this.#subscriber.on("close", () => this.#subscriptionsLost());
  }

  /** Creates a bus and resolves once both connections are ready; rejects (and closes it) at the first connection error. */
  static async connect(url: string, options: RedisBusOptions = {}): Promise<RedisBus> {
    const bus = new RedisBus(url, options);
    try {
      await Promise.all([whenReady(bus.#commands), whenReady(bus.#subscriber)]);
    } catch (error) {
      await bus.close();
      throw error;
    }
    return bus;
  }

  async publish(channel: string, message: BusMessage): Promise<void> {
    this.#assertOpen("publish");
    const text = JSON.stringify(message); // a message JSON cannot carry is the caller's bug: its TypeError as is
    await this.#call("publish", () => this.#commands.publish(this.#channelName(channel), text));
  }

  async ping(): Promise<void> {
    this.#assertOpen("ping");
    await Promise.all([
      this.#call("ping", () => this.#commands.ping()),
      this.#call("ping", () => this.#subscriber.ping()),
    ]);
  }

  async subscribe(channel: string, handler: BusHandler, onLost?: SubscriptionLost): Promise<Unsubscribe> {
    this.#assertOpen("subscribe");
    const name = this.#channelName(channel);
    // A drop while SUBSCRIBE is on its way loses it; one more try goes out on the new connection.
    for (let attempt = 1; ; attempt++) {
      const subscribed = await this.#subscribeOnce(name, handler, onLost);
      if (subscribed) return subscribed;
      if (attempt === 2)
        throw new BusUnavailableError("subscribe", new Error("the connection dropped twice"));
    }
  }

  /** Registers one local subscriber; null when the connection dropped before it was registered. */
  async #subscribeOnce(
    name: string,
    handler: BusHandler,
    onLost: SubscriptionLost | undefined,
  ): Promise<Unsubscribe | null> {
    let entry = this.#channels.get(name);
    let ready: Promise<unknown>;
    if (entry === undefined) {
      const created: Channel = {
        subscriptions: new Set(),
        ready: this.#call("subscribe", () => this.#subscriber.subscribe(name)),
      };
      // A failed SUBSCRIBE fails everyone waiting on it; forget the channel so the next subscribe sends a new one.
      created.ready.catch(() => {
        if (this.#channels.get(name) === created) this.#channels.delete(name);
      });
      this.#channels.set(name, created);
      entry = created;
      ready = created.ready;
    } else {
      // The channel's SUBSCRIBE was acknowledged, but the connection may have dropped since, perhaps unnoticed
      // yet. A PING on the same connection is answered after the drop has been noticed (it then marks this
      // subscriber lost) or proves the subscription still stands.
      ready = entry.ready.then(() => this.#call("subscribe", () => this.#subscriber.ping()));
    }
    const subscription: Subscription = { handler, onLost, active: true, registered: false, lost: false };
    entry.subscriptions.add(subscription);
    try {
      await ready;
    } catch (error) {
      subscription.active = false;
      entry.subscriptions.delete(subscription);
      throw error;
    }
    if (subscription.lost) return null;
    subscription.registered = true;
    const registeredIn = entry;
    return () => this.#unsubscribe(name, registeredIn, subscription);
  }

  async increment(key: string, by = 1, ttlMs?: number): Promise<number> {
    this.#assertOpen("increment");
    assertSafeInteger("by", by);
    const redisKey = `${this.#prefix}counter:${key}`;
    if (ttlMs === undefined) return await this.#call("increment", () => this.#commands.incrby(redisKey, by));
    assertPositiveMs("ttlMs", ttlMs);
    return await this.#incrementWithTtl(redisKey, by, ttlMs);
  }

  async getCounter(key: string): Promise<number> {
    this.#assertOpen("getCounter");
    const value = await this.#call("getCounter", () => this.#commands.get(`${this.#prefix}counter:${key}`));
    return value === null ? 0 : Number(value);
  }

  async counterTtl(key: string): Promise<number | null> {
    this.#assertOpen("counterTtl");
    // PTTL answers -2 for a missing key and -1 for one without a TTL.
    const ms = await this.#call("counterTtl", () => this.#commands.pttl(`${this.#prefix}counter:${key}`));
    return ms < 0 ? null : Math.max(1, ms);
  }

  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitResult> {
    this.#assertOpen("hit");
    assertRateLimit(limit, windowMs);
    // The local clock picks the window; hosts of one cluster are assumed to be NTP-synchronised.
    const window = fixedWindow(Date.now(), windowMs);
    const count = await this.#incrementWithTtl(`${this.#prefix}rl:${key}:${window.index}`, 1, windowMs);
    return { allowed: count <= limit, count, limit, resetInMs: window.resetInMs };
  }

  async tryLock(key: string, ttlMs: number): Promise<Lock | null> {
    this.#assertOpen("tryLock");
    assertPositiveMs("ttlMs", ttlMs);
    const redisKey = `${this.#prefix}lock:${key}`;
    const token = randomUUID();
    const reply = await this.#call("tryLock", () => this.#commands.set(redisKey, token, "PX", ttlMs, "NX"));
    if (reply !== "OK") return null;
    return { key, release: () => this.#release(redisKey, token) };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const entry of this.#channels.values()) {
      for (const subscription of entry.subscriptions) subscription.active = false;
    }
    this.#channels.clear();
    await Promise.all([quit(this.#commands), quit(this.#subscriber)]);
  }

  async #incrementWithTtl(redisKey: string, by: number, ttlMs: number): Promise<number> {
    const replies = await this.#call("increment", () =>
      this.#commands.multi().incrby(redisKey, by).pexpire(redisKey, ttlMs, "NX").exec(),
    );
    if (replies === null) throw new Error(`Redis aborted the MULTI incrementing "${redisKey}".`);
    for (const [error] of replies) if (error) throw error;
    return Number(replies[0][1]);
  }

  async #release(redisKey: string, token: string): Promise<void> {
    this.#assertOpen("release a lock");
    await this.#call("release a lock", () => this.#commands.eval(RELEASE_LOCK_SCRIPT, 1, redisKey, token));
  }

  async #unsubscribe(name: string, entry: Channel, subscription: Subscription): Promise<void> {
    if (!subscription.active) return;
    subscription.active = false;
    entry.subscriptions.delete(subscription);
    if (entry.subscriptions.size > 0 || this.#channels.get(name) !== entry) return;
    this.#channels.delete(name);
    // A subscribe() for the same channel after this line sends its SUBSCRIBE after our UNSUBSCRIBE on the same
    // connection, so Redis ends up subscribed.
    if (!this.#closed) await this.#call("unsubscribe", () => this.#subscriber.unsubscribe(name));
  }

  /**
   * Runs one Redis call within the timeout. Redis's own error replies pass as they are (a bug, not an outage);
   * a timeout, a dropped or refused connection becomes `BusUnavailableError`.
   */
  async #call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      // ioredis times each command out by itself; this also bounds what it does not time (a MULTI's EXEC).
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.#timeoutMs} ms`)),
        this.#timeoutMs + 50,
      );
    });
    try {
      return await Promise.race([fn(), deadline]);
    } catch (error) {
      if (error instanceof ReplyError || error instanceof BusClosedError) throw error;
      throw new BusUnavailableError(operation, error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The subscriber connection closed: every subscription on it ends; those already registered are told. */
  #subscriptionsLost(): void {
    if (this.#closed || this.#channels.size === 0) return;
    const lost = [...this.#channels.values()].flatMap((entry) => [...entry.subscriptions]);
    this.#channels.clear();
    const error = new BusUnavailableError("receive events", new Error("the connection to Redis dropped"));
    for (const subscription of lost) {
      subscription.lost = true;
      if (!subscription.active || !subscription.registered) continue; // a pending subscribe() rejects instead
      subscription.active = false;
      try {
        subscription.onLost?.(error);
      } catch (handlerError) {
        this.#onError(handlerError);
      }
    }
  }

  #deliver(name: string, text: string): void {
    const entry = this.#channels.get(name);
    if (entry === undefined) return;
    let message: BusMessage;
    try {
      message = JSON.parse(text) as BusMessage;
    } catch (error) {
      this.#onError(
        new Error(`Dropped a message on Redis channel "${name}" that is not JSON.`, { cause: error }),
      );
      return;
    }
    let first = true;
    for (const subscription of [...entry.subscriptions]) {
      if (!subscription.active) continue;
      try {
        // Each handler gets its own copy, as it would in another process.
        subscription.handler(first ? message : (JSON.parse(text) as BusMessage));
      } catch (error) {
        this.#onError(error);
      }
      first = false;
    }
  }

  #channelName(channel: string): string {
    return `${this.#prefix}ch:${channel}`;
  }

  #assertOpen(operation: string): void {
    if (this.#closed) throw new BusClosedError(operation);
  }
}

/** Resolves when the connection is ready, rejects at its first error. */
function whenReady(connection: Redis): Promise<void> {
  if (connection.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = (): void => {
      connection.off("error", onError);
      resolve();
    };
    const onError = (error: unknown): void => {
      connection.off("ready", onReady);
      reject(error);
    };
    connection.once("ready", onReady);
    connection.once("error", onError);
  });
}

/** QUIT waits for pending replies; a connection that is not up is just dropped. */
async function quit(connection: Redis): Promise<void> {
  if (connection.status === "ready") {
    try {
      await connection.quit();
      return;
    } catch {
      // The connection went away meanwhile; fall through to disconnect.
    }
  }
  connection.disconnect(false);
}

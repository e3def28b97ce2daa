import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { assertPositiveMs, assertRateLimit, assertSafeInteger } from "./arguments.js";
import { BusClosedError } from "./errors.js";
import { fixedWindow } from "./fixed-window.js";
import type { Bus, BusHandler, BusMessage, Lock, RateLimitResult, Unsubscribe } from "./ports.js";

/** Options of `RedisBus`. */
export interface RedisBusOptions {
  /** Put in front of every key and channel, so installations (and test runs) can share one Redis. Default "eider:". */
  keyPrefix?: string;
  /** CLIENT SETNAME of the two connections, suffixed "-cmd" and "-sub". Default "eider-bus". */
  connectionName?: string;
  /** Receives connection errors (ioredis reconnects by itself) and errors thrown by handlers. Default: stderr. */
  onError?: (error: unknown) => void;
}

/** Deletes the lock only if it still holds our token (https://redis.io/docs/latest/commands/set/, "Patterns"). */
const RELEASE_LOCK_SCRIPT = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;

const DEFAULT_KEY_PREFIX = "eider:";

interface Subscription {
  readonly handler: BusHandler;
  active: boolean;
}

/** The local subscribers of one Redis channel; `ready` settles when its one SUBSCRIBE is acknowledged. */
interface Channel {
  readonly subscriptions: Set<Subscription>;
  readonly ready: Promise<unknown>;
}

/**
 * The cluster bus on Redis 7 (PEXPIRE NX needs 7.0). One connection sends commands, one holds the subscriptions;
 * however many local subscribers a channel has, it costs one SUBSCRIBE. After a reconnect ioredis subscribes the
 * channels again by itself (`autoResubscribe`); messages published while disconnected are lost, as with any Redis
 * pub/sub.
 */
export class RedisBus implements Bus {
  readonly #commands: Redis;
  readonly #subscriber: Redis;
  readonly #prefix: string;
  readonly #onError: (error: unknown) => void;
  readonly #channels = new Map<string, Channel>();
  #closed = false;

  /** Connects in the background; commands wait in ioredis's offline queue meanwhile. See also `RedisBus.connect`. */
  constructor(url: string, options: RedisBusOptions = {}) {
    this.#prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.#onError = options.onError ?? ((error) => console.error("Redis bus:", error));
    const name = options.connectionName ?? "eider-bus";
    this.#commands = new Redis(url, { connectionName: `${name}-cmd` });
    this.#subscriber = new Redis(url, { connectionName: `${name}-sub`, autoResubscribe: true });
    for (const connection of [this.#commands, this.#subscriber]) {
      connection.on("error", (error: unknown) => this.#onError(error));
    }
    this.#subscriber.on("message", (channel: string, text: string) => this.#deliver(channel, text));
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
    await this.#commands.publish(this.#channelName(channel), JSON.stringify(message));
  }

  async subscribe(channel: string, handler: BusHandler): Promise<Unsubscribe> {
    this.#assertOpen("subscribe");
    const name = this.#channelName(channel);
    let entry = this.#channels.get(name);
    let ready: Promise<unknown>;
    if (entry === undefined) {
      const created: Channel = { subscriptions: new Set(), ready: this.#subscriber.subscribe(name) };
      // A failed SUBSCRIBE fails everyone waiting on it; forget the channel so the next subscribe sends a new one.
      created.ready.catch(() => {
        if (this.#channels.get(name) === created) this.#channels.delete(name);
      });
      this.#channels.set(name, created);
      entry = created;
      ready = created.ready;
    } else {
      // The channel's SUBSCRIBE was acknowledged, but the connection may have dropped since, perhaps unnoticed
      // yet. A PING on it is answered only after ioredis has re-sent the SUBSCRIBEs of a reconnect (it re-sends
      // them before any queued command), so its answer means "registered" without a second SUBSCRIBE.
      ready = entry.ready.then(() => this.#subscriber.ping());
    }
    const subscription: Subscription = { handler, active: true };
    entry.subscriptions.add(subscription);
    try {
      await ready;
    } catch (error) {
      subscription.active = false;
      entry.subscriptions.delete(subscription);
      throw error;
    }
    return () => this.#unsubscribe(name, entry, subscription);
  }

  async increment(key: string, by = 1, ttlMs?: number): Promise<number> {
    this.#assertOpen("increment");
    assertSafeInteger("by", by);
    const redisKey = `${this.#prefix}counter:${key}`;
    if (ttlMs === undefined) return await this.#commands.incrby(redisKey, by);
    assertPositiveMs("ttlMs", ttlMs);
    return await this.#incrementWithTtl(redisKey, by, ttlMs);
  }

  async getCounter(key: string): Promise<number> {
    this.#assertOpen("getCounter");
    const value = await this.#commands.get(`${this.#prefix}counter:${key}`);
    return value === null ? 0 : Number(value);
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
    const reply = await this.#commands.set(redisKey, token, "PX", ttlMs, "NX");
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
    const replies = await this.#commands.multi().incrby(redisKey, by).pexpire(redisKey, ttlMs, "NX").exec();
    if (replies === null) throw new Error(`Redis aborted the MULTI incrementing "${redisKey}".`);
    for (const [error] of replies) if (error) throw error;
    return Number(replies[0][1]);
  }

  async #release(redisKey: string, token: string): Promise<void> {
    this.#assertOpen("release a lock");
    await this.#commands.eval(RELEASE_LOCK_SCRIPT, 1, redisKey, token);
  }

  async #unsubscribe(name: string, entry: Channel, subscription: Subscription): Promise<void> {
    if (!subscription.active) return;
    subscription.active = false;
    entry.subscriptions.delete(subscription);
    if (entry.subscriptions.size > 0 || this.#channels.get(name) !== entry) return;
    this.#channels.delete(name);
    // A subscribe() for the same channel after this line sends its SUBSCRIBE after our UNSUBSCRIBE on the same
    // connection, so Redis ends up subscribed.
    if (!this.#closed) await this.#subscriber.unsubscribe(name);
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

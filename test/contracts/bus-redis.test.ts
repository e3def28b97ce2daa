import { randomUUID } from "node:crypto";
import net from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { type BusMessage, BusUnavailableError, RedisBus, type RedisBusOptions } from "../../src/bus/index.js";
import { serviceUrl, skipReason, uniqueDbName } from "../harness/services.js";
import { busContract } from "./bus.js";

const url = serviceUrl("redis");

if (url === undefined) {
  describe.skip(`RedisBus (skipped: ${skipReason("redis")})`, () => {
    it("needs a Redis server", () => {});
  });
} else {
  const redisUrl = url;
  // One prefix per run, so runs sharing a Redis never see each other's keys or channels.
  const keyPrefix = `${uniqueDbName("eider_bus")}:`;
  const reportedErrors: unknown[] = [];
  const open = (options: RedisBusOptions = {}): Promise<RedisBus> =>
    RedisBus.connect(redisUrl, { keyPrefix, onError: (error) => reportedErrors.push(error), ...options });

  afterAll(async () => {
    // Counters without a TTL outlive the run: delete everything under this run's prefix.
    const admin = await RawRedis.connect(redisUrl);
    await admin.command(
      "EVAL",
      "for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end",
      "0",
      `${keyPrefix}*`,
    );
    admin.close();
  });

  busContract("RedisBus", () => open(), { openSecond: () => open(), reportedErrors });

  describe("RedisBus", () => {
    it("uses one connection for commands and one for subscriptions, and quits both on close", async () => {
      const name = `eider-test-${randomUUID()}`;
      const bus = await open({ connectionName: name });
      const admin = await RawRedis.connect(redisUrl);
      try {
        await bus.subscribe("one", () => {});
        await bus.subscribe("two", () => {});
        await bus.publish("one", {});
        const clients = (await admin.clients()).filter((c) => c.name.startsWith(name));
        expect(clients.map((c) => c.name).sort()).toEqual([`${name}-cmd`, `${name}-sub`]);
        expect(clients.find((c) => c.name === `${name}-sub`)?.sub).toBe("2");
        await bus.close();
        await eventually("both connections to be gone", async () =>
          (await admin.clients()).some((c) => c.name.startsWith(name)) ? undefined : true,
        );
      } finally {
        await bus.close();
        admin.close();
      }
    });

    it("sends one SUBSCRIBE for many local subscribers of a channel, and UNSUBSCRIBE only with the last", async () => {
      const name = `eider-test-${randomUUID()}`;
      const bus = await open({ connectionName: name });
      const admin = await RawRedis.connect(redisUrl);
      const monitor = await RawRedis.connect(redisUrl);
      try {
        const subscriber = (await admin.clients()).find((c) => c.name === `${name}-sub`);
        expect(subscriber).toBeDefined();
        const channel = `many-${randomUUID()}`;
        const lines = await monitor.monitor();
        const unsubscribes = [];
        for (let i = 0; i < 3; i++) unsubscribes.push(await bus.subscribe(channel, () => {}));
        await unsubscribes[0]();
        await unsubscribes[1]();
        expect(await admin.command("PUBSUB", "NUMSUB", `${keyPrefix}ch:${channel}`)).toEqual([
          `${keyPrefix}ch:${channel}`,
          1,
        ]);
        await unsubscribes[2]();
        expect(await admin.command("PUBSUB", "NUMSUB", `${keyPrefix}ch:${channel}`)).toEqual([
          `${keyPrefix}ch:${channel}`,
          0,
        ]);
        // Redis runs commands one at a time, so once MONITOR shows this ECHO it has shown every earlier command.
        const fence = randomUUID();
        await admin.command("ECHO", fence);
        await eventually("MONITOR to show the fence", async () =>
          lines.some((l) => l.includes(fence)) ? true : undefined,
        );
        const fromSubscriber = lines.filter(
          (l) => l.includes(` ${subscriber!.addr}]`) && l.includes(channel),
        );
        expect(fromSubscriber.map((l) => /"(\w+)"/.exec(l)?.[1]?.toLowerCase())).toEqual([
          "subscribe",
          "unsubscribe",
        ]);
      } finally {
        await bus.close();
        admin.close();
        monitor.close();
      }
    });

    it("ends every subscription and tells it (onLost) when its subscription connection is killed; a new subscribe receives again", async () => {
      const name = `eider-test-${randomUUID()}`;
      const bus = await open({ connectionName: name, onError: () => {} });
      const admin = await RawRedis.connect(redisUrl);
      try {
        const channel = `reconnect-${randomUUID()}`;
        const received: number[] = [];
        const lost: Error[] = [];
        await bus.subscribe(
          channel,
          (message) => received.push(message.seq as number),
          (e) => lost.push(e),
        );
        await bus.publish(channel, { seq: 0 });
        await eventually("the first message", async () => (received.length === 1 ? true : undefined));

        const before = (await admin.clients()).find((c) => c.name === `${name}-sub`);
        expect(await admin.command("CLIENT", "KILL", "ID", before!.id)).toBe(1);
        // Messages published while it is away are lost (Redis pub/sub is at most once), so the subscriber must
        // hear that its stream has a gap, and nothing more arrives on the old subscription.
        await eventually("the subscriber to be told", async () => (lost.length === 1 ? true : undefined));
        expect(lost[0]).toBeInstanceOf(BusUnavailableError);

        const again: number[] = [];
        await bus.subscribe(channel, (message) => again.push(message.seq as number));
        const after = (await admin.clients()).find((c) => c.name === `${name}-sub`);
        expect(after!.id).not.toBe(before!.id);
        await Promise.all(Array.from({ length: 100 }, (_, i) => bus.publish(channel, { seq: 1 + i })));
        await eventually("the last message", async () => (again.at(-1) === 100 ? true : undefined));
        expect(again).toEqual(Array.from({ length: 100 }, (_, i) => 1 + i));
        expect(received).toEqual([0]);
        expect(lost).toHaveLength(1);
      } finally {
        await bus.close();
        admin.close();
      }
    });

    it("resolves a subscribe made just after its subscription connection is killed only once it is registered on the new one", async () => {
      const name = `eider-test-${randomUUID()}`;
      const bus = await open({ connectionName: name, onError: () => {} });
      const admin = await RawRedis.connect(redisUrl);
      const subscriberConnection = async () => (await admin.clients()).find((c) => c.name === `${name}-sub`);
      try {
        const existing = `existing-${randomUUID()}`;
        const fresh = `fresh-${randomUUID()}`;
        await bus.subscribe(existing, () => {});
        // Each subscribe below likely runs before ioredis has even seen its connection close; it must still wait
        // for the new connection, whether the channel is already subscribed (a local join) or new (a SUBSCRIBE).
        // The kill ends every earlier subscription, so the new connection holds only the one just made.
        for (const channel of [existing, fresh]) {
          const killed = await subscriberConnection();
          expect(await admin.command("CLIENT", "KILL", "ID", killed!.id)).toBe(1);
          const received: BusMessage[] = [];
          await bus.subscribe(channel, (m) => received.push(m));
          const now = await subscriberConnection();
          expect(now?.id).not.toBe(killed!.id);
          expect(now?.sub).toBe("1");
          await bus.publish(channel, { to: channel });
          await eventually(`the message on ${channel}`, async () =>
            received.length === 1 ? true : undefined,
          );
          expect(received).toEqual([{ to: channel }]);
        }
      } finally {
        await bus.close();
        admin.close();
      }
    });

    it("keeps counters, rate limits and locks under its key prefix", async () => {
      const bus = await open();
      const admin = await RawRedis.connect(redisUrl);
      try {
        const key = `prefixed-${randomUUID()}`;
        const before = Date.now();
        await bus.increment(key, 7);
        await bus.hit(key, 1, 60_000);
        const lock = await bus.tryLock(key, 60_000);
        const keys = ((await admin.command("KEYS", `${keyPrefix}*${key}*`)) as string[]).sort();
        expect(keys).toHaveLength(3);
        expect(keys[0]).toBe(`${keyPrefix}counter:${key}`);
        expect(keys[1]).toBe(`${keyPrefix}lock:${key}`);
        const windowIndex = Number(keys[2].slice(`${keyPrefix}rl:${key}:`.length));
        expect(keys[2]).toBe(`${keyPrefix}rl:${key}:${windowIndex}`);
        expect(windowIndex).toBeLessThanOrEqual(Math.floor(Date.now() / 60_000));
        expect(windowIndex).toBeGreaterThanOrEqual(Math.floor(before / 60_000));
        await lock!.release();
      } finally {
        await bus.close();
        admin.close();
      }
    });

    it("rejects from connect when nothing listens at the URL", async () => {
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as net.AddressInfo;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await expect(RedisBus.connect(`redis://127.0.0.1:${port}`, { onError: () => {} })).rejects.toThrow(
        /ECONNREFUSED/,
      );
    });
  });
}

const FAIL_AFTER_MS = 10_000;

async function eventually<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + FAIL_AFTER_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Still waiting after ${FAIL_AFTER_MS} ms for ${what}.`);
    await delay(5);
  }
}

type Reply = string | number | null | Error | Reply[];

/**
 * A few lines of RESP2 over a plain socket: the admin's view of the server (CLIENT LIST, MONITOR, KILL) without
 * a second Redis client library in the tests.
 */
class RawRedis {
  #buffer = Buffer.alloc(0);
  readonly #pending: Array<(reply: Reply) => void> = [];
  #onPush: ((reply: Reply) => void) | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      for (;;) {
        const parsed = parseReply(this.#buffer, 0);
        if (parsed === undefined) break;
        this.#buffer = this.#buffer.subarray(parsed.end);
        const waiter = this.#pending.shift();
        if (waiter) waiter(parsed.reply);
        else this.#onPush?.(parsed.reply);
      }
    });
  }

  static async connect(redisUrl: string): Promise<RawRedis> {
    const { hostname, port, password, username } = new URL(redisUrl);
    const socket = net.connect(Number(port || 6379), hostname);
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    const raw = new RawRedis(socket);
    if (password)
      await raw.command(
        "AUTH",
        ...(username ? [decodeURIComponent(username)] : []),
        decodeURIComponent(password),
      );
    return raw;
  }

  async command(...args: string[]): Promise<Reply> {
    const reply = await new Promise<Reply>((resolve) => {
      this.#pending.push(resolve);
      this.socket.write(
        `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`,
      );
    });
    if (reply instanceof Error) throw reply;
    return reply;
  }

  /** CLIENT LIST as objects (id, addr, name, sub, ...). */
  async clients(): Promise<Array<Record<string, string>>> {
    const text = (await this.command("CLIENT", "LIST")) as string;
    return text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) =>
        Object.fromEntries(
          line
            .trim()
            .split(" ")
            .map((field) => field.split(/=(.*)/s).slice(0, 2)),
        ),
      );
  }

  /** Switches to MONITOR; the returned array fills with every command the server runs from now on. */
  async monitor(): Promise<string[]> {
    const lines: string[] = [];
    await this.command("MONITOR");
    this.#onPush = (reply) => lines.push(String(reply));
    return lines;
  }

  close(): void {
    this.socket.destroy();
  }
}

function parseReply(buffer: Buffer, start: number): { reply: Reply; end: number } | undefined {
  const lineEnd = buffer.indexOf("\r\n", start);
  if (lineEnd === -1) return undefined;
  const type = String.fromCharCode(buffer[start]);
  const line = buffer.toString("utf8", start + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case "+":
      return { reply: line, end: next };
    case "-":
      return { reply: new Error(line), end: next };
    case ":":
      return { reply: Number(line), end: next };
    case "$": {
      const length = Number(line);
      if (length < 0) return { reply: null, end: next };
      if (buffer.length < next + length + 2) return undefined;
      return { reply: buffer.toString("utf8", next, next + length), end: next + length + 2 };
    }
    case "*": {
      const count = Number(line);
      if (count < 0) return { reply: null, end: next };
      const items: Reply[] = [];
      let end = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, end);
        if (item === undefined) return undefined;
        items.push(item.reply);
        end = item.end;
      }
      return { reply: items, end };
    }
    default:
      throw new Error(`Unexpected RESP type byte "${type}" from Redis.`);
  }
}

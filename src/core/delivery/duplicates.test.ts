import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BusUnavailableError } from "../../bus/errors.js";
import { MemoryBus } from "../../bus/memory.js";
import type { Bus } from "../../bus/ports.js";
import { RedisBus } from "../../bus/redis.js";
import { openEmbeddedStore } from "../../storage/embedded/index.js";
import { openMongoStore } from "../../storage/mongo/index.js";
import type { Store } from "../../storage/ports.js";
import { openTestCore, testStores, type TestCore } from "../../../test/harness/core.js";
import { serviceUrl, skipReason, uniqueDbName } from "../../../test/harness/services.js";
import { ADMIN, createCore, DELIVERY, type Core, type DeliverArgs } from "../index.js";

const DAY_MS = 86_400_000;

function message(messageId: string | null, subject = "Hello"): Buffer {
  return Buffer.from(
    `From: Alice <alice@example.net>\r\nTo: bob@example.com\r\nSubject: ${subject}\r\n` +
      (messageId === null ? "" : `Message-ID: ${messageId}\r\n`) +
      `\r\nHi there.\r\n`,
  );
}

const args = (recipients: string[], raw: Buffer): DeliverArgs => ({
  via: "lmtp",
  mailFrom: "alice@example.net",
  recipients,
  raw,
});

let unique = 0;
const newMessageId = () => `<dup-${process.pid}-${Date.now()}-${++unique}@example.net>`;

describe.each(testStores())("Core: duplicate suppression on the $kind store", ({ kind, skip }) => {
  if (skip) {
    it.skip(`needs a MongoDB-protocol server (${skip})`, () => {});
    return;
  }
  let t: TestCore;
  let clock = new Date();
  // One store call fails on demand: the first copy of a delivery that must then be retried.
  let failNextAppend = false;
  let bob: { userId: string; inboxId: string };
  let carol: { userId: string; inboxId: string };

  beforeAll(async () => {
    t = await openTestCore({
      store: kind,
      duplicateWindowMs: DAY_MS,
      now: () => clock,
      wrapStore: (store: Store): Store => ({
        ...store,
        messages: Object.assign(Object.create(store.messages), {
          append: (m: Parameters<Store["messages"]["append"]>[0]) => {
            if (failNextAppend) {
              failNextAppend = false;
              return Promise.reject(new Error("the disk went away"));
            }
            return store.messages.append(m);
          },
        }),
      }),
    });
    bob = await t.addUser("bob", { addresses: ["bob@example.com"] });
    carol = await t.addUser("carol", { addresses: ["carol@example.com"] });
  });
  afterAll(async () => t?.close());

  const inboxCount = async (u: { userId: string; inboxId: string }) =>
    (await t.store.messages.listUids(u.userId, u.inboxId)).length;

  it("stores the same Message-ID into one mailbox once within the window; the second still succeeds, naming the first copy", async () => {
    const before = await inboxCount(bob);
    const raw = message(newMessageId());
    const [first] = await t.core.delivery.deliver(DELIVERY, args(["bob@example.com"], raw));
    const [second] = await t.core.delivery.deliver(DELIVERY, args(["bob@example.com"], raw));
    expect(first.status).toBe("stored");
    expect(first.duplicate).toBeUndefined();
    expect(second.status).toBe("stored");
    expect(second.duplicate).toBe(true);
    expect(second.stored).toEqual(first.stored);
    expect(await inboxCount(bob)).toBe(before + 1);
  });

  it("stores it again once the window has passed", async () => {
    const before = await inboxCount(bob);
    const raw = message(newMessageId());
    const [first] = await t.core.delivery.deliver(DELIVERY, args(["bob@example.com"], raw));
    clock = new Date(clock.getTime() + DAY_MS - 1000);
    const [inside] = await t.core.delivery.deliver(DELIVERY, args(["bob@example.com"], raw));
    clock = new Date(clock.getTime() + 2000);
    const [outside] = await t.core.delivery.deliver(DELIVERY, args(["bob@example.com"], raw));
    expect(inside.duplicate).toBe(true);
    expect(outside.duplicate).toBeUndefined();
    expect(outside.stored!.uid).toBeGreaterThan(first.stored!.uid);
    expect(await inboxCount(bob)).toBe(before + 2);
  });

  it("suppresses per mailbox: another user's mailbox gets its copy", async () => {
    const raw = message(newMessageId());
    const [bobFirst] = await t.core.delivery.deliver(DELIVERY, args(["bob@example.com"], raw));
    const carolBefore = await inboxCount(carol);
    const [bobAgain, carolFirst] = await t.core.delivery.deliver(
      DELIVERY,
      args(["bob@example.com", "carol@example.com"], raw),
    );
    expect(bobAgain.duplicate).toBe(true);
    expect(bobAgain.stored!.messageId).toBe(bobFirst.stored!.messageId);
    expect(carolFirst.duplicate).toBeUndefined();
    expect(carolFirst.stored!.mailboxId).toBe(carol.inboxId);
    expect(await inboxCount(carol)).toBe(carolBefore + 1);
  });

  it("suppresses per mailbox within one user too: a resend a new filter moves elsewhere is stored there", async () => {
    const asCarol = { kind: "user" as const, userId: carol.userId };
    const raw = message(newMessageId(), "Routed later");
    const [first] = await t.core.delivery.deliver(DELIVERY, args(["carol@example.com"], raw));
    expect(first.stored!.mailboxId).toBe(carol.inboxId);
    const archive = await t.core.mailboxes.create(asCarol, "Routed");
    const filter = await t.core.filters.create(asCarol, {
      name: "Routed later",
      conditions: { subject: "routed later" },
      actions: { moveTo: archive.id },
    });
    try {
      const [second] = await t.core.delivery.deliver(DELIVERY, args(["carol@example.com"], raw));
      expect(second).toMatchObject({ status: "stored", verdict: "mailbox" });
      expect(second.duplicate).toBeUndefined();
      expect(second.stored!.mailboxId).toBe(archive.id);
      const [third] = await t.core.delivery.deliver(DELIVERY, args(["carol@example.com"], raw));
      expect(third).toMatchObject({ duplicate: true, stored: { mailboxId: archive.id } });
      const [logged] = (await t.core.deliveryLog.list(asCarol, { first: 1 })).entries;
      expect(logged).toMatchObject({
        outcome: "duplicate",
        verdict: "mailbox",
        mailboxId: archive.id,
        matchedFilters: [{ id: filter.id, name: "Routed later" }],
      });
    } finally {
      await t.core.filters.delete(asCarol, filter.id);
    }
  });

  it("never suppresses a message without a Message-ID", async () => {
    const before = await inboxCount(bob);
    const raw = message(null);
    const results = [
      ...(await t.core.delivery.deliver(DELIVERY, args(["bob@example.com"], raw))),
      ...(await t.core.delivery.deliver(DELIVERY, args(["bob@example.com"], raw))),
    ];
    expect(results.map((r) => [r.status, r.duplicate])).toEqual([
      ["stored", undefined],
      ["stored", undefined],
    ]);
    expect(await inboxCount(bob)).toBe(before + 2);
  });

  it("does not suppress the retry of a delivery whose first copy failed to store", async () => {
    const before = await inboxCount(bob);
    const raw = message(newMessageId());
    failNextAppend = true;
    const [failed] = await t.core.delivery.deliver(DELIVERY, args(["bob@example.com"], raw));
    expect(failed.status).toBe("temporary-failure");
    expect(await inboxCount(bob)).toBe(before);
    const [retry] = await t.core.delivery.deliver(DELIVERY, args(["bob@example.com"], raw));
    expect(retry.status).toBe("stored");
    expect(retry.duplicate).toBeUndefined();
    expect(await inboxCount(bob)).toBe(before + 1);
    // And the stored retry now suppresses the next one.
    const [third] = await t.core.delivery.deliver(DELIVERY, args(["bob@example.com"], raw));
    expect(third.duplicate).toBe(true);
  });

  it("stores once when eight deliveries of one Message-ID arrive at the same time", async () => {
    const before = await inboxCount(bob);
    const raw = message(newMessageId());
    const results = (
      await Promise.all(
        Array.from({ length: 8 }, () => t.core.delivery.deliver(DELIVERY, args(["bob@example.com"], raw))),
      )
    ).flat();
    expect(results.every((r) => r.status === "stored")).toBe(true);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.stored!.messageId)).size).toBe(1);
    expect(await inboxCount(bob)).toBe(before + 1);
  });

  it("stores once per user when two deliveries name the same two users in opposite orders at the same time", async () => {
    const [bobBefore, carolBefore] = [await inboxCount(bob), await inboxCount(carol)];
    const raw = message(newMessageId());
    const both = async (order: string[], trace: boolean) =>
      t.core.delivery.deliver(DELIVERY, {
        ...args(order, raw),
        ...(trace ? { traceHeaders: (rcpt: string) => `Delivered-To: ${rcpt}\r\n` } : {}),
      });
    // With and without trace lines: one user at a time, and all users at once.
    for (const trace of [false, true]) {
      const results = (
        await Promise.all([
          both(["bob@example.com", "carol@example.com"], trace),
          both(["carol@example.com", "bob@example.com"], trace),
        ])
      ).flat();
      expect(results.map((r) => r.status)).toEqual(["stored", "stored", "stored", "stored"]);
    }
    expect(await inboxCount(bob)).toBe(bobBefore + 1);
    expect(await inboxCount(carol)).toBe(carolBefore + 1);
  });

  it("treats Message-IDs that differ only in surrounding space as one", async () => {
    const before = await inboxCount(bob);
    const id = newMessageId();
    await t.core.delivery.deliver(DELIVERY, args(["bob@example.com"], message(id)));
    const [again] = await t.core.delivery.deliver(DELIVERY, args(["bob@example.com"], message(`  ${id}  `)));
    expect(again.duplicate).toBe(true);
    expect(await inboxCount(bob)).toBe(before + 1);
  });
});

describe("Core: duplicate suppression turned off", () => {
  it("stores every copy when [delivery] duplicate_window_seconds is 0", async () => {
    const t = await openTestCore({ duplicateWindowMs: 0 });
    try {
      const bob = await t.addUser("bob", { addresses: ["bob@example.com"] });
      const raw = message(newMessageId());
      await t.core.delivery.deliver(DELIVERY, args(["bob@example.com"], raw));
      const [second] = await t.core.delivery.deliver(DELIVERY, args(["bob@example.com"], raw));
      expect(second.duplicate).toBeUndefined();
      expect(await t.store.messages.listUids(bob.userId, bob.inboxId)).toHaveLength(2);
    } finally {
      await t.close();
    }
  });
});

describe("Core: duplicate suppression while the bus cannot answer", () => {
  it("delivers unlocked (reported), and still suppresses a resend from the store's record", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-dup-bus-"));
    const store = await openEmbeddedStore({ dataDir });
    const memory = new MemoryBus();
    // A real bus whose locks fail as Redis's do when it is down; everything else works.
    const bus = new Proxy<Bus>(memory, {
      get(target, name) {
        if (name === "tryLock")
          return () => Promise.reject(new BusUnavailableError("tryLock", new Error("connection refused")));
        const value: unknown = Reflect.get(target, name);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const reported: unknown[] = [];
    const core = createCore(store, bus, {
      adminToken: "test-admin-token-0123456789",
      sessionTtlMs: 3600_000,
      maxMessageBytes: 1024 * 1024,
      loginAttempts: 10,
      loginWindowMs: 60_000,
      journalRetentionMs: DAY_MS,
      onBackgroundError: (err) => reported.push(err),
    });
    try {
      const user = await core.users.create(ADMIN, {
        username: "erin",
        password: "a long secret",
        addresses: ["erin@example.com"],
        quotaBytes: 0,
      });
      const raw = message(newMessageId());
      const [first] = await core.delivery.deliver(DELIVERY, args(["erin@example.com"], raw));
      const [second] = await core.delivery.deliver(DELIVERY, args(["erin@example.com"], raw));
      expect(first.status).toBe("stored");
      expect(second).toMatchObject({ status: "stored", duplicate: true });
      expect(reported.some((e) => e instanceof BusUnavailableError)).toBe(true);
      const inbox = (await store.mailboxes.getByPath(user.id, "INBOX"))!;
      expect(await store.messages.listUids(user.id, inbox.id)).toHaveLength(1);
    } finally {
      await core.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

const mongoUrl = serviceUrl("mongodb");
const redisUrl = serviceUrl("redis");
const clusterSkip = !mongoUrl ? skipReason("mongodb") : !redisUrl ? skipReason("redis") : undefined;

describe("Core: duplicate suppression across two processes' cores (MongoDB protocol + Redis)", () => {
  if (clusterSkip) {
    it.skip(`needs a MongoDB-protocol server and Redis (${clusterSkip})`, () => {});
    return;
  }
  const cores: Array<{ core: Core; store: Store }> = [];
  beforeAll(async () => {
    const dbName = uniqueDbName("eider_dup");
    const prefix = `${dbName}:`;
    for (let i = 0; i < 2; i++) {
      const store = await openMongoStore({ url: mongoUrl!, dbName });
      const bus = new RedisBus(redisUrl!, { keyPrefix: prefix });
      const core = createCore(store, bus, {
        adminToken: "test-admin-token-0123456789",
        sessionTtlMs: 3600_000,
        maxMessageBytes: 1024 * 1024,
        loginAttempts: 10,
        loginWindowMs: 60_000,
        journalRetentionMs: DAY_MS,
      });
      cores.push({ core, store });
    }
  });
  afterAll(async () => {
    for (const c of cores) await c.core.close();
  });

  it("stores once when the same Message-ID reaches both at the same time, several times over", async () => {
    const [a, b] = cores;
    const user = await a.core.users.create(ADMIN, {
      username: "dana",
      password: "a long secret",
      addresses: ["dana@example.com"],
      quotaBytes: 0,
    });
    const inbox = (await a.store.mailboxes.getByPath(user.id, "INBOX"))!;
    for (let round = 0; round < 5; round++) {
      const raw = message(newMessageId(), `round ${round}`);
      const results = (
        await Promise.all(
          [a, b, a, b].map((c) => c.core.delivery.deliver(DELIVERY, args(["dana@example.com"], raw))),
        )
      ).flat();
      expect(results.every((r) => r.status === "stored")).toBe(true);
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    }
    expect(await a.store.messages.listUids(user.id, inbox.id)).toHaveLength(5);
  });
});

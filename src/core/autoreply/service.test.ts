// The autoreply service on real stores, sending through the SMTP relay adapter to a real smtp-server: the
// once-per-period rule holds for concurrent deliveries, in one core and across two cores sharing one store
// (two processes of a cluster), and each user answers from its own address.
import { createServer, type AddressInfo, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryBus } from "../../bus/memory.js";
import { smtpRelay } from "../../outbound/smarthost.js";
import { openMongoStore } from "../../storage/mongo/index.js";
import { openTestCore, testStores, type TestCore } from "../../../test/harness/core.js";
import { serviceUrl, skipReason, uniqueDbName } from "../../../test/harness/services.js";
import { TestRelay } from "../../../test/harness/smtp-relay.js";
import { ADMIN, createCore, DELIVERY, type Core } from "../index.js";

const DAY_MS = 86_400_000;
const AWAY = { enabled: true, text: "Away this week." };

let unique = 0;
function message(from: string, to: string): Buffer {
  return Buffer.from(
    `From: ${from}\r\nTo: ${to}\r\nSubject: Question ${++unique}\r\n` +
      `Message-ID: <q-${process.pid}-${unique}@remote.test>\r\n\r\nAre you there?\r\n`,
  );
}

const deliver = (core: Core, mailFrom: string, recipients: string[]) =>
  core.delivery.deliver(DELIVERY, {
    via: "lmtp",
    mailFrom,
    recipients,
    raw: message(mailFrom, recipients.join(", ")),
  });

describe.each(testStores())("Core: autoreply on the $kind store", ({ kind, skip }) => {
  if (skip) {
    it.skip(`needs a MongoDB-protocol server (${skip})`, () => {});
    return;
  }
  const relay = new TestRelay();
  let t: TestCore;

  beforeAll(async () => {
    t = await openTestCore({
      store: kind,
      outbound: smtpRelay(await relay.listen()),
      autoreply: { periodMs: DAY_MS, sendAttempts: 1, retryDelayMs: 1 },
    });
  });
  afterAll(async () => {
    await t?.core.autoreplies.idle();
    await t?.close();
    await relay.close();
  });

  it("answers a sender once when ten of its messages arrive at the same time", async () => {
    const { userId } = await t.addUser("alice", { addresses: ["alice@example.com"] });
    await t.core.autoreplies.set({ kind: "user", userId }, AWAY);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => deliver(t.core, "eager@remote.test", ["alice@example.com"])),
    );
    expect(results.flat().map((r) => r.status)).toEqual(Array(10).fill("stored"));
    await t.core.autoreplies.idle();
    expect(relay.to("eager@remote.test")).toHaveLength(1);
  });

  it("answers one message to two users once from each, from that user's own address", async () => {
    for (const name of ["bea", "cid"]) {
      const { userId } = await t.addUser(name, { addresses: [`${name}@example.com`] });
      await t.core.autoreplies.set({ kind: "user", userId }, AWAY);
    }
    await deliver(t.core, "both@remote.test", ["bea@example.com", "cid@example.com"]);
    await t.core.autoreplies.idle();
    const froms = relay.to("both@remote.test").map((r) => /^From: (.*)$/m.exec(r.raw.toString())?.[1]);
    expect(froms.sort()).toEqual(["bea@example.com", "cid@example.com"]);
  });

  it("prunes whom it answered once the period is over, in the periodic maintenance", async () => {
    const { userId } = await t.addUser("dov", { addresses: ["dov@example.com"] });
    await t.core.autoreplies.set({ kind: "user", userId }, AWAY);
    await deliver(t.core, "once@remote.test", ["dov@example.com"]);
    await t.core.autoreplies.idle();
    expect(relay.to("once@remote.test")).toHaveLength(1);
    expect((await t.core.maintenance.runOnce(ADMIN))?.autoreplyRecordsPruned).toBe(0);
    const later = new Date(Date.now() + DAY_MS + 60_000);
    // Every record of this store is older than a period by then: dov's and those of the tests above.
    expect((await t.core.maintenance.runOnce(ADMIN, later))?.autoreplyRecordsPruned).toBeGreaterThanOrEqual(
      1,
    );
    await deliver(t.core, "once@remote.test", ["dov@example.com"]);
    await t.core.autoreplies.idle();
    expect(relay.to("once@remote.test")).toHaveLength(2);
  });
});

const mongoUrl = serviceUrl("mongodb");

describe("Core: autoreply across two processes' cores on one MongoDB-protocol store", () => {
  if (!mongoUrl) {
    it.skip(`needs a MongoDB-protocol server (${skipReason("mongodb")})`, () => {});
    return;
  }
  const relay = new TestRelay();
  const cores: Core[] = [];

  beforeAll(async () => {
    const url = await relay.listen();
    const dbName = uniqueDbName("eider_autoreply");
    for (let i = 0; i < 2; i++)
      cores.push(
        createCore(await openMongoStore({ url: mongoUrl, dbName }), new MemoryBus(), {
          adminToken: "test-admin-token-0123456789",
          sessionTtlMs: 3600_000,
          maxMessageBytes: 1024 * 1024,
          loginAttempts: 10,
          loginWindowMs: 60_000,
          journalRetentionMs: DAY_MS,
          outbound: smtpRelay(url),
          autoreply: { periodMs: DAY_MS, sendAttempts: 1, retryDelayMs: 1 },
        }),
      );
  });
  afterAll(async () => {
    for (const core of cores) await core.close();
    await relay.close();
  });

  it("answers a sender once when its messages reach both at the same time, several times over", async () => {
    const [a, b] = cores;
    const user = await a.users.create(ADMIN, {
      username: "dana",
      password: "a long secret",
      addresses: ["dana@example.com"],
      quotaBytes: 0,
    });
    await b.autoreplies.set(ADMIN, AWAY, user.id);
    for (let round = 0; round < 4; round++) {
      const sender = `round${round}@remote.test`;
      await Promise.all([a, b, a, b].map((core) => deliver(core, sender, ["dana@example.com"])));
      await Promise.all(cores.map((core) => core.autoreplies.idle()));
      expect(relay.to(sender)).toHaveLength(1);
    }
  });
});

describe("Core: closing while a reply hangs in the relay", () => {
  it(
    "does not wait for a relay that accepts the connection and never answers",
    { timeout: 10_000 },
    async () => {
      const sockets = new Set<Socket>();
      const silent = createServer((socket) => sockets.add(socket)); // never greets: nodemailer would wait 30 s
      await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
      const { port } = silent.address() as AddressInfo;
      const t = await openTestCore({
        outbound: smtpRelay(`smtp://127.0.0.1:${port}`),
        autoreply: { sendAttempts: 1, closeWaitMs: 100 },
      });
      try {
        const { userId } = await t.addUser("eve", { addresses: ["eve@example.com"] });
        await t.core.autoreplies.set({ kind: "user", userId }, AWAY);
        await deliver(t.core, "patient@remote.test", ["eve@example.com"]);
        // The reply is under way once the relay has a connection; closing must then return without it.
        while (sockets.size === 0) await new Promise((resolve) => silent.once("connection", resolve));
        await t.core.close();
      } finally {
        for (const s of sockets) s.destroy();
        silent.close();
      }
    },
  );
});

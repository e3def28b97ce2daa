import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestCore, type TestCore } from "../../../test/harness/core.js";
import { DELIVERY } from "../index.js";

const message = (n: number) =>
  Buffer.from(
    `From: a@remote.test\r\nSubject: ${n}\r\nMessage-ID: <rl-${n}-${Math.random()}@remote.test>\r\n\r\nHi\r\n`,
  );

describe("Core: inbound rate limits on mail via mx", () => {
  let t: TestCore;
  let now = new Date("2026-12-01T10:00:10Z");

  beforeAll(async () => {
    t = await openTestCore({
      now: () => now,
      inboundLimits: {
        perRecipient: { messages: 2, windowMs: 60_000 },
        perClientIp: { messages: 3, windowMs: 60_000 },
      },
    });
    await t.addUser("bob", { addresses: ["bob@example.com"] });
    await t.addUser("carol", { addresses: ["carol@example.com"] });
  });
  afterAll(async () => t?.close());

  const check = (rcpt: string, ip: string, via: "mx" | "lmtp" = "mx") =>
    t.core.delivery.checkRecipient(DELIVERY, rcpt, undefined, {
      via,
      client: { ip },
      mailFrom: "a@remote.test",
    });
  const deliver = (rcpt: string, ip: string, n: number, via: "mx" | "lmtp" = "mx") =>
    t.core.delivery.deliver(DELIVERY, {
      via,
      client: { ip },
      mailFrom: "a@remote.test",
      recipients: [rcpt],
      raw: message(n),
    });

  it("refuses a recipient at RCPT once it stored its limit in the window (mail via mx only), and takes it again in the next window", async () => {
    expect((await check("bob@example.com", "192.0.2.1")).status).toBe("ok");
    await deliver("bob@example.com", "192.0.2.1", 1);
    await deliver("bob@example.com", "192.0.2.2", 2);
    const refused = await check("bob@example.com", "192.0.2.3");
    expect(refused.status).toBe("rate-limited");
    expect(refused.message).toMatch(/2 in 60 s/);
    // LMTP from a local MTA is not mail from the internet: no limit.
    expect((await check("bob@example.com", "192.0.2.3", "lmtp")).status).toBe("ok");
    // The refusal is in bob's delivery log.
    const log = await t.store.deliveries.list({ userId: refused.userId, limit: 1 });
    expect(log[0]).toMatchObject({ via: "mx", status: "rate-limited", outcome: "refused" });
    now = new Date("2026-12-01T10:01:10Z");
    expect((await check("bob@example.com", "192.0.2.3")).status).toBe("ok");
  });

  it("refuses a client IP that sent its limit, whoever the recipient", async () => {
    await deliver("carol@example.com", "198.51.100.7", 10);
    await deliver("bob@example.com", "198.51.100.7", 11);
    expect((await check("carol@example.com", "198.51.100.7")).status).toBe("ok");
    await deliver("carol@example.com", "198.51.100.7", 12);
    const refused = await check("carol@example.com", "198.51.100.7");
    expect(refused.status).toBe("client-rate-limited");
    expect(refused.message).toContain("198.51.100.7");
    // Another client may still send to bob, who has one message in this window.
    expect((await check("bob@example.com", "198.51.100.8")).status).toBe("ok");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestCore, testStores, type TestCore } from "../../test/harness/core.js";
import { ADMIN, ANONYMOUS, DELIVERY } from "./index.js";

const message = (subject = "Hello", body = "Hi there.") =>
  Buffer.from(
    `From: Alice <alice@example.net>\r\nTo: bob@example.com\r\nSubject: ${subject}\r\n` +
      `Message-ID: <${Math.random().toString(36).slice(2)}@example.net>\r\n\r\n${body}\r\n`,
  );

describe.each(testStores())("Core: deliver() on the $kind store", ({ kind, skip }) => {
  if (skip) {
    it.skip(`needs a MongoDB-protocol server (${skip})`, () => {});
    return;
  }
  let t: TestCore;
  let bob: { userId: string; inboxId: string };
  let carol: { userId: string; inboxId: string };
  let dave: { userId: string; inboxId: string };
  let catchAll: { userId: string; inboxId: string };

  beforeAll(async () => {
    t = await openTestCore({ maxMessageBytes: 4096, store: kind });
    bob = await t.addUser("bob", { addresses: ["bob@example.com", "robert@example.com"] });
    carol = await t.addUser("carol", { addresses: ["carol@example.com"], quotaBytes: 300 });
    dave = await t.addUser("dave", { addresses: ["dave@example.com"] });
    await t.core.users.update(ADMIN, dave.userId, { disabled: true });
    catchAll = await t.addUser("postmaster", { addresses: ["postmaster@example.org", "*@example.org"] });
  });
  afterAll(async () => t?.close());

  const bobsUids = async () => (await t.store.messages.listUids(bob.userId, bob.inboxId)).map((m) => m.uid);

  it("stores the exact bytes in the recipient's INBOX and says where (message id, mailbox, UIDVALIDITY, uid)", async () => {
    const raw = message("exact");
    const [r] = await t.core.delivery.deliver(DELIVERY, {
      via: "lmtp",
      mailFrom: "alice@example.net",
      recipients: ["bob@example.com"],
      raw,
    });
    expect(r).toMatchObject({ recipient: "bob@example.com", status: "stored", userId: bob.userId });
    const inbox = (await t.store.mailboxes.get(bob.userId, bob.inboxId))!;
    expect(r.stored).toMatchObject({ mailboxId: bob.inboxId, uidValidity: inbox.uidValidity });
    expect(await bobsUids()).toContain(r.stored!.uid);
    expect(await t.core.messages.raw({ kind: "user", userId: bob.userId }, r.stored!.messageId)).toEqual(raw);
  });

  it("stores one copy for two addresses of one user (and a +label and case variant), answering each recipient", async () => {
    const before = (await bobsUids()).length;
    const results = await t.core.delivery.deliver(DELIVERY, {
      via: "lmtp",
      mailFrom: "",
      recipients: ["bob@example.com", "Robert@Example.COM", "bob+lists@example.com", "carol@example.com"],
      raw: message("dedupe"),
    });
    expect(results.map((r) => r.status)).toEqual(["stored", "stored", "stored", "stored"]);
    expect(new Set(results.slice(0, 3).map((r) => r.stored!.messageId)).size).toBe(1);
    expect(results[3].stored!.messageId).not.toBe(results[0].stored!.messageId);
    expect((await bobsUids()).length).toBe(before + 1);
    expect((await t.store.messages.listUids(carol.userId, carol.inboxId)).length).toBe(1);
  });

  it("prepends a front end's trace lines per user, naming that user's first recipient; the rest is the raw bytes", async () => {
    const raw = message("traced");
    const traced = await t.addUser("trace", { addresses: ["trace@example.com"] });
    const seen: string[] = [];
    const results = await t.core.delivery.deliver(DELIVERY, {
      via: "lmtp",
      mailFrom: "alice@example.net",
      recipients: ["Robert@Example.COM", "nobody@example.com", "bob@example.com", "trace@example.com"],
      raw,
      traceHeaders: (rcpt) => {
        seen.push(rcpt);
        return `Delivered-To: ${rcpt}\r\n`;
      },
    });
    expect(results.map((r) => r.status)).toEqual(["stored", "unknown", "stored", "stored"]);
    // Once per user, not per recipient: bob's two addresses made one copy.
    expect(seen.sort()).toEqual(["Robert@Example.COM", "trace@example.com"]);
    const read = (userId: string, messageId: string) =>
      t.core.messages.raw({ kind: "user", userId }, messageId);
    expect(await read(bob.userId, results[0].stored!.messageId)).toEqual(
      Buffer.concat([Buffer.from("Delivered-To: Robert@Example.COM\r\n"), raw]),
    );
    expect(results[2].stored!.messageId).toBe(results[0].stored!.messageId);
    expect(await read(traced.userId, results[3].stored!.messageId)).toEqual(
      Buffer.concat([Buffer.from("Delivered-To: trace@example.com\r\n"), raw]),
    );
  });

  it("refuses an empty message with trace lines as without them: nothing is prepended to nothing", async () => {
    const results = await t.core.delivery.deliver(DELIVERY, {
      via: "lmtp",
      mailFrom: "",
      recipients: ["bob@example.com"],
      raw: Buffer.alloc(0),
      traceHeaders: (rcpt) => `Delivered-To: ${rcpt}\r\n`,
    });
    expect(results.map((r) => r.status)).toEqual(["rejected"]);
  });

  it("treats an address with the root's trailing dot as the address itself, at RCPT time and at delivery", async () => {
    expect(await t.core.delivery.checkRecipient(DELIVERY, "bob@example.com.")).toMatchObject({
      status: "ok",
    });
    const before = (await bobsUids()).length;
    const results = await t.core.delivery.deliver(DELIVERY, {
      via: "lmtp",
      mailFrom: "alice@example.net",
      recipients: ["bob@example.com.", "BOB@EXAMPLE.COM"],
      raw: message("trailing dot"),
    });
    expect(results.map((r) => [r.status, r.userId])).toEqual([
      ["stored", bob.userId],
      ["stored", bob.userId],
    ]);
    expect(results[0].stored!.messageId).toBe(results[1].stored!.messageId);
    expect((await bobsUids()).length).toBe(before + 1);
  });

  it("sends an unknown local part of a wildcard domain to the *@domain owner; an exact address wins", async () => {
    const results = await t.core.delivery.deliver(DELIVERY, {
      via: "lmtp",
      mailFrom: "alice@example.net",
      recipients: ["nobody-here@example.org", "postmaster@example.org"],
      raw: message("wildcard"),
    });
    expect(results.map((r) => [r.status, r.userId])).toEqual([
      ["stored", catchAll.userId],
      ["stored", catchAll.userId],
    ]);
    expect((await t.store.messages.listUids(catchAll.userId, catchAll.inboxId)).length).toBe(1);
  });

  it("answers unknown, invalid and disabled per recipient and still stores for the others", async () => {
    const results = await t.core.delivery.deliver(DELIVERY, {
      via: "lmtp",
      mailFrom: "alice@example.net",
      recipients: ["nobody@example.com", "not an address", "dave@example.com", "bob@example.com"],
      raw: message("mixed"),
    });
    expect(results.map((r) => r.status)).toEqual(["unknown", "invalid", "disabled", "stored"]);
    expect(results[2].userId).toBe(dave.userId);
    expect(await t.store.messages.listUids(dave.userId, dave.inboxId)).toEqual([]);
  });

  it("answers over-quota for a user without room, storing nothing for it, and stores for the others", async () => {
    const big = message("big", "x".repeat(250));
    const results = await t.core.delivery.deliver(DELIVERY, {
      via: "lmtp",
      mailFrom: "alice@example.net",
      recipients: ["carol@example.com", "bob@example.com"],
      raw: big,
    });
    expect(results.map((r) => r.status)).toEqual(["over-quota", "stored"]);
    const carolUser = await t.store.users.get(carol.userId);
    expect(carolUser!.storageUsed).toBeLessThanOrEqual(300);
    expect((await t.store.messages.listUids(carol.userId, carol.inboxId)).length).toBe(1);
  });

  it("answers too-large for every known recipient of a message over the limit, unknown ones stay unknown", async () => {
    const before = await bobsUids();
    const results = await t.core.delivery.deliver(DELIVERY, {
      via: "lmtp",
      mailFrom: "alice@example.net",
      recipients: ["bob@example.com", "nobody@example.com"],
      raw: message("huge", "y".repeat(5000)),
    });
    expect(results.map((r) => r.status)).toEqual(["too-large", "unknown"]);
    expect(await bobsUids()).toEqual(before);
  });

  it("rejects an empty message for every known recipient, storing nothing", async () => {
    const before = await bobsUids();
    const results = await t.core.delivery.deliver(DELIVERY, {
      via: "lmtp",
      mailFrom: "",
      recipients: ["bob@example.com", "nobody@example.com"],
      raw: Buffer.alloc(0),
    });
    expect(results.map((r) => r.status)).toEqual(["rejected", "unknown"]);
    expect(results[0].message).toMatch(/empty/);
    expect(await bobsUids()).toEqual(before);
  });

  it("answers a temporary failure, with its cause, when the store cannot take the message", async () => {
    const erin = await t.addUser("erin", { addresses: ["erin@example.com"] });
    await t.store.mailboxes.delete(erin.userId, erin.inboxId); // a broken account: no INBOX to deliver to
    const [r, ok] = await t.core.delivery.deliver(DELIVERY, {
      via: "lmtp",
      mailFrom: "alice@example.net",
      recipients: ["erin@example.com", "bob@example.com"],
      raw: message("temp"),
    });
    expect(r.status).toBe("temporary-failure");
    expect(r.cause).toBeInstanceOf(Error);
    expect(ok.status).toBe("stored");
  });

  it("publishes the new message on the recipient's mailbox channel", async () => {
    const seen: unknown[] = [];
    const off = await t.bus.subscribe(`mailbox:${bob.inboxId}`, (m) => seen.push(m));
    const [r] = await t.core.delivery.deliver(DELIVERY, {
      via: "lmtp",
      mailFrom: "",
      recipients: ["bob@example.com"],
      raw: message("event"),
    });
    expect(seen).toContainEqual(
      expect.objectContaining({ kind: "exists", uid: r.stored!.uid, messageId: r.stored!.messageId }),
    );
    await off();
  });

  it("lets only the delivery agent and the admin deliver, and the delivery agent do nothing else", async () => {
    const args = { via: "lmtp" as const, mailFrom: "", recipients: ["bob@example.com"], raw: message("who") };
    await expect(t.core.delivery.deliver({ kind: "user", userId: bob.userId }, args)).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(t.core.delivery.deliver(ANONYMOUS, args)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      t.core.delivery.checkRecipient({ kind: "user", userId: bob.userId }, "bob@example.com"),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await t.core.delivery.deliver(ADMIN, args))[0].status).toBe("stored");
    await expect(t.core.mailboxes.list(DELIVERY)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(t.core.messages.list(DELIVERY, bob.inboxId, 10)).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(t.core.users.list(DELIVERY, 10)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(t.core.delivery.openImport(DELIVERY, { username: "bob" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });
});

describe("Core: the RCPT-time recipient check", () => {
  let t: TestCore;
  let bob: { userId: string; inboxId: string };

  beforeAll(async () => {
    t = await openTestCore({ maxMessageBytes: 1000 });
    bob = await t.addUser("bob", { addresses: ["bob@example.com"], quotaBytes: 500 });
    const dave = await t.addUser("dave", { addresses: ["dave@example.com"] });
    await t.core.users.update(ADMIN, dave.userId, { disabled: true });
  });
  afterAll(async () => t?.close());

  const check = (rcpt: string, size?: number) => t.core.delivery.checkRecipient(DELIVERY, rcpt, size);

  it("accepts an existing user with room, through its normalised forms", async () => {
    expect(await check("bob@example.com")).toMatchObject({ status: "ok", userId: bob.userId });
    expect((await check("B.o.b+x@EXAMPLE.com", 100)).status).toBe("ok");
  });
  it("refuses unknown, invalid and disabled recipients", async () => {
    expect((await check("nobody@example.com")).status).toBe("unknown");
    expect((await check("@example.com")).status).toBe("invalid");
    expect((await check("dave@example.com")).status).toBe("disabled");
  });
  it("refuses a declared size past the quota or the message limit", async () => {
    expect((await check("bob@example.com", 501)).status).toBe("over-quota");
    expect((await check("bob@example.com", 1001)).status).toBe("too-large");
  });
  it("refuses a full mailbox even without a declared size", async () => {
    const [r] = await t.core.delivery.deliver(DELIVERY, {
      via: "lmtp",
      mailFrom: "",
      recipients: ["bob@example.com"],
      raw: Buffer.from("Subject: fill\r\n\r\nx\r\n"),
    });
    expect(r.status).toBe("stored");
    const used = (await t.store.users.get(bob.userId))!.storageUsed;
    await t.core.users.update(ADMIN, bob.userId, { quotaBytes: used });
    expect((await check("bob@example.com")).status).toBe("over-quota");
  });
});

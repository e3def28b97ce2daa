import { afterEach, describe, expect, it } from "vitest";
import { openTestCore, type TestCore } from "../../test/harness/core.js";
import { accountChannel, mailboxChannel, type AccountEvent, type MailboxEvent } from "./events.js";
import type { Principal } from "./principal.js";

const message = (subject: string) => Buffer.from(`Subject: ${subject}\r\n\r\nBody.\r\n`);

let t: TestCore | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Everything published on the mailbox channels and the account channel, in order of arrival. */
async function record(core: TestCore, userId: string, mailboxIds: string[]) {
  const seen: Array<{ channel: string; event: MailboxEvent | AccountEvent }> = [];
  for (const channel of [...mailboxIds.map(mailboxChannel), accountChannel(userId)])
    await core.bus.subscribe(channel, (m) => seen.push({ channel, event: m as never }));
  return seen;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("Core: events after a change", () => {
  it("publishes a move as an expunge and an exists, then one account event with both mailboxes' counters", async () => {
    t = await openTestCore();
    const { userId, inboxId } = await t.addUser("mover");
    const user: Principal = { kind: "user", userId };
    const archive = await t.core.mailboxes.create(user, "Archive 2");
    const m = await t.core.messages.upload(user, inboxId, message("moved"));
    const seen = await record(t, userId, [inboxId, archive.id]);
    const [moved] = await t.core.messages.move(user, [m.id], archive.id);
    await settle();
    expect(seen.map((s) => [s.channel, "kind" in s.event ? s.event.kind : "account"])).toEqual([
      [mailboxChannel(inboxId), "expunge"],
      [mailboxChannel(archive.id), "exists"],
      [accountChannel(userId), "account"],
    ]);
    const account = seen[2].event as AccountEvent;
    expect(account.state).toBe(moved.modseq);
    expect(account.mailboxes.sort((a, b) => a.total - b.total)).toEqual([
      { mailboxId: inboxId, total: 0, unseen: 0, size: 0 },
      { mailboxId: archive.id, total: 1, unseen: 1, size: m.size },
    ]);
  });

  it("publishes a mailbox change with the journal's kind and modseq, and the account's new state", async () => {
    t = await openTestCore();
    const { userId } = await t.addUser("renamer");
    const user: Principal = { kind: "user", userId };
    const box = await t.core.mailboxes.create(user, "Old");
    const seen = await record(t, userId, [box.id]);
    await t.core.mailboxes.rename(user, box.id, "New");
    await settle();
    const [entry] = await t.store.journal.since(userId, box.highestModseq, 10);
    expect(seen.map((s) => s.event)).toEqual([
      {
        kind: "mailbox-update",
        userId,
        mailboxId: box.id,
        messageId: null,
        uid: null,
        modseq: entry.modseq,
        flags: null,
      },
      { userId, state: entry.modseq, storageUsed: 0, mailboxes: [] },
    ]);
  });

  it("keeps a committed change when the bus cannot carry its events, and reports the failure", async () => {
    const reported: unknown[] = [];
    t = await openTestCore({ onBackgroundError: (err) => reported.push(err) });
    const { userId, inboxId } = await t.addUser("quiet");
    const user: Principal = { kind: "user", userId };
    const m = await t.core.messages.upload(user, inboxId, message("kept"));
    await t.bus.close();
    const [flagged] = await t.core.messages.setFlags(user, [m.id], { op: "add", flags: ["\\Seen"] });
    expect(flagged.flags).toEqual(["\\Seen"]);
    expect(reported).toHaveLength(1);
    expect((await t.store.messages.get(userId, m.id))?.flags).toEqual(["\\Seen"]);
  });
});

describe("Core: health and close", () => {
  it("reports the store and the bus, and a bus that is gone", async () => {
    t = await openTestCore();
    expect(await t.core.health()).toEqual({
      ok: true,
      store: { kind: "embedded", ok: true },
      bus: { kind: "memory", ok: true },
    });
    await t.bus.close();
    const health = await t.core.health();
    expect(health).toMatchObject({ ok: false, store: { ok: true }, bus: { ok: false } });
    expect(health.bus.error).toEqual(expect.any(String));
  });

  it("closes the store and the bus once, however often it is called", async () => {
    t = await openTestCore();
    await Promise.all([t.core.close(), t.core.close()]);
    await expect(t.store.ping()).rejects.toThrow();
    await expect(t.bus.publish("x", {})).rejects.toThrow();
  });
});

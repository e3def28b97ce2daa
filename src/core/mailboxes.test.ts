import { afterEach, describe, expect, it } from "vitest";
import { openTestCore, type TestCore } from "../../test/harness/core.js";
import type { Store } from "../storage/ports.js";
import { mailboxChannel, type MailboxEvent, type Principal } from "./index.js";

let t: TestCore | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** The store as the core sees it, with `after` run once each mailbox update or delete has committed. */
function afterMailboxChange(store: Store, after: () => Promise<void>): Store {
  const mailboxes = new Proxy(store.mailboxes, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if ((key !== "update" && key !== "delete") || typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        await after();
        return result;
      };
    },
  });
  return new Proxy(store, {
    get: (target, key) => (key === "mailboxes" ? mailboxes : Reflect.get(target, key)),
  });
}

describe("Core: mailbox changes and their events", () => {
  it("gives rename and delete events their own journal entry's modseq, even when another change follows at once", async () => {
    // A change committed right after the rename or the delete (another client's append) raises the account's and
    // the mailbox's modseq; an event that took either of those instead of its own entry's modseq would make a
    // watcher's replay/live dedupe drop the later change or repeat this one.
    const alice: { p?: Principal; inbox?: string } = {};
    let n = 0;
    t = await openTestCore({
      wrapStore: (store) =>
        afterMailboxChange(store, async () => {
          await t!.core.messages.upload(
            alice.p!,
            alice.inbox!,
            Buffer.from(`Subject: next ${n++}\r\n\r\nBody.\r\n`),
          );
        }),
    });
    const { userId, inboxId } = await t.addUser("alice");
    const p: Principal = { kind: "user", userId };
    Object.assign(alice, { p, inbox: inboxId });
    const box = await t.core.mailboxes.create(p, "Projects");
    const events: MailboxEvent[] = [];
    await t.bus.subscribe(mailboxChannel(box.id), (m) => events.push(m as unknown as MailboxEvent));

    await t.core.mailboxes.rename(p, box.id, "Projects 2026");
    await t.core.mailboxes.delete(p, box.id);

    const journal = (await t.store.journal.since(userId, 0, 1000)).filter((e) => e.mailboxId === box.id);
    const kinds = ["mailbox-update", "mailbox-delete"];
    expect(events.filter((e) => kinds.includes(e.kind)).map((e) => [e.kind, e.modseq])).toEqual(
      journal.filter((e) => kinds.includes(e.kind)).map((e) => [e.kind, e.modseq]),
    );
    expect(n).toBe(2); // the following changes did happen
  });
});

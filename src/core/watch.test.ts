import { afterEach, describe, expect, it } from "vitest";
import { openTestCore, type TestCore } from "../../test/harness/core.js";
import type { Store } from "../storage/ports.js";
import { ADMIN, type Principal, type Watch } from "./index.js";

const message = (subject: string) =>
  Buffer.from(`From: a@example.net\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@x>\r\n\r\nBody.\r\n`);

/** The store as the core sees it, with `onRead` run before and after each journal read (the store stays real). */
function hookJournal(store: Store, onRead: (phase: "before" | "after") => Promise<void>): Store {
  const journal = new Proxy(store.journal, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (key !== "since" || typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        await onRead("before");
        const entries = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        await onRead("after");
        return entries;
      };
    },
  });
  return new Proxy(store, { get: (target, key) => (key === "journal" ? journal : Reflect.get(target, key)) });
}

/** The next `n` values; a missing one fails after a generous bound instead of hanging the run. */
async function take<T>(watch: Watch<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  while (out.length < n) {
    let timer: NodeJS.Timeout | undefined;
    const missing = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`only ${out.length} of ${n} events arrived`)), 10_000);
    });
    const r = await Promise.race([watch.next(), missing]).finally(() => clearTimeout(timer));
    if (r.done) throw new Error(`the watch ended after ${out.length} of ${n} events`);
    out.push(r.value);
  }
  return out;
}

const summary = (e: { kind: string; modseq: number; messageId: string | null; uid: number | null }) => ({
  kind: e.kind,
  modseq: e.modseq,
  messageId: e.messageId,
  uid: e.uid,
});

let t: TestCore | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe("Core: watch a mailbox", () => {
  it("gives every change once, in order, when changes land before, during and after the journal replay", async () => {
    // Each journal read the watch makes is surrounded by committed changes: one before the read (its event
    // arrives while replaying and the read also returns it: the overlap) and one after (the read missed it:
    // only the buffered live event has it). The whole stream must equal the journal, no more, no less.
    let armed = false;
    let n = 0;
    const during = { user: null as Principal | null, inbox: "" };
    t = await openTestCore({
      wrapStore: (store) =>
        hookJournal(store, async () => {
          if (!armed || n >= 6) return;
          n++;
          await t!.core.messages.upload(during.user!, during.inbox, message(`during-${n}`));
        }),
    });
    const { userId, inboxId } = await t.addUser("watcher");
    const user: Principal = { kind: "user", userId };
    const inbox = inboxId;
    Object.assign(during, { user, inbox });
    await t.core.messages.upload(user, inbox, message("before-state"));
    const state = await t.core.changes.state(user);
    const first = await t.core.messages.upload(user, inbox, message("missed-1"));
    await t.core.messages.setFlags(user, [first.id], { op: "add", flags: ["\\Seen"] });

    armed = true;
    const watch = await t.core.watch.mailbox(user, inbox, { sinceState: state });
    armed = false;
    expect(n).toBeGreaterThanOrEqual(2); // at least one change before and one after a journal read

    const journal = (await t.store.journal.since(userId, state, 1000)).filter((e) => e.mailboxId === inbox);
    expect(journal).toHaveLength(2 + n);
    const stream = await take(watch, journal.length);
    expect(stream.map(summary)).toEqual(journal.map(summary));
    expect(stream.find((e) => e.kind === "flags")?.flags).toEqual(["\\Seen"]); // replayed with its flags

    // Nothing else is queued: the next event is the next change.
    const [marker] = await t.core.messages.setFlags(user, [first.id], { op: "add", flags: ["$done"] });
    const [next] = await take(watch, 1);
    expect(next).toMatchObject({ kind: "flags", messageId: first.id, modseq: marker.modseq });
    expect(next.flags).toEqual(expect.arrayContaining(["\\Seen", "$done"]));
    await watch.return();
  });

  it("without a state, gives only what happens after it started, live", async () => {
    t = await openTestCore();
    const { userId, inboxId } = await t.addUser("live");
    const user: Principal = { kind: "user", userId };
    await t.core.messages.upload(user, inboxId, message("old"));
    const watch = await t.core.watch.mailbox(user, inboxId);
    const m = await t.core.messages.upload(user, inboxId, message("new"));
    expect(await take(watch, 1)).toEqual([
      {
        kind: "exists",
        userId,
        mailboxId: inboxId,
        messageId: m.id,
        uid: m.uid,
        modseq: m.modseq,
        flags: [],
      },
    ]);
    await watch.return();
  });

  it("sees a move as an expunge here and an exists there, and a deleted mailbox as its expunges and its end", async () => {
    t = await openTestCore();
    const { userId, inboxId } = await t.addUser("mover");
    const user: Principal = { kind: "user", userId };
    const other = await t.core.mailboxes.create(user, "Other");
    const m = await t.core.messages.upload(user, inboxId, message("moving"));
    const state = await t.core.changes.state(user);
    const here = await t.core.watch.mailbox(user, inboxId, { sinceState: state });
    const there = await t.core.watch.mailbox(user, other.id, { sinceState: state });
    await t.core.messages.move(user, [m.id], other.id);
    expect((await take(here, 1)).map((e) => [e.kind, e.messageId, e.uid])).toEqual([
      ["expunge", m.id, m.uid],
    ]);
    const [arrived] = await take(there, 1);
    expect(arrived).toMatchObject({ kind: "exists", messageId: m.id, uid: 1 });
    await t.core.mailboxes.delete(user, other.id);
    expect((await take(there, 2)).map((e) => e.kind)).toEqual(["expunge", "mailbox-delete"]);
    await here.return();
    await there.return();
  });

  it("ends when its token is logged out, and when the account is disabled", async () => {
    t = await openTestCore();
    const { userId, inboxId } = await t.addUser("leaver");
    const user: Principal = { kind: "user", userId };
    const from = { ip: "192.0.2.1", protocol: "graphql" } as const;
    const { token } = await t.core.auth.login("leaver", "a long secret", from);
    const other = await t.core.auth.login("leaver", "a long secret", from);
    const watch = await t.core.watch.mailbox(user, inboxId, { token });
    const untouched = await t.core.watch.mailbox(user, inboxId, { token: other.token });
    await t.core.auth.logout(token);
    expect(await watch.next()).toEqual({ value: undefined, done: true });
    const account = await t.core.watch.account(user, { token: other.token });
    await t.core.users.update({ kind: "admin" }, userId, { disabled: true });
    expect(await untouched.next()).toEqual({ value: undefined, done: true });
    expect(await account.next()).toEqual({ value: undefined, done: true });
  });

  it("refuses another user's mailbox as not found, and a state the journal no longer reaches", async () => {
    t = await openTestCore();
    const alice = await t.addUser("alice");
    const bob = await t.addUser("bob");
    const asBob: Principal = { kind: "user", userId: bob.userId };
    await expect(t.core.watch.mailbox(asBob, alice.inboxId)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(t.core.watch.mailbox(asBob, alice.inboxId, { sinceState: 0 })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await t.core.messages.upload(asBob, bob.inboxId, message("pruned"));
    await t.core.maintenance.runOnce(ADMIN, new Date(Date.now() + 2 * 86_400_000));
    await expect(t.core.watch.mailbox(asBob, bob.inboxId, { sinceState: 0 })).rejects.toMatchObject({
      code: "CANNOT_CALCULATE_CHANGES",
    });
  });
});

describe("Core: watch the account", () => {
  it("gives the new state and the counters of the mailboxes whose messages changed", async () => {
    t = await openTestCore();
    const { userId, inboxId } = await t.addUser("counter");
    const user: Principal = { kind: "user", userId };
    const watch = await t.core.watch.account(user);
    const m = await t.core.messages.upload(user, inboxId, message("counted"));
    const [event] = await take(watch, 1);
    expect(event).toEqual({
      userId,
      state: m.modseq,
      storageUsed: m.size,
      mailboxes: [{ mailboxId: inboxId, total: 1, unseen: 1, size: m.size }],
    });
    await watch.return();
  });
});

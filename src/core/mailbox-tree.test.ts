// The IMAP side of the mailbox service: RENAME with inferiors and of INBOX, CREATE with a special use,
// subscriptions and STATUS by name, LIST-STATUS counts; on both stores.
import { afterEach, describe, expect, it } from "vitest";
import { openTestCore, testStores, type TestCore } from "../../test/harness/core.js";
import { DomainError, type Principal } from "./index.js";

let t: TestCore | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const message = (n: number) => Buffer.from(`Subject: m${n}\r\n\r\nBody ${n}.\r\n`);

describe.each(testStores())("Core: mailbox tree for IMAP ($kind)", ({ kind, skip }) => {
  async function alice(): Promise<{ p: Principal; userId: string; inboxId: string }> {
    t = await openTestCore({ store: kind });
    const { userId, inboxId } = await t.addUser("alice");
    return { p: { kind: "user", userId }, userId, inboxId };
  }
  const paths = async (p: Principal) => (await t!.core.mailboxes.list(p)).map((b) => b.path).sort();

  it.skipIf(skip)(
    "renames a mailbox with its inferiors, one journaled change each, keeping ids and messages",
    async () => {
      const { p, userId } = await alice();
      const a = await t!.core.mailboxes.create(p, "Work");
      const b = await t!.core.mailboxes.create(p, "Work/Projects");
      const c = await t!.core.mailboxes.create(p, "Work/Projects/Eider");
      const other = await t!.core.mailboxes.create(p, "Workshop");
      await t!.core.uidMailboxes.append(p, c.id, message(1));
      const before = (await t!.store.journal.since(userId, 0, 1000)).length;

      const renamed = await t!.core.mailboxes.renameTree(p, "Work", "Jobs/Old");
      expect(renamed.map((r) => [r.id, r.path])).toEqual([
        [a.id, "Jobs/Old"],
        [b.id, "Jobs/Old/Projects"],
        [c.id, "Jobs/Old/Projects/Eider"],
      ]);
      expect(await paths(p)).toContain("Workshop");
      expect((await t!.core.mailboxes.get(p, other.id)).path).toBe("Workshop");
      const journal = (await t!.store.journal.since(userId, 0, 1000)).slice(before);
      expect(journal.map((e) => [e.kind, e.mailboxId])).toEqual([
        ["mailbox-update", a.id],
        ["mailbox-update", b.id],
        ["mailbox-update", c.id],
      ]);
      expect((await t!.core.uidMailboxes.status(p, c.id)).messages).toBe(1);
    },
  );

  it.skipIf(skip)("renames the inferiors of a level that exists only as a prefix", async () => {
    const { p } = await alice();
    await t!.core.mailboxes.create(p, "Old/2020");
    await t!.core.mailboxes.renameTree(p, "Old", "Archive/Old");
    expect(await paths(p)).toContain("Archive/Old/2020");
    await expect(t!.core.mailboxes.renameTree(p, "Nothing", "Else")).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it.skipIf(skip)(
    "refuses a target that exists (for the mailbox or an inferior) before changing anything",
    async () => {
      const { p } = await alice();
      await t!.core.mailboxes.create(p, "A");
      await t!.core.mailboxes.create(p, "A/x");
      await t!.core.mailboxes.create(p, "B/x");
      await expect(t!.core.mailboxes.renameTree(p, "A", "B")).rejects.toThrow(
        'Mailbox "B/x" already exists.',
      );
      await expect(t!.core.mailboxes.renameTree(p, "A", "Trash")).rejects.toMatchObject({
        code: "ALREADY_EXISTS",
      });
      await expect(t!.core.mailboxes.renameTree(p, "A", "inbox")).rejects.toMatchObject({
        code: "ALREADY_EXISTS",
      });
      await expect(t!.core.mailboxes.renameTree(p, "A", "A/x/y")).rejects.toThrow(/below itself/);
      expect(await paths(p)).toEqual(expect.arrayContaining(["A", "A/x", "B/x"]));
    },
  );

  it.skipIf(skip)(
    "RENAME INBOX moves its messages to a new mailbox and leaves INBOX there, empty, with its inferiors",
    async () => {
      const { p, inboxId } = await alice();
      await t!.core.mailboxes.create(p, "INBOX/Sub");
      for (let i = 0; i < 3; i++) await t!.core.uidMailboxes.append(p, inboxId, message(i));
      const [moved] = await t!.core.mailboxes.renameTree(p, "inbox", "Old Inbox");
      expect(moved.path).toBe("Old Inbox");
      expect((await t!.core.uidMailboxes.status(p, moved.id)).messages).toBe(3);
      expect((await t!.core.uidMailboxes.status(p, inboxId)).messages).toBe(0);
      expect(await paths(p)).toEqual(expect.arrayContaining(["INBOX", "INBOX/Sub", "Old Inbox"]));
      const raw = [];
      for await (const m of t!.core.uidMailboxes.rawMessages(p, moved.id, [{ from: 1, to: 10 }])) raw.push(m);
      expect(raw.map((m) => m.uid)).toEqual([1, 2, 3]);
    },
  );

  it.skipIf(skip)("creates a mailbox with an RFC 6154 special use and refuses others", async () => {
    const { p } = await alice();
    const box = await t!.core.mailboxes.create(p, "Everything", { specialUse: "\\All" });
    expect(box.specialUse).toBe("\\All");
    const err = await t!.core.mailboxes
      .create(p, "X", { specialUse: "\\Important" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).message).toMatch(/Special use "\\Important" is not one of/);
  });

  it.skipIf(skip)("subscribes and deletes by name; a name with no mailbox cannot be subscribed", async () => {
    const { p } = await alice();
    await t!.core.mailboxes.create(p, "Lists");
    expect((await t!.core.mailboxes.setSubscribedByPath(p, "Lists", false)).subscribed).toBe(false);
    await expect(t!.core.mailboxes.setSubscribedByPath(p, "Nope", true)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await t!.core.mailboxes.deleteByPath(p, "Lists");
    expect(await paths(p)).not.toContain("Lists");
  });

  it.skipIf(skip)("lists mailboxes with their counts, and gives STATUS and APPEND by name", async () => {
    const { p } = await alice();
    const appended = await t!.core.uidMailboxes.appendByPath(p, "Drafts", message(1), { flags: ["\\Seen"] });
    await t!.core.uidMailboxes.appendByPath(p, "Drafts", message(2));
    const drafts = (await t!.core.mailboxes.listWithCounts(p)).find((b) => b.path === "Drafts")!;
    expect(drafts.counts).toMatchObject({ total: 2, unseen: 1, size: message(1).length + message(2).length });
    const status = await t!.core.uidMailboxes.statusByPath(p, "Drafts");
    expect(status).toMatchObject({ messages: 2, unseen: 1, uidNext: 3, uidValidity: appended.uidValidity });
    expect(status.deleted).toBeUndefined();
    await t!.core.uidMailboxes.appendByPath(p, "Drafts", message(3), { flags: ["\\Deleted"] });
    expect((await t!.core.uidMailboxes.statusByPath(p, "Drafts", { deleted: true })).deleted).toEqual({
      messages: 1,
      size: message(3).length,
    });
    await expect(t!.core.uidMailboxes.appendByPath(p, "Missing", message(3))).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

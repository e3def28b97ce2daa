import { describe, expect, it } from "vitest";
import type { JournalEntry } from "../storage/ports.js";
import { openTestCore } from "../../test/harness/core.js";
import { settledPrefix } from "./changes.js";
import type { Principal } from "./principal.js";

const NOW = 1_000_000;
const entry = (modseq: number, ageMs: number): JournalEntry => ({
  userId: "u",
  modseq,
  mailboxId: "m",
  kind: "exists",
  messageId: `m${modseq}`,
  uid: modseq,
  at: new Date(NOW - ageMs),
});
const settled = (since: number, ...entries: JournalEntry[]) =>
  settledPrefix(entries, since, NOW, 5000).map((e) => e.modseq);

describe("Core: the settled part of the journal", () => {
  it("takes every entry when there is no gap", () =>
    expect(settled(0, entry(1, 0), entry(2, 0), entry(3, 0))).toEqual([1, 2, 3]));
  it("stops before a young entry that follows a gap (an earlier change may still be written)", () =>
    expect(settled(0, entry(1, 0), entry(3, 100), entry(4, 0))).toEqual([1]));
  it("stops at once when the gap is right after the state", () =>
    expect(settled(5, entry(7, 10))).toEqual([]));
  it("steps over a gap whose next entry is older than the grace period (a crash gap)", () =>
    expect(settled(0, entry(1, 9000), entry(3, 6000), entry(4, 0))).toEqual([1, 3, 4]));
  it("takes nothing from nothing", () => expect(settled(3)).toEqual([]));
});

describe("Core: changes since a state", () => {
  it("reports a mailbox whose messages changed as updated (its counts did), and a new one as created", async () => {
    const t = await openTestCore();
    try {
      const { userId, inboxId } = await t.addUser("syncer");
      const user: Principal = { kind: "user", userId };
      const state = await t.core.changes.state(user);
      const m = await t.core.messages.upload(user, inboxId, Buffer.from("Subject: x\r\n\r\nx\r\n"));
      const box = await t.core.mailboxes.create(user, "Fresh");
      await t.core.messages.copy(user, [m.id], box.id);
      const changes = await t.core.changes.since(user, state);
      expect(changes.mailboxes).toEqual({ created: [box.id], updated: [inboxId], destroyed: [] });
      const flagged = await t.core.changes.state(user);
      await t.core.messages.setFlags(user, [m.id], { op: "add", flags: ["\\Seen"] });
      expect((await t.core.changes.since(user, flagged)).mailboxes).toEqual({
        created: [],
        updated: [inboxId],
        destroyed: [],
      });
    } finally {
      await t.close();
    }
  });
});

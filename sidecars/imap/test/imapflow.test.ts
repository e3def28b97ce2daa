// imapflow (a real IMAP client library) through a whole session against Eider, the user made with `eider user
// add` and mail delivered over LMTP: login, list, select, fetch, search, store, copy, move, append, idle,
// expunge; then a QRESYNC reconnect that learns what changed while it was away (RFC 7162 §3.2.5).
import type { EventEmitter } from "node:events";
import { ImapFlow, type ImapFlowOptions, type MailboxOpenOptions } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { message, PASSWORD, startImapTestServer, type ImapTestServer } from "./server.js";

let s: ImapTestServer;
beforeAll(async () => {
  s = await startImapTestServer(["ivy", "jon"]);
}, 180_000);
afterAll(() => s?.stop());

function client(user: string, extra: Partial<ImapFlowOptions> = {}): ImapFlow {
  return new ImapFlow({
    host: "127.0.0.1",
    port: s.imapPort,
    secure: false,
    doSTARTTLS: false,
    auth: { user, pass: PASSWORD },
    logger: false,
    ...extra,
  });
}

/** Resolves with the first event `name` for which `test` holds. */
function next<T>(c: ImapFlow, name: string, test: (e: T) => boolean = () => true): Promise<T> {
  const events = c as unknown as EventEmitter;
  return new Promise((resolve) => {
    const on = (e: T) => {
      if (!test(e)) return;
      events.off(name, on);
      resolve(e);
    };
    events.on(name, on);
  });
}

describe("imapflow against Eider's IMAP sidecar", () => {
  it("runs a full session: list, select, fetch, search, store, copy, move, append, idle, expunge", async () => {
    const first = message("one", "First message");
    const second = message("two", "Second one");
    await s.deliver("ivy", first);
    await s.deliver("ivy", second);

    const c = client("ivy");
    await c.connect();
    try {
      const boxes = await c.list();
      const byPath = Object.fromEntries(boxes.map((b) => [b.path, b.specialUse ?? null]));
      expect(byPath).toMatchObject({
        INBOX: "\\Inbox",
        Drafts: "\\Drafts",
        "Sent Mail": "\\Sent",
        Trash: "\\Trash",
        Junk: "\\Junk",
        Archive: "\\Archive",
      });

      const box = await c.mailboxOpen("INBOX");
      expect(box.exists).toBe(2);
      expect(box.readOnly).toBe(false);
      expect(Number(box.uidValidity)).toBeGreaterThan(0);

      const fetched = [];
      for await (const m of c.fetch("1:*", {
        uid: true,
        flags: true,
        envelope: true,
        bodyStructure: true,
        source: true,
        size: true,
      }))
        fetched.push(m);
      expect(fetched.map((m) => m.envelope?.subject)).toEqual(["First message", "Second one"]);
      expect(fetched.map((m) => m.envelope?.messageId)).toEqual(["<one@example.net>", "<two@example.net>"]);
      // The stored copy is the delivered bytes under the LMTP trace lines.
      expect(fetched[0].source!.subarray(fetched[0].source!.length - first.length).equals(first)).toBe(true);
      expect(fetched[1].size).toBe(fetched[1].source!.length);
      expect(fetched[0].bodyStructure?.type).toBe("text/plain");
      const [uid1, uid2] = fetched.map((m) => m.uid);
      expect(uid2).toBeGreaterThan(uid1);

      expect(await c.search({ subject: "second" }, { uid: true })).toEqual([uid2]);
      expect(await c.search({ seen: false }, { uid: true })).toEqual([uid1, uid2]);

      expect(await c.messageFlagsAdd(String(uid1), ["\\Flagged", "$Important"], { uid: true })).toBe(true);
      const flagged = await c.fetchOne(String(uid1), { flags: true }, { uid: true });
      expect([...(flagged as { flags: Set<string> }).flags].sort()).toEqual(["$Important", "\\Flagged"]);
      expect(await c.search({ flagged: true }, { uid: true })).toEqual([uid1]);

      const copied = await c.messageCopy(String(uid1), "Archive", { uid: true });
      expect(copied && copied.destination).toBe("Archive");
      expect(copied && copied.uidMap?.size).toBe(1);

      const moved = await c.messageMove(String(uid2), "Trash", { uid: true });
      expect(moved && moved.uidMap?.size).toBe(1);
      expect(c.mailbox && c.mailbox.exists).toBe(1);

      const third = message("three", "Appended");
      const appended = await c.append("INBOX", third, ["\\Seen"]);
      expect(appended && appended.uid).toBeGreaterThan(uid2);
      const got = await c.fetchOne(
        String(appended && appended.uid),
        { source: true, flags: true },
        { uid: true },
      );
      expect((got as { source: Buffer }).source.equals(third)).toBe(true);
      expect([...(got as { flags: Set<string> }).flags]).toEqual(["\\Seen"]);

      // IDLE: a message delivered over LMTP shows up as EXISTS while idling.
      const exists = next<{ count: number }>(c, "exists");
      const idling = c.idle();
      await s.deliver("ivy", message("four", "While idling"));
      expect((await exists).count).toBe(3);
      await c.noop(); // ends the IDLE
      await idling;

      const expunged = next<{ seq: number }>(c, "expunge");
      expect(await c.messageDelete(String(uid1), { uid: true })).toBe(true);
      expect((await expunged).seq).toBe(1);
      expect(c.mailbox && c.mailbox.exists).toBe(2);
      const subjects = [];
      for await (const m of c.fetch("1:*", { envelope: true })) subjects.push(m.envelope?.subject);
      expect(subjects).toEqual(["Appended", "While idling"]);

      const archive = await c.status("Archive", { messages: true });
      expect(archive.messages).toBe(1);
    } finally {
      await c.logout();
    }
  });

  it("resyncs with QRESYNC after changes made while it was disconnected: VANISHED (EARLIER) and the changed flags", async () => {
    for (const id of ["q1", "q2", "q3"]) await s.deliver("jon", message(id, `Resync ${id}`));
    const c = client("jon", { qresync: true });
    await c.connect();
    const box = await c.mailboxOpen("INBOX");
    const uids: number[] = [];
    for await (const m of c.fetch("1:*", { uid: true })) uids.push(m.uid);
    await c.logout();

    // Another client changes the mailbox: a flag on the first, the second expunged, a new one delivered.
    const other = client("jon");
    await other.connect();
    await other.mailboxOpen("INBOX");
    await other.messageFlagsAdd(String(uids[0]), ["\\Answered"], { uid: true });
    await other.messageDelete(String(uids[1]), { uid: true });
    await other.logout();
    await s.deliver("jon", message("q4", "Resync q4"));

    const again = client("jon", { qresync: true });
    const vanished: Array<{ uid: number; earlier: boolean }> = [];
    const flags: Array<{ uid?: number; flags: Set<string> }> = [];
    again.on("expunge", (e) => {
      if (e.vanished) vanished.push({ uid: e.uid!, earlier: e.earlier ?? false });
    });
    again.on("flags", (e) => flags.push(e));
    await again.connect();
    try {
      expect(again.enabled.has("QRESYNC")).toBe(true);
      // imapflow's typings leave out the QRESYNC options its SELECT reads (lib/commands/select.js).
      const qresync = { uidValidity: box.uidValidity, changedSince: box.highestModseq };
      const reopened = await again.mailboxOpen("INBOX", qresync as MailboxOpenOptions);
      expect(reopened.exists).toBe(3);
      expect(reopened.highestModseq! > box.highestModseq!).toBe(true);
      expect(vanished).toEqual([{ uid: uids[1], earlier: true }]);
      const changed = flags.find((f) => f.uid === uids[0]);
      expect(changed && [...changed.flags]).toEqual(["\\Answered"]);
      // The new message is reported too (a FETCH since the modseq), and is there.
      expect(flags.some((f) => f.uid !== undefined && f.uid > uids[2])).toBe(true);
    } finally {
      await again.logout();
    }
  });
});

// The outbound queue end to end on a real store: enqueue, the runner on a hand-moved clock, the smarthost
// transport to a real smtp-server on loopback, retries, bounces with their DSN in the sender's INBOX, cancel.
import { simpleParser } from "mailparser";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ADMIN, type OutboxEntry, type OutboxState, type Releaser } from "../../src/core/index.js";
import { smarthost } from "../../src/outbound/smarthost.js";
import { openTestCore, testStores, type TestCore } from "../harness/core.js";
import { ManualClock } from "../harness/manual-clock.js";
import { SmtpSink } from "../harness/smtp-sink.js";

const MIN = 60_000;
const RAW = Buffer.from(
  "From: Alice <alice@eider.test>\r\nTo: bob@remote.test, carol@remote.test\r\nSubject: Quarterly numbers\r\n" +
    "Message-ID: <q1@eider.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nHello Bob.\r\n.dot line\r\n",
);

describe.each(testStores())(
  "Outbox: queue, runner and smarthost transport ($kind store)",
  ({ kind, skip }) => {
    if (skip) {
      it.skip(`needs the store (${skip})`, () => {});
      return;
    }
    let sink: SmtpSink;
    let t: TestCore;
    let clock: ManualClock;
    let alice: string;
    let seen: OutboxEntry[];
    let released: Array<{ id: string; raw: string }>;

    /** Lease renewals the runner completed (counted around the real store call). */
    let renewals = 0;

    async function open(release?: Releaser, retentionMs?: number) {
      renewals = 0;
      sink = new SmtpSink();
      const port = await sink.listen();
      clock = new ManualClock();
      t = await openTestCore({
        store: kind,
        wrapStore: (store) => {
          const renew = store.outbox.renew.bind(store.outbox);
          store.outbox.renew = async (...args) => {
            const held = await renew(...args);
            renewals++;
            return held;
          };
          return store;
        },
        outbox: {
          transport: smarthost(`smtp://127.0.0.1:${port}?tls.rejectUnauthorized=false`, {
            name: "out.eider.test",
          }),
          hostname: "mx.eider.test",
          clock,
          release,
          retentionMs,
        },
      });
      ({ userId: alice } = await t.addUser("alice", { addresses: ["alice@eider.test"] }));
      seen = [];
      await t.core.outbox.watch(ADMIN, (e) => seen.push(e), alice);
    }

    beforeEach(() => {
      released = [];
    });

    afterEach(async () => {
      await t.core.outbox.stop();
      await t.close();
      await sink.close();
    });

    /** Resolves once the watcher saw the entry reach `state`. */
    async function reached(id: string, state: OutboxState): Promise<OutboxEntry> {
      for (;;) {
        const hit = seen.find((e) => e.id === id && e.state === state);
        if (hit) return hit;
        await new Promise<void>((resolve) => {
          const n = seen.length;
          const check = () => (seen.length > n ? resolve() : setImmediate(check));
          check();
        });
      }
    }

    const enqueue = (over: Partial<Parameters<TestCore["core"]["outbox"]["enqueue"]>[0]> = {}) =>
      t.core.outbox.enqueue({
        userId: alice,
        mailFrom: "alice@eider.test",
        recipients: [{ address: "bob@remote.test" }, { address: "carol@remote.test" }],
        raw: RAW,
        subject: "Quarterly numbers",
        messageIdHeader: "<q1@eider.test>",
        ...over,
      });

    it("sends a queued message over STARTTLS, one transaction for the domain, the bytes as queued", async () => {
      await open();
      t.core.outbox.start();
      const entry = await enqueue();
      expect(entry).toMatchObject({ state: "queued", size: RAW.length, releaseAt: clock.now() });
      const sent = await reached(entry.id, "sent");
      const [got] = await sink.waitForMessages(1);
      expect(got.raw.equals(RAW)).toBe(true);
      expect(got).toMatchObject({
        mailFrom: "alice@eider.test",
        rcptTo: ["bob@remote.test", "carol@remote.test"],
        clientName: "out.eider.test",
        secure: true,
      });
      expect(sent.recipients.map((r) => [r.address, r.state, r.attempts])).toEqual([
        ["bob@remote.test", "sent", 1],
        ["carol@remote.test", "sent", 1],
      ]);
      expect(sent.recipients[0].response).toMatch(/^250 2\.0\.0 Queued as test/);
      expect(sent.nextAttemptAt).toBeNull();
      expect(await t.core.outbox.get(ADMIN, entry.id)).toEqual(sent);
      expect(seen.filter((e) => e.id === entry.id).map((e) => e.state)).toEqual(["queued", "sent"]);
    });

    it("holds an entry until its release time, then releases it through the Releaser and sends what it returns", async () => {
      await open(async (entry, raw) => {
        released.push({ id: entry.id, raw: raw.toString() });
        return {
          raw: Buffer.concat([Buffer.from("DKIM-Signature: v=1; test\r\n"), raw]),
          recipients: [
            { address: "bob@remote.test" },
            { address: "carol@remote.test", state: "sent", response: "stored in INBOX" },
          ],
          sentCopyId: "sent-copy-1",
        };
      });
      t.core.outbox.start();
      const entry = await enqueue({
        releaseAt: new Date(clock.now().getTime() + 20_000),
        draftId: "draft-1",
      });
      expect(entry).toMatchObject({ state: "held", nextAttemptAt: null, draftId: "draft-1" });
      await new Promise((resolve) => setImmediate(resolve)); // the runner looked and set its timer
      expect(released).toEqual([]);
      clock.advance(20_000);
      const sent = await reached(entry.id, "sent");
      expect(released).toEqual([{ id: entry.id, raw: RAW.toString() }]);
      const [got] = await sink.waitForMessages(1);
      expect(got.rcptTo).toEqual(["bob@remote.test"]);
      expect(got.raw.toString()).toBe(`DKIM-Signature: v=1; test\r\n${RAW}`);
      expect(sent).toMatchObject({ sentCopyId: "sent-copy-1", size: got.raw.length });
      expect(sent.recipients.map((r) => [r.address, r.state, r.response])).toEqual([
        ["bob@remote.test", "sent", expect.stringMatching(/^250 /)],
        ["carol@remote.test", "sent", "stored in INBOX"],
      ]);
      expect(seen.filter((e) => e.id === entry.id).map((e) => e.state)).toEqual(["held", "queued", "sent"]);
    });

    it("defers a recipient answered 451, tries it again after 5 minutes, and sends it when the server takes it", async () => {
      await open();
      let refusals = 1;
      sink.rcptAnswer = (address) =>
        address === "bob@remote.test" && refusals-- > 0
          ? { code: 451, message: "4.7.1 Greylisted, try later" }
          : null;
      t.core.outbox.start();
      const entry = await enqueue();
      const deferred = await reached(entry.id, "deferred");
      expect(deferred.nextAttemptAt).toEqual(new Date(clock.now().getTime() + 5 * MIN));
      expect(deferred.lastResponse).toBe("451 4.7.1 Greylisted, try later");
      expect(deferred.recipients.map((r) => [r.state, r.attempts])).toEqual([
        ["deferred", 1],
        ["sent", 1],
      ]);
      expect((await sink.waitForMessages(1))[0].rcptTo).toEqual(["carol@remote.test"]);
      clock.advance(5 * MIN - 1);
      expect(sink.received).toHaveLength(1);
      clock.advance(1);
      const sent = await reached(entry.id, "sent");
      expect(sent.recipients.map((r) => [r.state, r.attempts])).toEqual([
        ["sent", 2],
        ["sent", 1],
      ]);
      const second = (await sink.waitForMessages(2))[1];
      expect(second.rcptTo).toEqual(["bob@remote.test"]);
      expect(second.raw.equals(RAW)).toBe(true);
    });

    it("bounces a recipient answered 550 and puts an RFC 3464 report in the sender's INBOX, threaded with the original", async () => {
      await open();
      sink.rcptAnswer = (address) =>
        address === "bob@remote.test" ? { code: 550, message: "5.1.1 No such user here" } : null;
      t.core.outbox.start();
      const entry = await enqueue();
      const done = await reached(entry.id, "sent"); // carol got it, so the entry is sent, bob bounced
      expect(done.recipients.map((r) => [r.address, r.state])).toEqual([
        ["bob@remote.test", "bounced"],
        ["carol@remote.test", "sent"],
      ]);
      const dsn = await waitForInbox(1);
      const parsed = await simpleParser(dsn, { keepDeliveryStatus: true });
      expect(parsed.inReplyTo).toBe("<q1@eider.test>");
      expect(parsed.references).toBe("<q1@eider.test>");
      expect(parsed.subject).toBe("Undelivered Mail Returned to Sender");
      expect(parsed.from?.value[0].address).toBe("MAILER-DAEMON@mx.eider.test");
      expect(parsed.headers.get("content-type")).toMatchObject({
        value: "multipart/report",
        params: { "report-type": "delivery-status" },
      });
      expect(parsed.text).toContain("<bob@remote.test>: 550 5.1.1 No such user here");
      const status = parsed.attachments.find((a) => a.contentType === "message/delivery-status")!;
      const fields = status.content.toString();
      expect(fields).toMatch(/^Reporting-MTA: dns; mx\.eider\.test\r\n/);
      expect(fields).toContain(
        "Final-Recipient: rfc822; bob@remote.test\r\nAction: failed\r\nStatus: 5.1.1\r\n" +
          "Diagnostic-Code: smtp; 550 5.1.1 No such user here\r\n",
      );
      expect(fields).not.toContain("carol@remote.test");
      const headers = parsed.attachments.find((a) => a.contentType === "text/rfc822-headers")!;
      expect(headers.content.toString()).toBe(RAW.toString().split("\r\n\r\n")[0] + "\r\n");
      // Delivered with the null reverse-path: the delivery log says so.
      // The log entry is written in the background after the copy is stored.
      let log = await t.store.deliveries.list({ userId: alice, limit: 5 });
      while (log.length === 0) {
        await new Promise((resolve) => setImmediate(resolve));
        log = await t.store.deliveries.list({ userId: alice, limit: 5 });
      }
      expect(log[0]).toMatchObject({
        mailFrom: "",
        outcome: "stored",
        subject: "Undelivered Mail Returned to Sender",
      });
    });

    it("bounces every recipient still refused for now when the maximum age passes, with status 4.x and a DSN", async () => {
      await open();
      sink.rcptAnswer = () => ({ code: 450, message: "4.2.0 Mailbox busy" });
      t.core.outbox.start();
      const entry = await enqueue({ recipients: [{ address: "bob@remote.test" }] });
      await reached(entry.id, "deferred");
      // 5 days: 5, 10, 20 min, 1, 2, 4 h, then every 4 hours, the last attempt on the deadline.
      let attempts = 1;
      for (;;) {
        const next = (await t.core.outbox.get(ADMIN, entry.id)).nextAttemptAt;
        if (!next) break;
        const before = seen.length;
        clock.advance(next.getTime() - clock.now().getTime());
        while (seen.length === before) await new Promise((resolve) => setImmediate(resolve));
        attempts++;
      }
      const bounced = await reached(entry.id, "bounced");
      expect(bounced.recipients[0]).toMatchObject({
        state: "bounced",
        attempts,
        response: "450 4.2.0 Mailbox busy",
      });
      expect(clock.now().getTime() - entry.releaseAt.getTime()).toBe(5 * 24 * 60 * MIN);
      expect(attempts).toBe(6 + Math.ceil((5 * 24 * 60 - (5 + 10 + 20 + 60 + 120 + 240)) / 240) + 1);
      const parsed = await simpleParser(await waitForInbox(1), { keepDeliveryStatus: true });
      const fields = parsed.attachments
        .find((a) => a.contentType === "message/delivery-status")!
        .content.toString();
      expect(fields).toContain(
        "Action: failed\r\nStatus: 4.2.0\r\nDiagnostic-Code: smtp; 450 4.2.0 Mailbox busy",
      );
      expect(parsed.text).toContain("in the time allowed");
    });

    it("sends no report for a message with the null reverse-path", async () => {
      await open();
      sink.rcptAnswer = () => ({ code: 550, message: "5.1.1 No such user" });
      t.core.outbox.start();
      const entry = await enqueue({ mailFrom: "", recipients: [{ address: "bob@remote.test" }] });
      await reached(entry.id, "bounced");
      expect(await t.store.messages.list(alice, (await inbox()).id, { limit: 5 })).toEqual([]);
    });

    it("cancels a held entry (giving back its unsigned bytes), a queued one and a deferred one; not a sent one", async () => {
      await open(async (entry, raw) => ({
        raw,
        recipients: entry.recipients.map((r) => ({ address: r.address })),
        sentCopyId: null,
      }));
      const held = await enqueue({ releaseAt: new Date(clock.now().getTime() + 30_000) });
      const queued = await enqueue();
      const cancelledHeld = await t.core.outbox.cancel({ kind: "user", userId: alice }, held.id);
      expect(cancelledHeld.heldRaw?.equals(RAW)).toBe(true);
      expect(cancelledHeld.entry).toMatchObject({ state: "cancelled", nextAttemptAt: null });
      expect(cancelledHeld.entry.recipients.map((r) => r.state)).toEqual(["cancelled", "cancelled"]);
      const cancelledQueued = await t.core.outbox.cancel(ADMIN, queued.id);
      expect(cancelledQueued).toMatchObject({ heldRaw: null, entry: { state: "cancelled" } });
      await expect(t.core.outbox.cancel(ADMIN, queued.id)).rejects.toMatchObject({
        code: "INVALID_INPUT",
        message: `Queue entry "${queued.id}" is already cancelled, so it can no longer be cancelled.`,
      });

      sink.rcptAnswer = (address) =>
        address === "bob@remote.test" ? { code: 451, message: "4.3.0 Later" } : null;
      t.core.outbox.start();
      const deferred = await enqueue();
      await reached(deferred.id, "deferred");
      const c = await t.core.outbox.cancel(ADMIN, deferred.id);
      expect(c.entry.recipients.map((r) => [r.address, r.state])).toEqual([
        ["bob@remote.test", "cancelled"],
        ["carol@remote.test", "sent"],
      ]);
      clock.advance(60 * MIN);
      expect(sink.received.map((m) => m.rcptTo)).toEqual([["carol@remote.test"]]);

      sink.rcptAnswer = () => null;
      const sent = await enqueue();
      await reached(sent.id, "sent");
      await expect(t.core.outbox.cancel(ADMIN, sent.id)).rejects.toMatchObject({
        code: "INVALID_INPUT",
        message: `Queue entry "${sent.id}" is already sent, so it can no longer be cancelled.`,
      });
      expect(seen.filter((e) => e.state === "cancelled").map((e) => e.id)).toEqual([
        held.id,
        queued.id,
        deferred.id,
      ]);
    });

    it("removes finished entries and their bytes once their retention has passed, keeping newer ones", async () => {
      await open(undefined, 86_400_000);
      t.core.outbox.start();
      const old = await enqueue();
      await reached(old.id, "sent");
      clock.advance(86_400_000 + 3600_000);
      const fresh = await enqueue(); // wakes the runner, which prunes at most once an hour
      await reached(fresh.id, "sent");
      while (await t.store.outbox.get(old.id)) await new Promise((resolve) => setImmediate(resolve));
      expect(await t.store.outbox.readRaw(old.id)).toBeNull();
      await expect(t.core.outbox.get(ADMIN, old.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
      expect((await t.core.outbox.get(ADMIN, fresh.id)).state).toBe("sent");
    });

    /** A running queue whose first message is mid-send: the server has the data and holds its reply. */
    async function sendingWithReplyHeld() {
      await open();
      let answer!: () => void;
      sink.beforeReply = () => new Promise<void>((resolve) => (answer = resolve));
      t.core.outbox.start();
      const entry = await enqueue();
      await sink.waitForData(1);
      return { entry, answer: () => answer() };
    }

    it("keeps renewing its lease while a slow server holds the reply, so no other runner takes the entry", async () => {
      const { entry, answer } = await sendingWithReplyHeld();
      const lease = 15 * MIN; // the default
      const leaseEnd = async () => (await t.store.outbox.get(entry.id))!.leaseUntil!.getTime();
      for (let i = 0; i < 6; i++) {
        // Two whole leases, a third at a time; each renewal moves the end a whole lease past the clock.
        const done = renewals;
        clock.advance(lease / 3);
        while (renewals === done) await new Promise((resolve) => setImmediate(resolve));
        await new Promise((resolve) => setImmediate(resolve)); // the runner sets its next renewal
        expect(await leaseEnd()).toBe(clock.now().getTime() + lease);
      }
      const now = clock.now();
      const rival = { owner: "rival", now, until: new Date(now.getTime() + lease), dueBy: now };
      expect(await t.store.outbox.claim(entry.id, rival)).toBeNull();
      answer();
      await reached(entry.id, "sent");
      expect(sink.dataSeen).toBe(1);
      expect(await t.store.outbox.get(entry.id)).toMatchObject({ claim: 1, leaseUntil: null });
    });

    it("stops claiming on stop(), which resolves only once the attempt under way has ended", async () => {
      const { entry, answer } = await sendingWithReplyHeld();
      let stopped = false;
      const stopping = t.core.outbox.stop().then(() => (stopped = true));
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(stopped).toBe(false);
      answer();
      await stopping;
      expect((await t.core.outbox.get(ADMIN, entry.id)).state).toBe("sent");
      const later = await enqueue();
      clock.advance(60 * MIN);
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      expect((await t.core.outbox.get(ADMIN, later.id)).state).toBe("queued");
      expect(sink.dataSeen).toBe(1);
    });

    it("refuses to cancel an entry another runner is sending right now", async () => {
      await open();
      const entry = await enqueue();
      const now = clock.now();
      const lease = await t.store.outbox.claim(entry.id, {
        owner: "elsewhere",
        now,
        until: new Date(now.getTime() + 15 * MIN),
        dueBy: now,
      });
      expect(lease).not.toBeNull();
      await expect(t.core.outbox.cancel(ADMIN, entry.id)).rejects.toMatchObject({
        code: "INVALID_INPUT",
        message: `Queue entry "${entry.id}" is being sent right now, so it can no longer be cancelled.`,
      });
    });

    it("shows a user its own entries only, newest first, by state and in pages; the admin names the user", async () => {
      await open();
      const { userId: mallory } = await t.addUser("mallory", { addresses: ["mallory@eider.test"] });
      const a = await enqueue();
      const b = await enqueue({ releaseAt: new Date(clock.now().getTime() + 60_000) });
      const me = { kind: "user" as const, userId: alice };
      const them = { kind: "user" as const, userId: mallory };
      expect((await t.core.outbox.list(me, { first: 10 })).map((e) => e.id)).toEqual([b.id, a.id]);
      expect((await t.core.outbox.list(me, { first: 1, after: b.id })).map((e) => e.id)).toEqual([a.id]);
      expect((await t.core.outbox.list(me, { first: 10, states: ["held"] })).map((e) => e.id)).toEqual([
        b.id,
      ]);
      expect((await t.core.outbox.list(ADMIN, { first: 10 }, alice)).map((e) => e.id)).toEqual([b.id, a.id]);
      expect(await t.core.outbox.list(them, { first: 10 })).toEqual([]);
      await expect(t.core.outbox.list(them, { first: 10 }, alice)).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
      await expect(t.core.outbox.get(them, a.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(t.core.outbox.cancel(them, a.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(t.core.outbox.list(me, { first: 0 })).rejects.toMatchObject({ code: "INVALID_INPUT" });
      await expect(t.core.outbox.watch(them, () => {}, alice)).rejects.toMatchObject({ code: "FORBIDDEN" });
      expect((await t.core.outbox.get(me, a.id)).id).toBe(a.id);
    });

    async function inbox() {
      return (await t.store.mailboxes.getByPath(alice, "INBOX"))!;
    }

    /** The INBOX's messages' bytes once there are `count` of them (delivery is awaited by the runner). */
    async function waitForInbox(count: number): Promise<Buffer> {
      const box = await inbox();
      for (;;) {
        const list = await t.store.messages.list(alice, box.id, { limit: 10 });
        if (list.length >= count) {
          const content = await t.store.messages.getContent(alice, list[0].id);
          const parts = content!.segments.map((s) => (s.kind === "inline" ? s.data : Buffer.alloc(0)));
          return Buffer.concat(parts);
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  },
);

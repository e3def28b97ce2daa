import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestCore, testStores, type TestCore } from "../../test/harness/core.js";
import { DELIVERY, type Principal } from "./index.js";
import type { FetchedMessage } from "./uid-mailbox.js";

const crlf = (lines: string[]) => Buffer.from(lines.join("\r\n"));
const plain = (subject: string) =>
  crlf([
    `From: Alice <alice@example.net>`,
    `Subject: ${subject}`,
    `Message-ID: <${subject}@example.net>`,
    "",
    `Body of ${subject}.`,
    "",
  ]);
const ATTACHMENT = randomBytes(6000).toString("base64").replace(/.{76}/g, "$&\r\n");
const withAttachment = crlf([
  "From: Carol <carol@example.net>",
  "To: bob@example.org",
  "Subject: report",
  "Content-Type: multipart/mixed; boundary=b1",
  "",
  "--b1",
  "Content-Type: text/plain; charset=utf-8",
  "",
  "See the attachment.",
  "--b1",
  "Content-Type: application/pdf; name=r.pdf",
  "Content-Transfer-Encoding: base64",
  "",
  ATTACHMENT,
  "--b1--",
  "",
]);

async function bytes(section: { stream: Readable } | null): Promise<Buffer> {
  if (!section) throw new Error("no section");
  const chunks: Buffer[] = [];
  for await (const c of section.stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function all(gen: AsyncGenerator<FetchedMessage[]>): Promise<FetchedMessage[][]> {
  const out: FetchedMessage[][] = [];
  for await (const batch of gen) out.push(batch);
  return out;
}

describe.each(testStores())("Core: the mailbox-and-UID service on the $kind store", ({ kind, skip }) => {
  if (skip) {
    it.skip(`needs a MongoDB-protocol server (${skip})`, () => {});
    return;
  }
  let t: TestCore;
  let bob: Principal;
  let inbox: string;
  let archive: string;
  const uids: number[] = [];
  const raws: Buffer[] = [];
  let reads = { content: 0, blobs: 0 };

  beforeAll(async () => {
    t = await openTestCore({ store: kind });
    const u = await t.addUser("bob", { addresses: ["bob@example.org"] });
    bob = { kind: "user", userId: u.userId };
    inbox = u.inboxId;
    archive = (await t.store.mailboxes.getByPath(u.userId, "Archive"))!.id;
    for (const raw of [plain("m1"), plain("m2"), withAttachment, plain("m4"), plain("m5")]) {
      const r = await t.core.uidMailboxes.append(bob, inbox, raw);
      uids.push(r.uid);
      raws.push(raw);
    }
    // Count what reaches the real store's content and blob reads.
    const getContent = t.store.messages.getContent.bind(t.store.messages);
    t.store.messages.getContent = (...a) => (reads.content++, getContent(...a));
    const read = t.store.blobs.read.bind(t.store.blobs);
    t.store.blobs.read = (...a) => (reads.blobs++, read(...a));
    const open = t.store.blobs.open.bind(t.store.blobs);
    t.store.blobs.open = (...a) => (reads.blobs++, open(...a));
  });
  afterAll(async () => t?.close());
  const resetReads = () => (reads = { content: 0, blobs: 0 });

  it("opens a mailbox: UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ and the UID list with sizes and flags", async () => {
    const box = await t.core.uidMailboxes.open(bob, inbox);
    const stored = (await t.store.mailboxes.get(bob.kind === "user" ? bob.userId : "", inbox))!;
    expect(box).toMatchObject({ path: "INBOX", specialUse: "\\Inbox", uidValidity: stored.uidValidity });
    expect(box.uidNext).toBe(uids[4] + 1);
    expect(box.highestModseq).toBe(stored.highestModseq);
    expect(box.messages.map((m) => [m.uid, m.size, m.flags])).toEqual(
      uids.map((uid, i) => [uid, raws[i].length, []]),
    );
    expect((await t.core.uidMailboxes.openByPath(bob, "inbox")).mailboxId).toBe(inbox);
  });

  it("opens a mailbox for SELECT: the UIDs packed, the first unseen as a sequence number, the keywords", async () => {
    const box = await t.core.uidMailboxes.openUids(bob, inbox);
    expect(box.uids).toBeInstanceOf(Uint32Array);
    expect([...box.uids]).toEqual(uids);
    expect(box).toMatchObject({ path: "INBOX", uidNext: uids[4] + 1, firstUnseen: 1, keywords: [] });
  });

  it("answers STATUS from the stored counters: messages, unseen, size, UIDNEXT, UIDVALIDITY, HIGHESTMODSEQ", async () => {
    const box = await t.core.uidMailboxes.open(bob, inbox);
    expect(await t.core.uidMailboxes.status(bob, inbox)).toEqual({
      mailboxId: inbox,
      path: "INBOX",
      messages: 5,
      unseen: 5,
      size: raws.reduce((sum, r) => sum + r.length, 0),
      uidNext: box.uidNext,
      uidValidity: box.uidValidity,
      highestModseq: box.highestModseq,
    });
    const eve = await t.addUser(`eve-status-${kind}`);
    await expect(
      t.core.uidMailboxes.status({ kind: "user", userId: eve.userId }, inbox),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("answers APPEND with APPENDUID: the mailbox's UIDVALIDITY and the new UID", async () => {
    const before = await t.core.uidMailboxes.open(bob, archive);
    const r = await t.core.uidMailboxes.append(bob, archive, plain("appended"), { flags: ["\\Seen"] });
    expect(r).toMatchObject({ uidValidity: before.uidValidity, uid: before.uidNext });
    expect((await t.core.uidMailboxes.open(bob, archive)).messages.map((m) => [m.uid, m.flags])).toEqual([
      [r.uid, ["\\Seen"]],
    ]);
  });

  it("fetches a UID set in batches, in UID order, with ENVELOPE and BODYSTRUCTURE from stored data and no body read", async () => {
    resetReads();
    const batches = await all(
      t.core.uidMailboxes.fetch(bob, inbox, [uids[4], { from: uids[0], to: uids[2] }, 99999], {
        envelope: true,
        bodyStructure: true,
        batchSize: 2,
      }),
    );
    expect(batches.map((b) => b.map((m) => m.uid))).toEqual([
      [uids[0], uids[1]],
      [uids[2], uids[4]],
    ]);
    const report = batches[1][0];
    expect(report.envelope).toMatchObject({
      subject: "report",
      from: [{ mailbox: "carol", host: "example.net" }],
    });
    expect(report.bodyStructure).toMatchObject({ multipart: true, subtype: "mixed" });
    expect(report.size).toBe(withAttachment.length);
    expect(reads).toEqual({ content: 0, blobs: 0 });
    const bare = await all(t.core.uidMailboxes.fetch(bob, inbox, [uids[0]]));
    expect(bare[0][0].envelope).toBeUndefined();
  });

  it("reads the stored ENVELOPE only for the messages metaFor asks for, and no metadata when it asks for none", async () => {
    const listByUid = t.store.messages.listByUid.bind(t.store.messages);
    const metaReads: number[] = [];
    t.store.messages.listByUid = (userId, mailboxId, range, options) => {
      if (options.meta) metaReads.push(range.from);
      return listByUid(userId, mailboxId, range, options);
    };
    try {
      const known = new Set<string>();
      const fetchKnown = async () =>
        (
          await all(
            t.core.uidMailboxes.fetch(bob, inbox, [{ from: uids[0], to: uids[4] }], {
              envelope: true,
              metaFor: (id) => !known.has(id),
            }),
          )
        ).flat();
      const first = await fetchKnown();
      expect(first.map((m) => m.envelope?.subject)).toEqual(["m1", "m2", "report", "m4", "m5"]);
      for (const m of first.slice(0, 3)) known.add(m.id);
      metaReads.length = 0;
      const second = await fetchKnown();
      expect(second.map((m) => [m.uid, m.envelope?.subject])).toEqual([
        [uids[0], undefined],
        [uids[1], undefined],
        [uids[2], undefined],
        [uids[3], "m4"],
        [uids[4], "m5"],
      ]);
      // One metadata read, from the first message asked for.
      expect(metaReads).toEqual([uids[3]]);
      for (const m of second) known.add(m.id);
      metaReads.length = 0;
      const third = await fetchKnown();
      expect(third.map((m) => [m.uid, m.flags, m.size])).toEqual(second.map((m) => [m.uid, m.flags, m.size]));
      expect(third.every((m) => m.envelope === undefined)).toBe(true);
      expect(metaReads).toEqual([]);
    } finally {
      t.store.messages.listByUid = listByUid;
    }
  });

  it("fetches only messages changed since a modseq (CHANGEDSINCE)", async () => {
    const box = await t.core.uidMailboxes.open(bob, inbox);
    await t.core.uidMailboxes.storeFlags(bob, inbox, [uids[3]], { op: "add", flags: ["$Label"] });
    const changed = await all(
      t.core.uidMailboxes.fetch(bob, inbox, [{ from: 1, to: 2 ** 32 - 1 }], {
        changedSince: box.highestModseq,
      }),
    );
    expect(changed.flat().map((m) => [m.uid, m.flags])).toEqual([[uids[3], ["$Label"]]]);
  });

  it("returns BODY[section]<partial> exactly, reading a blob only when the section reaches into it", async () => {
    const ub = t.core.uidMailboxes;
    expect(await bytes(await ub.body(bob, inbox, uids[0], { part: [] }))).toEqual(raws[0]);
    resetReads();
    const text = await ub.body(bob, inbox, uids[2], { part: [1] });
    expect(text!.size).toBe(19);
    expect((await bytes(text)).toString()).toBe("See the attachment.");
    expect(reads.blobs).toBe(0);
    const header = (await bytes(await ub.body(bob, inbox, uids[2], { part: [], text: "HEADER" }))).toString();
    expect(header).toBe(withAttachment.toString().slice(0, withAttachment.indexOf("\r\n\r\n") + 4));
    expect(reads.blobs).toBe(0);
    const pdf = await bytes(await ub.body(bob, inbox, uids[2], { part: [2] }));
    expect(pdf.toString()).toBe(ATTACHMENT);
    expect(reads.blobs).toBe(1);
    const partial = await ub.body(bob, inbox, uids[2], { part: [2], partial: { offset: 10, length: 20 } });
    expect(partial!.size).toBe(20);
    expect((await bytes(partial)).toString()).toBe(ATTACHMENT.slice(10, 30));
    const mime = (await bytes(await ub.body(bob, inbox, uids[2], { part: [2], text: "MIME" }))).toString();
    expect(mime).toBe(
      "Content-Type: application/pdf; name=r.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n",
    );
    const fields = await ub.body(bob, inbox, uids[2], {
      part: [],
      text: "HEADER.FIELDS",
      fields: ["subject", "TO"],
    });
    expect((await bytes(fields)).toString()).toBe("To: bob@example.org\r\nSubject: report\r\n\r\n");
    const not = await ub.body(bob, inbox, uids[0], {
      part: [],
      text: "HEADER.FIELDS.NOT",
      fields: ["message-id", "from"],
    });
    expect((await bytes(not)).toString()).toBe("Subject: m1\r\n\r\n");
    expect(
      await ub.body(bob, inbox, uids[0], { part: [], partial: { offset: 1e6, length: 5 } }),
    ).toMatchObject({ size: 0 });
    expect((await ub.body(bob, inbox, uids[0], { part: [7] }))!.size).toBe(0);
    expect(await ub.body(bob, inbox, 99999, { part: [] })).toBeNull();
  });

  it("streams whole messages of a UID set in UID order (the bulk BODY[] path), blobs included", async () => {
    const got: Array<[number, Buffer]> = [];
    for await (const m of t.core.uidMailboxes.rawMessages(bob, inbox, [
      uids[2],
      { from: uids[0], to: uids[1] },
    ])) {
      const chunks: Buffer[] = [];
      for await (const c of m.chunks()) chunks.push(c);
      got.push([m.uid, Buffer.concat(chunks)]);
    }
    expect(got).toEqual([
      [uids[0], raws[0]],
      [uids[1], raws[1]],
      [uids[2], raws[2]],
    ]);
    const eve = await t.addUser(`eve-raw-${kind}`);
    const asEve: Principal = { kind: "user", userId: eve.userId };
    await expect(t.core.uidMailboxes.rawMessages(asEve, inbox, [uids[0]]).next()).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("stores flags with UNCHANGEDSINCE: messages changed since fail (MODIFIED), the rest change and are announced", async () => {
    const box = await t.core.uidMailboxes.open(bob, inbox);
    await t.core.uidMailboxes.storeFlags(bob, inbox, [uids[1]], { op: "add", flags: ["\\Answered"] });
    const seen: unknown[] = [];
    const off = await t.bus.subscribe(`mailbox:${inbox}`, (m) => seen.push(m));
    const r = await t.core.uidMailboxes.storeFlags(
      bob,
      inbox,
      [{ from: uids[0], to: uids[2] }],
      { op: "add", flags: ["\\Flagged"] },
      { unchangedSince: box.highestModseq },
    );
    await off();
    expect(r.modified).toEqual([uids[1]]);
    expect(r.updated.map((u) => [u.uid, u.flags])).toEqual([
      [uids[0], ["\\Flagged"]],
      [uids[2], ["\\Flagged"]],
    ]);
    expect(r.updated.every((u) => u.modseq > box.highestModseq)).toBe(true);
    expect(seen).toContainEqual(
      expect.objectContaining({ kind: "flags", uid: uids[0], flags: ["\\Flagged"] }),
    );
    const now = await t.core.uidMailboxes.open(bob, inbox);
    expect(now.messages.find((m) => m.uid === uids[1])!.flags).toEqual(["\\Answered"]);
  });

  it("copies with COPYUID pairs into the target, byte-exact, leaving the source as it was", async () => {
    const target = await t.core.uidMailboxes.open(bob, archive);
    const r = await t.core.uidMailboxes.copy(bob, inbox, [uids[2], uids[0], 99999], archive);
    expect(r.uidValidity).toBe(target.uidValidity);
    expect(r.pairs).toEqual([
      { from: uids[0], to: target.uidNext },
      { from: uids[2], to: target.uidNext + 1 },
    ]);
    expect(
      await bytes(await t.core.uidMailboxes.body(bob, archive, target.uidNext + 1, { part: [] })),
    ).toEqual(raws[2]);
    expect((await t.core.uidMailboxes.open(bob, inbox)).messages).toHaveLength(5);
  });

  it("moves with source -> new UID pairs; the messages leave the source", async () => {
    const trash = await t.core.uidMailboxes.openByPath(bob, "Trash");
    const r = await t.core.uidMailboxes.move(bob, inbox, [uids[3], uids[4]], trash.mailboxId);
    expect(r).toEqual({
      uidValidity: trash.uidValidity,
      pairs: [
        { from: uids[3], to: trash.uidNext },
        { from: uids[4], to: trash.uidNext + 1 },
      ],
    });
    expect((await t.core.uidMailboxes.open(bob, inbox)).messages.map((m) => m.uid)).toEqual(uids.slice(0, 3));
    expect(
      await bytes(await t.core.uidMailboxes.body(bob, trash.mailboxId, trash.uidNext + 1, { part: [] })),
    ).toEqual(raws[4]);
  });

  it("expunges by UID set only what is flagged \\Deleted, or what it names when told", async () => {
    await t.core.uidMailboxes.storeFlags(bob, inbox, [uids[1]], { op: "add", flags: ["\\Deleted"] });
    expect(await t.core.uidMailboxes.expunge(bob, inbox, [{ from: uids[0], to: uids[2] }])).toEqual([
      uids[1],
    ]);
    expect((await t.core.uidMailboxes.open(bob, inbox)).messages.map((m) => m.uid)).toEqual([
      uids[0],
      uids[2],
    ]);
    expect(await t.core.uidMailboxes.expunge(bob, inbox, [uids[0]], { deletedOnly: false })).toEqual([
      uids[0],
    ]);
    expect((await t.core.uidMailboxes.open(bob, inbox)).messages.map((m) => m.uid)).toEqual([uids[2]]);
  });

  it("names the UIDs expunged or moved out since a modseq, and says when the journal no longer reaches back", async () => {
    const ub = t.core.uidMailboxes;
    const gone = [uids[0], uids[1], uids[3], uids[4]].sort((a, b) => a - b);
    expect(await ub.vanishedSince(bob, inbox, 0)).toEqual(gone);
    const now = (await ub.status(bob, inbox)).highestModseq;
    expect(await ub.vanishedSince(bob, inbox, now)).toEqual([]);
    await t.store.journal.prune(new Date(Date.now() + 60_000));
    expect(await ub.vanishedSince(bob, inbox, 0)).toBeNull();
    expect(await ub.vanishedSince(bob, inbox, now)).toEqual([]);
  });

  it("refuses other users' mailboxes on every call, and the delivery principal altogether", async () => {
    const eve = await t.addUser("eve");
    const asEve: Principal = { kind: "user", userId: eve.userId };
    const ub = t.core.uidMailboxes;
    const notFound = { code: "NOT_FOUND" };
    await expect(ub.open(asEve, inbox)).rejects.toMatchObject(notFound);
    await expect(all(ub.fetch(asEve, inbox, [uids[2]]))).rejects.toMatchObject(notFound);
    await expect(ub.body(asEve, inbox, uids[2], { part: [] })).rejects.toMatchObject(notFound);
    await expect(ub.storeFlags(asEve, inbox, [uids[2]], { op: "set", flags: [] })).rejects.toMatchObject(
      notFound,
    );
    await expect(ub.copy(asEve, inbox, [uids[2]], eve.inboxId)).rejects.toMatchObject(notFound);
    await expect(ub.copy(asEve, eve.inboxId, [1], inbox)).rejects.toMatchObject(notFound);
    await expect(ub.move(asEve, inbox, [uids[2]], eve.inboxId)).rejects.toMatchObject(notFound);
    await expect(ub.expunge(asEve, inbox, [uids[2]], { deletedOnly: false })).rejects.toMatchObject(notFound);
    await expect(ub.append(asEve, inbox, plain("x"))).rejects.toMatchObject(notFound);
    await expect(ub.vanishedSince(asEve, inbox, 0)).rejects.toMatchObject(notFound);
    await expect(ub.open(DELIVERY, inbox)).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await ub.open(bob, inbox)).messages.map((m) => m.uid)).toEqual([uids[2]]);
  });

  it("refuses UID 0 and a bad partial as invalid input", async () => {
    await expect(all(t.core.uidMailboxes.fetch(bob, inbox, [0]))).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
    await expect(
      t.core.uidMailboxes.body(bob, inbox, uids[2], { part: [], partial: { offset: -1, length: 1 } }),
    ).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });
});

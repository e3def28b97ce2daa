// Invariants 3 and 4: blob reference counts equal the references held; quota usage equals the sum of
// message sizes; per mailbox UIDs strictly increase and are never reused; modseqs strictly increase.
import Database from "better-sqlite3";
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/storage/ports.js";
import {
  createUser,
  errorCode,
  gqlOk,
  startTestEider,
  upload,
  type TestEider,
  type TestUser,
} from "../harness/eider.js";
import { messageWithAttachment } from "../api/fixtures.js";

describe("Invariants 3 and 4 through the API (embedded store)", () => {
  let server: TestEider;
  let store: Store;
  let url: string;
  let ann: TestUser;
  let ben: TestUser;
  const everyone: TestUser[] = [];
  const dataDir = path.join(process.env.TMPDIR ?? "/tmp", `eider-inv34-${process.pid}-${Date.now()}`);
  const shared = randomBytes(50_000);

  beforeAll(async () => {
    server = await startTestEider({ dataDir });
    store = server.eider.adapters.store;
    url = server.url;
    ann = await createUser(url, "ann", [], 10_000_000);
    ben = await createUser(url, "ben");
    everyone.push(ann, ben);
  });
  afterAll(async () => server?.stop());

  /** Every blob referenced by any message of these users, with how many references are held. */
  async function heldRefs(users: TestUser[]): Promise<Map<string, number>> {
    const held = new Map<string, number>();
    for (const u of users) {
      const p = { kind: "user" as const, userId: u.id };
      const page = await server.eider.core.messages.search(p, {}, 500);
      for (const m of page.messages) {
        const content = await store.messages.getContent(u.id, m.id);
        for (const s of content!.segments)
          if (s.kind === "blob") held.set(s.hash, (held.get(s.hash) ?? 0) + 1);
      }
    }
    return held;
  }

  /** Every blob the store knows (hash -> refs, read from SQLite itself) and every blob file in the folder. */
  function storedBlobs(): { rows: Map<string, number>; files: Set<string> } {
    const db = new Database(path.join(dataDir, "eider.sqlite"), { readonly: true });
    try {
      const rows = db.prepare("SELECT hash, refs FROM blobs").all() as Array<{ hash: string; refs: number }>;
      const files = readdirSync(path.join(dataDir, "blobs"), { recursive: true, encoding: "utf8" })
        .map((f) => path.basename(f))
        .filter((f) => /^[0-9a-f]{64}$/.test(f));
      return { rows: new Map(rows.map((r) => [r.hash, r.refs])), files: new Set(files) };
    } finally {
      db.close();
    }
  }

  async function assertInvariants() {
    const held = await heldRefs(everyone);
    for (const [hash, count] of held)
      expect((await store.blobs.info(hash))?.refs, `refs of ${hash}`).toBe(count);
    // Not only the hashes still held: a blob no message holds any more counts no references (the sweep then
    // removes it), and every blob the store knows has its file.
    const { rows, files } = storedBlobs();
    for (const [hash, refs] of rows) {
      expect(refs, `refs of ${hash}, held by ${held.get(hash) ?? 0} messages`).toBe(held.get(hash) ?? 0);
      expect(files.has(hash), `file of ${hash}`).toBe(true);
    }
    for (const hash of files) expect(rows.has(hash), `row of the file ${hash}`).toBe(true);
    for (const u of everyone) {
      const me = await gqlOk(url, `{ me { storageUsed } mailboxes { size } }`, {}, u.token);
      expect(me.me.storageUsed).toBe(me.mailboxes.reduce((s: number, m: any) => s + m.size, 0));
    }
    return held;
  }

  it("keeps refcounts and quota exact through upload, copy, move and delete of messages sharing an attachment", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(
        (await upload(url, ann, messageWithAttachment(shared, { subject: `shared ${i}` }))).data.uploadMessage
          .id,
      );
    ids.push(
      (await upload(url, ben, messageWithAttachment(shared, { subject: "ben's copy" }))).data.uploadMessage
        .id,
    );
    const held = await assertInvariants();
    expect([...held.values()]).toContain(4);

    const copies = (
      await gqlOk(
        url,
        `mutation($ids: [ID!]!, $m: ID!) { copyMessages(ids: $ids, mailboxId: $m) { id } }`,
        { ids: ids.slice(0, 2), m: ann.mailboxes.Archive },
        ann.token,
      )
    ).copyMessages;
    expect([...(await assertInvariants()).values()]).toContain(6);
    await gqlOk(
      url,
      `mutation($ids: [ID!]!, $m: ID!) { moveMessages(ids: $ids, mailboxId: $m) { id } }`,
      { ids: [ids[2]], m: ann.mailboxes.Trash },
      ann.token,
    );
    await assertInvariants();
    await gqlOk(
      url,
      `mutation($ids: [ID!]!) { deleteMessages(ids: $ids) }`,
      { ids: [ids[0], copies[0].id] },
      ann.token,
    );
    expect([...(await assertInvariants()).values()]).toContain(4);
    await gqlOk(
      url,
      `mutation($id: ID!) { deleteMailbox(id: $id) }`,
      {
        id: (await gqlOk(url, `mutation { createMailbox(path: "tmp") { id } }`, {}, ann.token)).createMailbox
          .id,
      },
      ann.token,
    );
    await assertInvariants();
  });

  it("refuses an upload or copy over quota and stores nothing", async () => {
    const small = await createUser(url, "small", [], 100_000);
    everyone.push(small);
    const first = await upload(url, small, messageWithAttachment(shared));
    expect(first.errors).toBeUndefined();
    expect(errorCode(await upload(url, small, messageWithAttachment(shared)))).toBe("QUOTA_EXCEEDED");
    const copy = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${small.token}` },
      body: JSON.stringify({
        query: `mutation($ids: [ID!]!, $m: ID!) { copyMessages(ids: $ids, mailboxId: $m) { id } }`,
        variables: { ids: [first.data.uploadMessage.id], m: small.mailboxes.Archive },
      }),
    });
    expect(errorCode((await copy.json()) as any)).toBe("QUOTA_EXCEEDED");
    const me = await gqlOk(url, `{ me { storageUsed } mailboxes { total } }`, {}, small.token);
    expect(me.me.storageUsed).toBe(first.data.uploadMessage.size);
    expect(me.mailboxes.reduce((s: number, m: any) => s + m.total, 0)).toBe(1);
  });

  it("drops the last reference with the last message holding a blob, and the sweep leaves no blob nobody holds", async () => {
    const own = randomBytes(30_000);
    const first = (await upload(url, ben, messageWithAttachment(own, { subject: "only mine" }))).data
      .uploadMessage;
    const copy = (
      await gqlOk(
        url,
        `mutation($ids: [ID!]!, $m: ID!) { copyMessages(ids: $ids, mailboxId: $m) { id } }`,
        { ids: [first.id], m: ben.mailboxes.Archive },
        ben.token,
      )
    ).copyMessages[0];
    const before = storedBlobs().rows;
    await assertInvariants();
    await gqlOk(
      url,
      `mutation($ids: [ID!]!) { deleteMessages(ids: $ids) }`,
      { ids: [first.id, copy.id] },
      ben.token,
    );
    const [mine] = [...storedBlobs().rows].filter(([hash, refs]) => refs === 0 && before.get(hash) === 2);
    expect(mine, "the attachment's blob, its references all gone").toBeDefined();
    await assertInvariants();
    // What doctor --fix runs: afterwards no blob row or file is left that no message holds.
    const report = await store.repair({ graceMs: 0 });
    expect(report).toMatchObject({ blobRefsFixed: 0, quotaFixed: 0 });
    expect(report.blobsRemoved).toBeGreaterThanOrEqual(1);
    const held = await heldRefs(everyone);
    const after = storedBlobs();
    expect([...after.rows.keys()].sort()).toEqual([...held.keys()].sort());
    expect([...after.files].sort()).toEqual([...held.keys()].sort());
    await assertInvariants();
  });

  it("refuses racing uploads past the quota in the store itself, with usage exact", async () => {
    // The uploads (about the same size; Message-IDs vary) are sent together, so each passes the core's pre-check before any is stored: the store's
    // own check, in the same step as the usage it adds, is what must refuse the ones past the quota.
    const raw = (i: number) => messageWithAttachment(Buffer.alloc(20_000, i), { subject: `race ${i}` });
    const size = raw(0).length;
    const racer = await createUser(url, "racer", [], Math.floor(size * 3.5));
    everyone.push(racer);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => upload(url, racer, raw(i))));
    const stored = results.filter((r) => r.data?.uploadMessage);
    expect(stored).toHaveLength(3);
    expect(results.filter((r) => !r.data?.uploadMessage).map(errorCode)).toEqual(
      Array(5).fill("QUOTA_EXCEEDED"),
    );
    const me = await gqlOk(url, `{ me { storageUsed } mailboxes { total size } }`, {}, racer.token);
    expect(me.me.storageUsed).toBe(stored.reduce((sum, r) => sum + r.data.uploadMessage.size, 0));
    expect(me.mailboxes.reduce((s: number, m: any) => s + m.total, 0)).toBe(3);
    await assertInvariants();
  });

  it("hands out strictly increasing UIDs and modseqs and never reuses a UID", async () => {
    const box = (await gqlOk(url, `mutation { createMailbox(path: "uids") { id } }`, {}, ann.token))
      .createMailbox.id;
    const uids: number[] = [];
    const modseqs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const m = (await upload(url, ann, messageWithAttachment(Buffer.from(`x${i}`)), box)).data.uploadMessage;
      uids.push(m.uid);
      modseqs.push(m.modseq);
      if (i % 2 === 0)
        await gqlOk(url, `mutation($ids: [ID!]!) { deleteMessages(ids: $ids) }`, { ids: [m.id] }, ann.token);
    }
    expect(uids).toEqual([1, 2, 3, 4, 5]);
    for (let i = 1; i < modseqs.length; i++) expect(modseqs[i]).toBeGreaterThan(modseqs[i - 1]);
    const journal = await store.journal.since(ann.id, 0, 10_000);
    for (let i = 1; i < journal.length; i++) expect(journal[i].modseq).toBeGreaterThan(journal[i - 1].modseq);
  });

  it("repairs reference counts and quota that a crash left wrong", async () => {
    const held = await heldRefs(everyone);
    const [hash] = [...held.keys()];
    // Simulate what a crash between steps could leave behind: a wrong count and drifted usage.
    const db = new Database(path.join(dataDir, "eider.sqlite"));
    db.prepare("UPDATE blobs SET refs = refs + 5 WHERE hash = ?").run(hash);
    db.prepare("UPDATE users SET storage_used = storage_used + 123 WHERE id = ?").run(ann.id);
    db.close();
    const report = await store.repair({ graceMs: 0 });
    expect(report.blobRefsFixed).toBeGreaterThanOrEqual(1);
    expect(report.quotaFixed).toBe(1);
    await assertInvariants();
  });
});

import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createUser,
  downloadRaw,
  errorCode,
  gql,
  gqlOk,
  startTestEider,
  upload,
  watch,
  type TestEider,
  type TestUser,
} from "../harness/eider.js";
import { ADMIN } from "../../src/core/index.js";
import { messageWithAttachment, simpleMessage } from "./fixtures.js";

describe("GraphQL API: what a user can do, end to end on the embedded store", () => {
  let server: TestEider;
  let url: string;
  let alice: TestUser;

  beforeAll(async () => {
    server = await startTestEider();
    url = server.url;
    alice = await createUser(url, "alice", ["Alice@Example.com", "alice.work@bücher.de"]);
  });
  afterAll(async () => server?.stop());

  it("creates a user with the special-use mailboxes and its addresses", async () => {
    const data = await gqlOk(
      url,
      `{ me { username storageUsed state } mailboxes { path specialUse total unseen } myAddresses { address normalized } }`,
      {},
      alice.token,
    );
    expect(data.me.username).toBe("alice");
    expect(data.mailboxes.map((m: any) => m.path).sort()).toEqual([
      "Archive",
      "Drafts",
      "INBOX",
      "Junk",
      "Sent Mail",
      "Trash",
    ]);
    expect(data.mailboxes.find((m: any) => m.path === "INBOX")).toMatchObject({
      specialUse: "\\Inbox",
      total: 0,
      unseen: 0,
    });
    expect(data.myAddresses.map((a: any) => a.normalized).sort()).toEqual([
      "alice@example.com",
      "alicework@xn--bcher-kva.de",
    ]);
  });

  it("refuses a wrong password, an unknown token, and admin work without the admin token", async () => {
    expect(
      errorCode(
        await gql(url, `mutation { login(username: "alice", password: "wrong-password") { token } }`),
      ),
    ).toBe("AUTH_FAILED");
    const res = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer nope" },
      body: JSON.stringify({ query: "{ me { id } }" }),
    });
    expect(res.status).toBe(401);
    expect(errorCode((await res.json()) as any)).toBe("UNAUTHENTICATED");
    expect(errorCode(await gql(url, `{ users { id } }`, {}, alice.token))).toBe("FORBIDDEN");
    expect(errorCode(await gql(url, `{ me { id } }`))).toBe("UNAUTHENTICATED");
    expect(
      errorCode(
        await gql(
          url,
          `mutation { createUser(input: {username: "x", password: "12345678"}) { id } }`,
          {},
          alice.token,
        ),
      ),
    ).toBe("FORBIDDEN");
  });

  it("refuses logins for a username after too many failures, even with the right password", async () => {
    await createUser(url, "guessme");
    const attempt = (password: string) =>
      gql(url, `mutation($p: String!) { login(username: "guessme", password: $p) { token } }`, {
        p: password,
      });
    // Guessed in parallel: at least login_attempts (10) are checked, and at most login_attempts - 1 +
    // login_checks_at_once (10 - 1 + 20), the bound src/core/login-limits.ts states; every other is refused.
    const codes = (
      await Promise.all(Array.from({ length: 40 }, (_, i) => attempt(`wrong-${i}-password`)))
    ).map(errorCode);
    const checked = codes.filter((c) => c === "AUTH_FAILED").length;
    expect(checked).toBeGreaterThanOrEqual(10);
    expect(checked).toBeLessThanOrEqual(29);
    expect(codes.filter((c) => c === "RATE_LIMITED")).toHaveLength(40 - checked);
    expect(errorCode(await attempt("pw-guessme-secret"))).toBe("RATE_LIMITED");
    expect(
      errorCode(
        await gql(url, `mutation { login(username: "alice", password: "wrong-password") { token } }`),
      ),
    ).toBe("AUTH_FAILED");
  });

  it("uploads, lists with counts, reads parsed, downloads raw and attachment", async () => {
    const pdf = randomBytes(40_000);
    const raw = messageWithAttachment(pdf);
    const up = await upload(url, alice, raw);
    expect(up.errors).toBeUndefined();
    const id = up.data.uploadMessage.id;
    const list = await gqlOk(
      url,
      `query($m: ID!) { mailbox(id: $m) { total unseen size messages(first: 10) { edges { cursor node { id subject hasAttachments from { name address } preview } } pageInfo { hasNextPage } } } }`,
      { m: alice.inbox },
      alice.token,
    );
    expect(list.mailbox.total).toBe(1);
    expect(list.mailbox.unseen).toBe(1);
    expect(list.mailbox.size).toBe(raw.length);
    expect(list.mailbox.messages.edges[0].node).toMatchObject({
      id,
      subject: "Report attached",
      hasAttachments: true,
      from: [{ name: "Carol", address: "carol@example.net" }],
    });
    const read = await gqlOk(
      url,
      `query($id: ID!) { message(id: $id) { body { text html attachments { partId filename contentType downloadUrl } headers { key value } } rawUrl } }`,
      { id },
      alice.token,
    );
    expect(read.message.body.text).toContain("quarterly report");
    expect(read.message.body.html).toContain("<b>quarterly</b>");
    const att = read.message.body.attachments.find((a: any) => a.filename === "report.pdf");
    expect(att.contentType).toBe("application/pdf");
    const downloaded = await fetch(url + att.downloadUrl, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    expect(downloaded.status).toBe(200);
    expect(Buffer.from(await downloaded.arrayBuffer()).equals(pdf)).toBe(true);
    const rawBack = await downloadRaw(url, id, alice.token);
    expect(rawBack.status).toBe(200);
    expect(rawBack.body.equals(raw)).toBe(true);
  });

  it("flags, moves, copies, deletes and searches", async () => {
    const a = (
      await upload(url, alice, simpleMessage({ subject: "Lunch on Friday?", body: "Pizza or sushi" }))
    ).data.uploadMessage;
    const b = (
      await upload(
        url,
        alice,
        simpleMessage({ subject: "Invoice 42", from: "Billing <billing@shop.example>" }),
      )
    ).data.uploadMessage;
    const flagged = await gqlOk(
      url,
      `mutation($ids: [ID!]!) { setFlags(ids: $ids, op: ADD, flags: ["\\\\Seen", "\\\\Flagged", "$work"]) { id flags seen flagged modseq } }`,
      { ids: [a.id] },
      alice.token,
    );
    expect(flagged.setFlags[0]).toMatchObject({ seen: true, flagged: true });
    expect(flagged.setFlags[0].flags.sort()).toEqual(["$work", "\\Flagged", "\\Seen"]);
    expect(flagged.setFlags[0].modseq).toBeGreaterThan(a.modseq);
    expect(
      errorCode(
        await gql(
          url,
          `mutation($ids: [ID!]!) { setFlags(ids: $ids, op: ADD, flags: ["\\\\Bogus"]) { id } }`,
          { ids: [a.id] },
          alice.token,
        ),
      ),
    ).toBe("INVALID_INPUT");

    const archive = alice.mailboxes.Archive;
    const moved = await gqlOk(
      url,
      `mutation($ids: [ID!]!, $m: ID!) { moveMessages(ids: $ids, mailboxId: $m) { id mailboxId uid } }`,
      { ids: [a.id], m: archive },
      alice.token,
    );
    expect(moved.moveMessages[0]).toMatchObject({ id: a.id, mailboxId: archive, uid: 1 });
    const copied = await gqlOk(
      url,
      `mutation($ids: [ID!]!, $m: ID!) { copyMessages(ids: $ids, mailboxId: $m) { id mailboxId flags } }`,
      { ids: [a.id], m: alice.inbox },
      alice.token,
    );
    expect(copied.copyMessages[0].id).not.toBe(a.id);
    expect(copied.copyMessages[0].flags.sort()).toEqual(["$work", "\\Flagged", "\\Seen"]);

    const search = async (filter: Record<string, unknown>) =>
      (
        await gqlOk(
          url,
          `query($f: MessageFilter!) { search(filter: $f) { edges { node { id } } } }`,
          { f: filter },
          alice.token,
        )
      ).search.edges
        .map((e: any) => e.node.id)
        .sort();
    expect(await search({ subject: "invoice" })).toEqual([b.id]);
    expect(await search({ from: "billing@" })).toEqual([b.id]);
    expect(await search({ text: "sushi" })).toEqual([a.id, copied.copyMessages[0].id].sort());
    expect(await search({ text: "sushi", mailboxId: archive })).toEqual([a.id]);
    expect(await search({ flags: ["\\Flagged"], mailboxId: alice.inbox })).toEqual([
      copied.copyMessages[0].id,
    ]);
    expect(await search({ hasAttachment: true, subject: "Lunch" })).toEqual([]);

    const deleted = await gqlOk(
      url,
      `mutation($ids: [ID!]!) { deleteMessages(ids: $ids) }`,
      { ids: [b.id] },
      alice.token,
    );
    expect(deleted.deleteMessages).toEqual([b.id]);
    expect(
      errorCode(await gql(url, `query($id: ID!) { message(id: $id) { id } }`, { id: b.id }, alice.token)),
    ).toBe("NOT_FOUND");
  });

  it("pages a mailbox by cursor without gaps or repeats", async () => {
    const box = (await gqlOk(url, `mutation { createMailbox(path: "Paging") { id } }`, {}, alice.token))
      .createMailbox.id;
    const ids: string[] = [];
    for (let i = 0; i < 7; i++)
      ids.push(
        (await upload(url, alice, simpleMessage({ subject: `page ${i}` }), box)).data.uploadMessage.id,
      );
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await gqlOk(
        url,
        `query($m: ID!, $a: String) { mailbox(id: $m) { messages(first: 3, after: $a) { edges { node { id } } pageInfo { hasNextPage endCursor } } } }`,
        { m: box, a: after },
        alice.token,
      );
      seen.push(...page.mailbox.messages.edges.map((e: any) => e.node.id));
      if (!page.mailbox.messages.pageInfo.hasNextPage) break;
      after = page.mailbox.messages.pageInfo.endCursor;
    }
    expect(seen.sort()).toEqual(ids.sort());
  });

  it("creates, renames, subscribes and deletes mailboxes, refusing to delete special-use ones", async () => {
    const created = (
      await gqlOk(url, `mutation { createMailbox(path: "Projects/Eider") { id name path } }`, {}, alice.token)
    ).createMailbox;
    expect(created).toMatchObject({ name: "Eider", path: "Projects/Eider" });
    expect(
      errorCode(await gql(url, `mutation { createMailbox(path: "Projects/Eider") { id } }`, {}, alice.token)),
    ).toBe("ALREADY_EXISTS");
    expect(
      errorCode(await gql(url, `mutation { createMailbox(path: "a//b") { id } }`, {}, alice.token)),
    ).toBe("INVALID_INPUT");
    const renamed = (
      await gqlOk(
        url,
        `mutation($id: ID!) { renameMailbox(id: $id, path: "Projects/Eider 2") { path } }`,
        { id: created.id },
        alice.token,
      )
    ).renameMailbox;
    expect(renamed.path).toBe("Projects/Eider 2");
    const unsub = (
      await gqlOk(
        url,
        `mutation($id: ID!) { setMailboxSubscribed(id: $id, subscribed: false) { subscribed } }`,
        { id: created.id },
        alice.token,
      )
    ).setMailboxSubscribed;
    expect(unsub.subscribed).toBe(false);
    expect(
      errorCode(
        await gql(url, `mutation($id: ID!) { deleteMailbox(id: $id) }`, { id: alice.inbox }, alice.token),
      ),
    ).toBe("INVALID_INPUT");
    expect(
      (await gqlOk(url, `mutation($id: ID!) { deleteMailbox(id: $id) }`, { id: created.id }, alice.token))
        .deleteMailbox,
    ).toBe(true);
  });

  it("renameMailbox moves the mailboxes below it too, as IMAP RENAME does", async () => {
    const create = async (path: string) =>
      (await gqlOk(url, `mutation($p: String!) { createMailbox(path: $p) { id } }`, { p: path }, alice.token))
        .createMailbox.id as string;
    const top = await create("Trips");
    const below = await create("Trips/2026");
    const deeper = await create("Trips/2026/Rome");
    const other = await create("Tripsy");
    const renamed = (
      await gqlOk(
        url,
        `mutation($id: ID!) { renameMailbox(id: $id, path: "Archive/Trips") { id path } }`,
        { id: top },
        alice.token,
      )
    ).renameMailbox;
    expect(renamed).toEqual({ id: top, path: "Archive/Trips" });
    const { mailboxes } = await gqlOk(url, `{ mailboxes { id path } }`, {}, alice.token);
    const pathOf = new Map((mailboxes as Array<{ id: string; path: string }>).map((b) => [b.id, b.path]));
    expect([top, below, deeper, other].map((id) => pathOf.get(id))).toEqual([
      "Archive/Trips",
      "Archive/Trips/2026",
      "Archive/Trips/2026/Rome",
      "Tripsy",
    ]);
    expect([...pathOf.values()].filter((p) => p.startsWith("Trips/"))).toEqual([]);
    // A target below the mailbox itself is refused, and nothing moves.
    expect(
      errorCode(
        await gql(
          url,
          `mutation($id: ID!) { renameMailbox(id: $id, path: "Archive/Trips/2026/x") { id } }`,
          { id: top },
          alice.token,
        ),
      ),
    ).toBe("INVALID_INPUT");
  });

  it("threads a reply with its original across mailboxes", async () => {
    const original = (
      await upload(url, alice, simpleMessage({ subject: "Trip plans", messageId: "<trip-1@example.com>" }))
    ).data.uploadMessage;
    const reply = (
      await upload(
        url,
        alice,
        simpleMessage({
          subject: "Re: Trip plans",
          messageId: "<trip-2@example.com>",
          inReplyTo: "<trip-1@example.com>",
        }),
        alice.mailboxes["Sent Mail"],
      )
    ).data.uploadMessage;
    const unrelated = (
      await upload(url, alice, simpleMessage({ subject: "Other", inReplyTo: "<trip-1@example.com>" }))
    ).data.uploadMessage;
    expect(reply.threadId).toBe(original.threadId);
    expect(unrelated.threadId).not.toBe(original.threadId);
    const thread = await gqlOk(
      url,
      `query($t: ID!) { thread(id: $t) { messages { id subject } } }`,
      { t: original.threadId },
      alice.token,
    );
    expect(thread.thread.messages.map((m: any) => m.id)).toEqual([original.id, reply.id]);
    const size = await gqlOk(
      url,
      `query($id: ID!) { message(id: $id) { threadSize } }`,
      { id: reply.id },
      alice.token,
    );
    expect(size.message.threadSize).toBe(2);
  });

  it("lets an offline client catch up with changes(sinceState)", async () => {
    const state = (await gqlOk(url, `{ me { state } }`, {}, alice.token)).me.state;
    const m1 = (await upload(url, alice, simpleMessage({ subject: "sync 1" }))).data.uploadMessage;
    const m2 = (await upload(url, alice, simpleMessage({ subject: "sync 2" }))).data.uploadMessage;
    await gqlOk(
      url,
      `mutation($ids: [ID!]!) { setFlags(ids: $ids, op: ADD, flags: ["\\\\Seen"]) { id } }`,
      { ids: [m1.id] },
      alice.token,
    );
    await gqlOk(url, `mutation($ids: [ID!]!) { deleteMessages(ids: $ids) }`, { ids: [m2.id] }, alice.token);
    const box = (await gqlOk(url, `mutation { createMailbox(path: "Sync") { id } }`, {}, alice.token))
      .createMailbox.id;
    const changes = (
      await gqlOk(
        url,
        `query($s: String!) { changes(sinceState: $s) { oldState newState hasMoreChanges messages { created updated destroyed } mailboxes { created updated destroyed } } }`,
        { s: state },
        alice.token,
      )
    ).changes;
    expect(changes.oldState).toBe(state);
    expect(Number(changes.newState)).toBeGreaterThan(Number(state));
    expect(changes.messages).toEqual({ created: [m1.id], updated: [], destroyed: [] });
    expect(changes.mailboxes.created).toEqual([box]);
    const paged = (
      await gqlOk(
        url,
        `query($s: String!) { changes(sinceState: $s, maxChanges: 1) { newState hasMoreChanges } }`,
        { s: state },
        alice.token,
      )
    ).changes;
    expect(paged.hasMoreChanges).toBe(true);
    expect(errorCode(await gql(url, `{ changes(sinceState: "banana") { newState } }`, {}, alice.token))).toBe(
      "INVALID_INPUT",
    );
  });

  it("answers CANNOT_CALCULATE_CHANGES once the journal no longer reaches back, and works from the new state", async () => {
    const old = (await gqlOk(url, `{ me { state } }`, {}, alice.token)).me.state;
    await upload(url, alice, simpleMessage({ subject: "before pruning" }));
    // Housekeeping run as if 31 days had passed: every entry so far is past the 30-day retention.
    expect(
      await server.eider.core.maintenance.runOnce(ADMIN, new Date(Date.now() + 31 * 86_400_000)),
    ).toMatchObject({ journalEntriesPruned: expect.any(Number) });
    expect(
      errorCode(
        await gql(
          url,
          `query($s: String!) { changes(sinceState: $s) { newState } }`,
          { s: old },
          alice.token,
        ),
      ),
    ).toBe("CANNOT_CALCULATE_CHANGES");
    const now = (await gqlOk(url, `{ me { state } }`, {}, alice.token)).me.state;
    const m = (await upload(url, alice, simpleMessage({ subject: "after pruning" }))).data.uploadMessage;
    const changes = (
      await gqlOk(
        url,
        `query($s: String!) { changes(sinceState: $s) { messages { created } } }`,
        { s: now },
        alice.token,
      )
    ).changes;
    expect(changes.messages.created).toEqual([m.id]);
  });

  it("pushes mailbox changes and account counters live over WebSocket", async () => {
    const state = (await gqlOk(url, `{ me { state } }`, {}, alice.token)).me.state;
    const w = watch(
      url,
      `subscription($m: ID!, $s: String) { mailboxChanged(mailboxId: $m, sinceState: $s) { type messageId uid modseq flags } }`,
      { m: alice.inbox, s: state },
      alice.token,
    );
    const m = (await upload(url, alice, simpleMessage({ subject: "live" }))).data.uploadMessage;
    await gqlOk(
      url,
      `mutation($ids: [ID!]!) { setFlags(ids: $ids, op: ADD, flags: ["\\\\Seen"]) { id } }`,
      { ids: [m.id] },
      alice.token,
    );
    await gqlOk(url, `mutation($ids: [ID!]!) { deleteMessages(ids: $ids) }`, { ids: [m.id] }, alice.token);
    const events = (await w.waitFor(3)).map((e: any) => e.mailboxChanged);
    expect(events.map((e) => e.type)).toEqual(["NEW", "FLAGS", "EXPUNGED"]);
    expect(events.every((e) => e.messageId === m.id)).toBe(true);
    expect(events[0].uid).toBe(m.uid);
    const modseqs = events.map((e) => e.modseq);
    expect(modseqs).toEqual([...modseqs].sort((x, y) => x - y));
    await w.close();
  });

  it("ends live subscriptions when their token is logged out", async () => {
    const bob = await createUser(url, "bob-revoked");
    const state = (await gqlOk(url, `{ me { state } }`, {}, bob.token)).me.state;
    const w = watch(
      url,
      `subscription($m: ID!, $s: String) { mailboxChanged(mailboxId: $m, sinceState: $s) { type } }`,
      { m: bob.inbox, s: state },
      bob.token,
    );
    await upload(url, bob, simpleMessage({ subject: "before logout" }));
    await w.waitFor(1); // the subscription is live
    expect((await gqlOk(url, `mutation { logout }`, {}, bob.token)).logout).toBe(true);
    await w.completed;
    expect(errorCode(await gql(url, `{ me { id } }`, {}, bob.token))).toBe("UNAUTHENTICATED");
    await w.close();
  });

  it("pushes account counters once the subscription is registered", async () => {
    const acct = watch(
      url,
      `subscription { accountChanged { state storageUsed mailboxes { mailboxId total unseen } } }`,
      {},
      alice.token,
    );
    const m = (await upload(url, alice, simpleMessage({ subject: "counters" }))).data.uploadMessage;
    // The subscription registers asynchronously: touch the account until an event arrives (bounded by count).
    for (let i = 0; i < 100 && acct.events.length === 0; i++) {
      await gqlOk(
        url,
        `mutation($ids: [ID!]!, $op: FlagOperation!) { setFlags(ids: $ids, op: $op, flags: ["\\\\Seen"]) { id } }`,
        { ids: [m.id], op: i % 2 ? "REMOVE" : "ADD" },
        alice.token,
      );
      await Promise.race([acct.waitFor(1), new Promise((r) => setTimeout(r, 50))]);
    }
    const [event] = (await acct.waitFor(1)).map((e: any) => e.accountChanged);
    const me = (await gqlOk(url, `{ me { storageUsed } }`, {}, alice.token)).me;
    expect(event.storageUsed).toBe(me.storageUsed);
    expect(event.mailboxes).toEqual([expect.objectContaining({ mailboxId: alice.inbox })]);
    await acct.close();
  });
});

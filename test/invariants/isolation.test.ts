// Invariant 5: no request of one user reads or changes another user's data, whatever ids it sends.
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
  type TestEiderOptions,
  type TestUser,
} from "../harness/eider.js";
import { serviceUrl, skipReason, uniqueDbName } from "../harness/services.js";
import { messageWithAttachment, simpleMessage } from "../api/fixtures.js";

const mongoUrl = serviceUrl("mongodb");
const redisUrl = serviceUrl("redis");

describe("Invariant 5: isolation between users over GraphQL and downloads", () => {
  describe("embedded store (SQLite + blob folder)", () => isolationSuite(() => ({})));
  describe.skipIf(!mongoUrl)(
    `MongoDB protocol (FerretDB)${redisUrl ? " + Redis" : ""}${mongoUrl ? "" : ` (skipped: ${skipReason("mongodb")})`}`,
    () =>
      isolationSuite(() => ({
        mongodbUrl: mongoUrl,
        mongodbDatabase: uniqueDbName("eider_isolation"),
        redisUrl,
        redisPrefix: `${uniqueDbName("isolation")}:`,
      })),
  );
});

function isolationSuite(options: () => TestEiderOptions): void {
  let server: TestEider;
  let url: string;
  let owner: TestUser;
  let intruder: TestUser;
  let messageId: string;
  let threadId: string;
  let before: any;

  const snapshot = () =>
    gqlOk(
      url,
      `query($id: ID!) { message(id: $id) { id mailboxId uid flags modseq } mailboxes { id path subscribed total } me { storageUsed state autoreply { enabled text } } }`,
      { id: messageId },
      owner.token,
    );

  beforeAll(async () => {
    server = await startTestEider(options());
    url = server.url;
    owner = await createUser(url, "owner");
    intruder = await createUser(url, "intruder");
    const m = (await upload(url, owner, messageWithAttachment(Buffer.alloc(5000, 7)))).data.uploadMessage;
    messageId = m.id;
    threadId = m.threadId;
    await upload(url, owner, simpleMessage({ subject: "secret plans", body: "the secret word is heron" }));
    before = await snapshot();
  });
  afterAll(async () => server?.stop());

  const reads: Array<[string, string, () => Record<string, unknown>]> = [
    ["message", `query($id: ID!) { message(id: $id) { id subject } }`, () => ({ id: messageId })],
    ["message body", `query($id: ID!) { message(id: $id) { body { text } } }`, () => ({ id: messageId })],
    ["mailbox", `query($id: ID!) { mailbox(id: $id) { id path } }`, () => ({ id: owner.inbox })],
    [
      "mailbox messages",
      `query($id: ID!) { mailbox(id: $id) { messages(first: 5) { edges { node { id } } } } }`,
      () => ({ id: owner.inbox }),
    ],
    ["thread", `query($id: ID!) { thread(id: $id) { messages { id } } }`, () => ({ id: threadId })],
    [
      "search in the owner's mailbox",
      `query($id: ID!) { search(filter: { mailboxId: $id }) { edges { node { id } } } }`,
      () => ({ id: owner.inbox }),
    ],
    ["user by id", `query($id: ID!) { user(id: $id) { id username } }`, () => ({ id: owner.id })],
    [
      "delivery log by user id",
      `query($id: ID!) { deliveries(userId: $id) { edges { node { id subject } } } }`,
      () => ({ id: owner.id }),
    ],
    [
      "deliveries through the user",
      `query($id: ID!) { user(id: $id) { deliveries { edges { node { id } } } } }`,
      () => ({ id: owner.id }),
    ],
    [
      "auth log",
      `query($id: ID!) { authLog(userId: $id) { edges { node { id } } } }`,
      () => ({ id: owner.id }),
    ],
    [
      "autoreply through the user",
      `query($id: ID!) { user(id: $id) { autoreply { enabled text } } }`,
      () => ({ id: owner.id }),
    ],
    [
      "auth log through the user",
      `query($id: ID!) { user(id: $id) { authLog { edges { node { id } } } } }`,
      () => ({ id: owner.id }),
    ],
  ];

  for (const [name, query, vars] of reads) {
    it(`refuses to read another user's ${name}`, async () => {
      const res = await gql(url, query, vars(), intruder.token);
      expect(res.data ?? null).toBeNull();
      expect(["NOT_FOUND", "FORBIDDEN", "INVALID_INPUT"]).toContain(errorCode(res));
    });
  }

  it("finds none of the other user's messages by searching everywhere", async () => {
    const res = await gqlOk(
      url,
      `{ search(filter: { text: "heron" }) { edges { node { id } } } }`,
      {},
      intruder.token,
    );
    expect(res.search.edges).toEqual([]);
    const changes = await gqlOk(
      url,
      `{ changes(sinceState: "0") { messages { created } } }`,
      {},
      intruder.token,
    );
    expect(changes.changes.messages.created).not.toContain(messageId);
  });

  it("lists only its own password checks in the auth log, whatever the filter", async () => {
    // Both logged in from this address; the owner also failed once, by name.
    await gql(url, `mutation { login(username: "owner", password: "not it") { token } }`);
    for (const filter of ["", `(ip: "127.0.0.1")`, `(first: 100)`]) {
      const res = await gqlOk(
        url,
        `{ authLog${filter} { edges { node { username userId } } } }`,
        {},
        intruder.token,
      );
      const entries = res.authLog.edges.map((e: any) => e.node);
      expect(entries.length).toBeGreaterThan(0);
      expect(entries.every((e: any) => e.userId === intruder.id && e.username === "intruder")).toBe(true);
    }
  });

  const writes: Array<[string, string, () => Record<string, unknown>]> = [
    [
      "flag",
      `mutation($ids: [ID!]!) { setFlags(ids: $ids, op: ADD, flags: ["\\\\Deleted"]) { id } }`,
      () => ({ ids: [messageId] }),
    ],
    [
      "move out",
      `mutation($ids: [ID!]!, $m: ID!) { moveMessages(ids: $ids, mailboxId: $m) { id } }`,
      () => ({ ids: [messageId], m: intruder.inbox }),
    ],
    [
      "move in",
      `mutation($ids: [ID!]!, $m: ID!) { moveMessages(ids: $ids, mailboxId: $m) { id } }`,
      () => ({ ids: [messageId], m: owner.mailboxes.Trash }),
    ],
    [
      "copy out",
      `mutation($ids: [ID!]!, $m: ID!) { copyMessages(ids: $ids, mailboxId: $m) { id } }`,
      () => ({ ids: [messageId], m: intruder.inbox }),
    ],
    ["delete", `mutation($ids: [ID!]!) { deleteMessages(ids: $ids) }`, () => ({ ids: [messageId] })],
    [
      "rename a mailbox",
      `mutation($id: ID!) { renameMailbox(id: $id, path: "pwned") { id } }`,
      () => ({ id: owner.mailboxes.Archive }),
    ],
    [
      "unsubscribe a mailbox",
      `mutation($id: ID!) { setMailboxSubscribed(id: $id, subscribed: false) { id } }`,
      () => ({ id: owner.mailboxes.Archive }),
    ],
    [
      "delete a mailbox",
      `mutation($id: ID!) { deleteMailbox(id: $id) }`,
      () => ({ id: owner.mailboxes.Archive }),
    ],
    [
      "upload into a mailbox",
      `mutation($m: ID!) { uploadMessage(mailboxId: $m, raw: "U3ViamVjdDogeA0KDQp4DQo=") { id } }`,
      () => ({ m: owner.inbox }),
    ],
    [
      "change the user",
      `mutation($id: ID!) { updateUser(id: $id, input: { disabled: true }) { id } }`,
      () => ({ id: owner.id }),
    ],
    ["delete the user", `mutation($id: ID!) { deleteUser(id: $id) }`, () => ({ id: owner.id })],
    [
      "set the user's autoreply",
      `mutation($id: ID!) { setAutoreply(userId: $id, input: { enabled: true, text: "pwned" }) { enabled } }`,
      () => ({ id: owner.id }),
    ],
    [
      "add an address to the user",
      `mutation($id: ID!) { addAddress(userId: $id, address: "x@evil.example") { id } }`,
      () => ({ id: owner.id }),
    ],
  ];

  for (const [name, query, vars] of writes) {
    it(`refuses to ${name} with the other user's ids and changes nothing`, async () => {
      const res = await gql(url, query, vars(), intruder.token);
      const changedNothing =
        res.errors?.length ||
        (Array.isArray(Object.values(res.data ?? {})[0]) &&
          (Object.values(res.data)[0] as unknown[]).length === 0);
      expect(changedNothing).toBeTruthy();
      expect(await snapshot()).toEqual(before);
    });
  }

  it("refuses downloads of the other user's raw message and attachments", async () => {
    expect((await downloadRaw(url, messageId, intruder.token)).status).toBe(404);
    const part = await fetch(`${url}/download/${messageId}/part/2`, {
      headers: { authorization: `Bearer ${intruder.token}` },
    });
    expect(part.status).toBe(404);
    expect((await fetch(`${url}/download/${messageId}/raw`)).status).toBe(401);
    expect((await downloadRaw(url, messageId, owner.token)).status).toBe(200);
  });

  it("refuses to subscribe to the other user's mailbox", async () => {
    const w = watch(
      url,
      `subscription($m: ID!) { mailboxChanged(mailboxId: $m) { type } }`,
      { m: owner.inbox },
      intruder.token,
    );
    await expect(w.waitFor(1)).rejects.toThrow(/NOT_FOUND/);
    await w.close();
  });

  // Delivery filters: one user's filter is invisible to another, whatever id it sends, and no filter can name a
  // mailbox of another user (so mail cannot be routed across accounts).
  describe("filters", () => {
    let filterId: string;
    const ownerFilters = () =>
      gqlOk(
        url,
        `{ me { filters { edges { node { id name enabled actions { moveTo } } } } } }`,
        {},
        owner.token,
      );
    let ownerBefore: any;

    beforeAll(async () => {
      const made = await gqlOk(
        url,
        `mutation($m: ID!) { createFilter(input: { name: "owner's", conditions: { from: "x" }, actions: { moveTo: $m } }) { id } }`,
        { m: owner.mailboxes.Archive },
        owner.token,
      );
      filterId = made.createFilter.id;
      ownerBefore = await ownerFilters();
    });

    it("shows the intruder neither the filter by id nor in its own list", async () => {
      const node = await gqlOk(
        url,
        `query($id: ID!) { node(id: $id) { id } }`,
        { id: filterId },
        intruder.token,
      );
      expect(node.node).toBeNull();
      const mine = await gqlOk(
        url,
        `{ me { filters { totalCount edges { node { id } } } } }`,
        {},
        intruder.token,
      );
      expect(mine.me.filters.totalCount).toBe(0);
      const theirs = await gql(
        url,
        `query($id: ID!) { user(id: $id) { filters { totalCount } } }`,
        { id: owner.id },
        intruder.token,
      );
      expect(theirs.data?.user ?? null).toBeNull();
    });

    const filterWrites: Array<[string, string, () => Record<string, unknown>]> = [
      [
        "update",
        `mutation($id: ID!) { updateFilter(id: $id, input: { enabled: false }) { id } }`,
        () => ({ id: filterId }),
      ],
      ["delete", `mutation($id: ID!) { deleteFilter(id: $id) }`, () => ({ id: filterId })],
      ["reorder", `mutation($ids: [ID!]!) { reorderFilters(ids: $ids) { id } }`, () => ({ ids: [filterId] })],
    ];
    for (const [name, query, vars] of filterWrites)
      it(`refuses to ${name} the other user's filter and changes nothing`, async () => {
        expect(errorCode(await gql(url, query, vars(), intruder.token))).toBe("NOT_FOUND");
        expect(await ownerFilters()).toEqual(ownerBefore);
      });

    it("refuses a filter of the intruder's that moves into the owner's mailbox", async () => {
      const input = { name: "steal", conditions: {}, actions: { moveTo: owner.inbox } };
      const res = await gql(
        url,
        `mutation($i: CreateFilterInput!) { createFilter(input: $i) { id } }`,
        { i: input },
        intruder.token,
      );
      expect(errorCode(res)).toBe("NOT_FOUND");
      const own = await gqlOk(
        url,
        `mutation { createFilter(input: { name: "own", conditions: {}, actions: { flag: true } }) { id } }`,
        {},
        intruder.token,
      );
      const moved = await gql(
        url,
        `mutation($id: ID!, $m: ID!) { updateFilter(id: $id, input: { actions: { moveTo: $m } }) { id } }`,
        { id: own.createFilter.id, m: owner.mailboxes.Archive },
        intruder.token,
      );
      expect(errorCode(moved)).toBe("NOT_FOUND");
      await gqlOk(
        url,
        `mutation($id: ID!) { deleteFilter(id: $id) }`,
        { id: own.createFilter.id },
        intruder.token,
      );
    });
  });

  // The journal behind changes(sinceState), threads, thread sizes and text search, with users of their own: a
  // writer whose account state runs well past the reader's, so that a journal read that forgot the user would
  // hand the reader the writer's entries (contiguous states past the reader's own).
  describe("changes, threads and search", () => {
    let writer: TestUser;
    let reader: TestUser;
    const writerIds = new Set<string>();
    const readerIds = new Set<string>();
    let writerThread: string;
    let readerReply: { id: string; threadId: string };

    const uploaded = async (user: TestUser, raw: Buffer) => {
      const res = await upload(url, user, raw);
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data.uploadMessage as { id: string; threadId: string };
    };

    beforeAll(async () => {
      writer = await createUser(url, "writer");
      reader = await createUser(url, "reader");
      for (const id of Object.values(writer.mailboxes)) writerIds.add(id);
      for (const id of Object.values(reader.mailboxes)) readerIds.add(id);
      readerIds.add((await uploaded(reader, simpleMessage({ subject: "reader's own" }))).id);
      const plan = await uploaded(
        writer,
        simpleMessage({ subject: "Heron plans", messageId: "<plan-1@writer.example>", body: "kingfisher" }),
      );
      writerThread = plan.threadId;
      // The reader holds a reply to the writer's message: same references, same subject.
      readerReply = await uploaded(
        reader,
        simpleMessage({ subject: "Re: Heron plans", inReplyTo: "<plan-1@writer.example>", body: "ok" }),
      );
      readerIds.add(readerReply.id);
      const writerReply = await uploaded(
        writer,
        simpleMessage({
          subject: "Re: Heron plans",
          inReplyTo: "<plan-1@writer.example>",
          body: "kingfisher too",
        }),
      );
      expect(writerReply.threadId).toBe(writerThread);
      writerIds.add(plan.id).add(writerReply.id);
      for (let i = 0; i < 3; i++)
        writerIds.add((await uploaded(writer, simpleMessage({ subject: `more ${i}` }))).id);
      await gqlOk(
        url,
        `mutation($ids: [ID!]!) { setFlags(ids: $ids, op: ADD, flags: ["\\\\Seen"]) { id } }`,
        { ids: [plan.id] },
        writer.token,
      );
    });

    it("answers changes(sinceState) from every state, the writer's included, with the reader's own ids only", async () => {
      const state = async (u: TestUser) =>
        Number((await gqlOk(url, `{ me { state } }`, {}, u.token)).me.state);
      const readerState = await state(reader);
      const writerState = await state(writer);
      expect(writerState).toBeGreaterThan(readerState + 3);
      const seen = new Set<string>();
      for (let since = 0; since <= writerState; since++) {
        const res = await gql(
          url,
          `query($s: String!) { changes(sinceState: $s) { newState mailboxes { created updated destroyed } messages { created updated destroyed } } }`,
          { s: String(since) },
          reader.token,
        );
        if (since > readerState) {
          // A state past the reader's own is not one it was given: refused, never answered from the writer's.
          expect(errorCode(res), `state ${since}`).toBe("INVALID_INPUT");
          continue;
        }
        expect(res.errors, `state ${since}`).toBeUndefined();
        const c = res.data.changes;
        expect(Number(c.newState)).toBeLessThanOrEqual(readerState);
        for (const set of [c.mailboxes, c.messages])
          for (const id of [...set.created, ...set.updated, ...set.destroyed]) {
            expect(writerIds.has(id), `state ${since}: the writer's ${id}`).toBe(false);
            expect(readerIds.has(id), `state ${since}: unknown ${id}`).toBe(true);
            seen.add(id);
          }
      }
      expect(seen).toEqual(readerIds);
    });

    it("files the reader's reply under a thread of the reader's own, sized by the reader's messages", async () => {
      expect(readerReply.threadId).not.toBe(writerThread);
      const mine = await gqlOk(
        url,
        `query($id: ID!, $m: ID!) { thread(id: $id) { messages { id } } message(id: $m) { threadSize } }`,
        { id: readerReply.threadId, m: readerReply.id },
        reader.token,
      );
      expect(mine.thread.messages.map((m: { id: string }) => m.id)).toEqual([readerReply.id]);
      expect(mine.message.threadSize).toBe(1);
      const theirs = await gql(
        url,
        `query($id: ID!) { thread(id: $id) { id } }`,
        { id: writerThread },
        reader.token,
      );
      expect(errorCode(theirs)).toBe("NOT_FOUND");
      const writerView = await gqlOk(
        url,
        `query($id: ID!) { thread(id: $id) { messages { id threadSize } } }`,
        { id: writerThread },
        writer.token,
      );
      expect(writerView.thread.messages.map((m: { threadSize: number }) => m.threadSize)).toEqual([2, 2]);
    });

    it("finds none of the writer's messages by text, subject or sender", async () => {
      for (const filter of [
        { text: "kingfisher" },
        { subject: "heron" },
        { text: "heron" },
        { from: "alice" },
      ]) {
        const res = await gqlOk(
          url,
          `query($f: MessageFilter!) { search(filter: $f, first: 50) { edges { node { id } } } }`,
          { f: filter },
          reader.token,
        );
        const ids: string[] = res.search.edges.map((e: { node: { id: string } }) => e.node.id);
        expect(
          ids.filter((id) => !readerIds.has(id)),
          JSON.stringify(filter),
        ).toEqual([]);
      }
    });
  });
}

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
  type TestUser,
} from "../harness/eider.js";
import { messageWithAttachment, simpleMessage } from "../api/fixtures.js";

describe("Invariant 5: isolation between users over GraphQL and downloads", () => {
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
      `query($id: ID!) { message(id: $id) { id mailboxId uid flags modseq } mailboxes { id path subscribed total } me { storageUsed state } }`,
      { id: messageId },
      owner.token,
    );

  beforeAll(async () => {
    server = await startTestEider();
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
});

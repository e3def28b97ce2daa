// The Relay Node interface: every object with an id implements Node, and node(id) refetches any object the caller
// may read; another user's id answers null, like an unknown one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  createUser,
  errorCode,
  gql,
  gqlOk,
  startTestEider,
  upload,
  type TestEider,
  type TestUser,
} from "../harness/eider.js";
import { simpleMessage } from "./fixtures.js";

const NODE = `query($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on User { username }
    ... on Address { address }
    ... on Mailbox { path }
    ... on Message { subject mailboxId }
    ... on Thread { messages { id } }
  }
}`;

describe("API: node(id)", () => {
  let server: TestEider;
  let alice: TestUser;
  let bob: TestUser;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    server = await startTestEider();
    alice = await createUser(server.url, "nodealice", ["node-alice@example.com"]);
    bob = await createUser(server.url, "nodebob");
    const m = (await upload(server.url, alice, simpleMessage({ subject: "a node" }))).data.uploadMessage;
    const addresses = await gqlOk(server.url, `{ myAddresses { id } }`, {}, alice.token);
    Object.assign(ids, {
      user: alice.id,
      address: addresses.myAddresses[0].id,
      mailbox: alice.inbox,
      message: m.id,
      thread: m.threadId,
    });
  });
  afterAll(() => server?.stop());

  const node = async (id: string, token: string) => (await gqlOk(server.url, NODE, { id }, token)).node;

  it("refetches each kind of object by its id alone, with its type", async () => {
    expect(await node(ids.user, alice.token)).toEqual({
      __typename: "User",
      id: ids.user,
      username: "nodealice",
    });
    expect(await node(ids.address, alice.token)).toEqual({
      __typename: "Address",
      id: ids.address,
      address: "node-alice@example.com",
    });
    expect(await node(ids.mailbox, alice.token)).toEqual({
      __typename: "Mailbox",
      id: ids.mailbox,
      path: "INBOX",
    });
    expect(await node(ids.message, alice.token)).toEqual({
      __typename: "Message",
      id: ids.message,
      subject: "a node",
      mailboxId: alice.inbox,
    });
    expect(await node(ids.thread, alice.token)).toEqual({
      __typename: "Thread",
      id: ids.thread,
      messages: [{ id: ids.message }],
    });
  });

  it("answers null for every one of another user's ids (isolation), and for unknown or malformed ids", async () => {
    for (const id of Object.values(ids)) expect(await node(id, bob.token)).toBeNull();
    expect(await node("0123456789abcdef01234567", alice.token)).toBeNull();
    expect(await node("not an id", alice.token)).toBeNull();
  });

  it("gives the admin any user, and nothing else", async () => {
    expect(await node(ids.user, ADMIN_TOKEN)).toMatchObject({ __typename: "User", username: "nodealice" });
    expect(await node(ids.message, ADMIN_TOKEN)).toBeNull();
  });

  it("asks an anonymous caller to log in", async () => {
    expect(errorCode(await gql(server.url, NODE, { id: ids.user }))).toBe("UNAUTHENTICATED");
  });

  it("declares every object type with an id as a Node", async () => {
    const schema = await gqlOk(
      server.url,
      `{ __type(name: "Node") { kind possibleTypes { name } } }`,
      {},
      alice.token,
    );
    expect(schema.__type.kind).toBe("INTERFACE");
    expect(schema.__type.possibleTypes.map((t: { name: string }) => t.name).sort()).toEqual([
      "Address",
      "Filter",
      "Mailbox",
      "Message",
      "OutboxEntry",
      "Thread",
      "User",
    ]);
  });
});

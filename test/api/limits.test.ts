// The request caps are configuration: an operator's EIDER_LIMITS_* setting is the limit the API enforces.
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

describe("API: limits from the configuration", () => {
  let server: TestEider;
  let alice: TestUser;
  const ids: string[] = [];
  beforeAll(async () => {
    server = await startTestEider({
      env: {
        EIDER_LIMITS_MAX_PAGE_SIZE: "3",
        EIDER_LIMITS_MAX_BATCH_IDS: "2",
        EIDER_LIMITS_MAX_MAILBOX_PATH_CHARS: "10",
        EIDER_LIMITS_MAX_CHANGES: "4",
        EIDER_LIMITS_GRAPHQL_MAX_BODIES_PER_REQUEST: "2",
        // The harness's passwords are "pw-<name>-secret": 17 characters for "limited".
        EIDER_LIMITS_MIN_PASSWORD_LENGTH: "17",
      },
    });
    alice = await createUser(server.url, "limited");
    for (let i = 0; i < 3; i++)
      ids.push(
        (await upload(server.url, alice, simpleMessage({ subject: `limit ${i}` }))).data.uploadMessage.id,
      );
  });
  afterAll(() => server?.stop());

  const page = (first: number) =>
    gql(
      server.url,
      `query($m: ID!, $n: Int!) { mailbox(id: $m) { messages(first: $n) { edges { node { id } } } } }`,
      { m: alice.inbox, n: first },
      alice.token,
    );

  it("max_page_size: a page of 3 is served, a page of 4 is refused", async () => {
    expect((await page(3)).data.mailbox.messages.edges).toHaveLength(3);
    const res = await page(4);
    expect(errorCode(res)).toBe("INVALID_INPUT");
    expect(res.errors![0].message).toBe("Page size 4 must be 1 to 3.");
  });

  it("max_batch_ids: two ids in one change pass, three are refused", async () => {
    const flag = (batch: string[]) =>
      gql(
        server.url,
        `mutation($ids: [ID!]!) { setFlags(ids: $ids, op: ADD, flags: ["$x"]) { id } }`,
        { ids: batch },
        alice.token,
      );
    expect((await flag(ids.slice(0, 2))).errors).toBeUndefined();
    expect(errorCode(await flag(ids))).toBe("INVALID_INPUT");
  });

  it("max_mailbox_path_chars: a 10-character path is created, an 11-character one is refused", async () => {
    const create = (path: string) =>
      gql(server.url, `mutation($p: String!) { createMailbox(path: $p) { id } }`, { p: path }, alice.token);
    expect((await create("abcdefghij")).errors).toBeUndefined();
    expect(errorCode(await create("abcdefghijk"))).toBe("INVALID_INPUT");
  });

  it("max_changes: changes() pages by at most the limit, and refuses to be asked for more", async () => {
    const changes = await gqlOk(
      server.url,
      `{ changes(sinceState: "0") { hasMoreChanges } }`,
      {},
      alice.token,
    );
    expect(changes.changes.hasMoreChanges).toBe(true); // the account has more than 4 journal entries
    expect(
      errorCode(
        await gql(server.url, `{ changes(sinceState: "0", maxChanges: 5) { newState } }`, {}, alice.token),
      ),
    ).toBe("INVALID_INPUT");
  });

  it("graphql_max_bodies_per_request: two bodies in one request are read, three are refused", async () => {
    const bodies = (n: number) =>
      gql(
        server.url,
        `query($m: ID!, $n: Int!) { mailbox(id: $m) { messages(first: $n) { edges { node { body { text } } } } } }`,
        { m: alice.inbox, n },
        alice.token,
      );
    expect((await bodies(2)).errors).toBeUndefined();
    const refused = await bodies(3);
    expect(errorCode(refused)).toBe("INVALID_INPUT");
    expect(refused.errors![0].message).toMatch(/at most 2 message bodies/);
  });

  it("min_password_length: 17 characters are enough, 16 are refused for new users and for changes", async () => {
    const create = (password: string) =>
      gql(
        server.url,
        `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
        { i: { username: `short-${password.length}`, password } },
        ADMIN_TOKEN,
      );
    const refused = await create("x".repeat(16));
    expect(errorCode(refused)).toBe("INVALID_INPUT");
    expect(refused.errors![0].message).toBe("The password has 16 characters; it needs at least 17.");
    expect((await create("x".repeat(17))).errors).toBeUndefined();
    const change = (next: string) =>
      gql(
        server.url,
        `mutation($c: String!, $n: String!) { changePassword(current: $c, next: $n) }`,
        { c: "pw-limited-secret", n: next },
        alice.token,
      );
    expect(errorCode(await change("y".repeat(16)))).toBe("INVALID_INPUT");
    expect((await change("pw-limited-secret")).errors).toBeUndefined();
  });
});

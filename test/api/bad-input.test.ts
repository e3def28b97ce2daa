// Invariant 7 (GraphQL part): bad input gets a clear error, never crashes the server, never loses data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createUser,
  downloadRaw,
  errorCode,
  gql,
  gqlOk,
  startTestEider,
  upload,
  type TestEider,
  type TestUser,
} from "../harness/eider.js";
import { simpleMessage } from "./fixtures.js";

const LIMIT = 64 * 1024;

describe("GraphQL API: bad input", () => {
  let server: TestEider;
  let url: string;
  let user: TestUser;

  beforeAll(async () => {
    server = await startTestEider({ maxMessageBytes: LIMIT });
    url = server.url;
    user = await createUser(url, "mallory");
  });
  afterAll(async () => server?.stop());

  const post = (body: string) =>
    fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` },
      body,
    });

  it("answers a syntax error with GRAPHQL_PARSE_FAILED", async () => {
    expect(errorCode(await gql(url, `{ me { id `, {}, user.token))).toBe("GRAPHQL_PARSE_FAILED");
  });

  it("answers an unknown field with GRAPHQL_VALIDATION_FAILED", async () => {
    expect(errorCode(await gql(url, `{ me { password } }`, {}, user.token))).toBe(
      "GRAPHQL_VALIDATION_FAILED",
    );
  });

  it("answers a body that is not JSON with 400", async () => {
    const res = await post("{not json");
    expect(res.status).toBe(400);
  });

  it("refuses a document over the token limit", async () => {
    const query = `{ ${Array.from({ length: 3000 }, (_, i) => `a${i}: me { id }`).join(" ")} }`;
    const res = await gql(url, query, {}, user.token);
    expect(errorCode(res)).toBe("GRAPHQL_PARSE_FAILED");
    expect(res.errors![0].message).toMatch(/4000 tokens/);
  });

  it("refuses a document nested too deep", async () => {
    const query = `{ mailboxes { messages { edges { node { mailbox { messages { edges { node { mailbox { messages { edges { node { id } } } } } } } } } } } } }`;
    const res = await gql(url, query, {}, user.token);
    expect(errorCode(res)).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(res.errors![0].message).toMatch(/levels deep; the limit is 12/);
  });

  it("refuses an oversized upload with MESSAGE_TOO_LARGE and stores nothing", async () => {
    const big = Buffer.concat([Buffer.from("Subject: big\r\n\r\n"), Buffer.alloc(LIMIT + 1, "a")]);
    const res = await upload(url, user, big);
    expect(errorCode(res)).toBe("MESSAGE_TOO_LARGE");
    const state = await gqlOk(url, `{ me { storageUsed } mailbox: mailboxes { total } }`, {}, user.token);
    expect(state.me.storageUsed).toBe(0);
    expect(state.mailbox.every((m: any) => m.total === 0)).toBe(true);
  });

  it("refuses an upload larger than the HTTP body limit with a clear error", async () => {
    const res = await post(
      JSON.stringify({
        query: 'mutation($r: String!) { uploadMessage(mailboxId: "x", raw: $r) { id } }',
        variables: { r: "A".repeat(LIMIT * 2 + 200_000) },
      }),
    );
    expect(res.status).toBe(413);
    expect(errorCode((await res.json()) as any)).toBe("MESSAGE_TOO_LARGE");
  });

  it("refuses more than 50 message bodies in one request, naming the limit", async () => {
    for (let i = 0; i < 51; i++) await upload(url, user, simpleMessage({ subject: `body ${i}` }));
    const res = await gql(
      url,
      `{ search(filter: {}, first: 60) { edges { node { body { text } } } } }`,
      {},
      user.token,
    );
    expect(errorCode(res)).toBe("INVALID_INPUT");
    expect(res.errors![0].message).toMatch(/at most 50 message bodies/);
    const ok = await gqlOk(
      url,
      `{ search(filter: {}, first: 50) { edges { node { body { text } } } } }`,
      {},
      user.token,
    );
    expect(ok.search.edges).toHaveLength(50);
  });

  it("takes a raw upload over POST /upload and refuses one past the limit before reading it all", async () => {
    const post = (body: Buffer, mailbox = user.inbox, token = user.token) =>
      fetch(`${url}/upload/${mailbox}?flags=%5CSeen`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "message/rfc822" },
        body,
      });
    const raw = simpleMessage({ subject: "raw route" });
    const ok = await post(raw);
    expect(ok.status).toBe(201);
    const stored = (await ok.json()) as { id: string; flags: string[] };
    expect(stored.flags).toEqual(["\\Seen"]);
    expect((await downloadRaw(url, stored.id, user.token)).body.equals(raw)).toBe(true);
    const before = (await gqlOk(url, `{ me { storageUsed } }`, {}, user.token)).me.storageUsed;
    const big = await post(Buffer.alloc(LIMIT + 1, 0x61));
    expect(big.status).toBe(413);
    expect(((await big.json()) as any).error.code).toBe("MESSAGE_TOO_LARGE");
    expect((await gqlOk(url, `{ me { storageUsed } }`, {}, user.token)).me.storageUsed).toBe(before);
    const other = await createUser(url, "raw-intruder");
    expect((await post(raw, user.inbox, other.token)).status).toBe(404);
    expect((await post(raw, user.inbox, "bogus")).status).toBe(401);
  });

  it("refuses raw data that is not base64", async () => {
    expect(
      errorCode(
        await gql(
          url,
          `mutation($m: ID!) { uploadMessage(mailboxId: $m, raw: "not base64!!") { id } }`,
          { m: user.inbox },
          user.token,
        ),
      ),
    ).toBe("INVALID_INPUT");
  });

  it("stores invalid MIME as given and gives it back byte for byte", async () => {
    const samples = [
      Buffer.from("no headers at all, just text\r\n"),
      Buffer.from(
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nnever closed',
      ),
      Buffer.from(
        "Subject: =?utf-8?B?broken?=\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n",
      ),
      Buffer.from([0x53, 0x75, 0x62, 0x6a, 0x3a, 0xff, 0xfe, 0x0a, 0x0a, 0x00, 0x01, 0x80, 0x0a]),
      Buffer.from("\r\n"),
    ];
    for (const raw of samples) {
      const res = await upload(url, user, raw);
      expect(res.errors).toBeUndefined();
      const back = await downloadRaw(url, res.data.uploadMessage.id, user.token);
      expect(back.body.equals(raw)).toBe(true);
    }
  });

  it("keeps serving after all of that", async () => {
    const ok = await upload(url, user, simpleMessage());
    expect(ok.errors).toBeUndefined();
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });
});

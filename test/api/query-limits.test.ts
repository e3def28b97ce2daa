// Invariant 7 (GraphQL part): a small document cannot make the server do unbounded work. Validation is
// linear in the document, and an operation's cost (fields times list sizes) is checked before it runs
// and before its token is looked up.
import { createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
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

/** Fragments that each spread the one below twice: `levels` levels name 2^levels copies of `me { id }`. */
function fragmentBomb(levels: number): string {
  const fragments = ["fragment F0 on Query { me { id username } }"];
  for (let i = 1; i <= levels; i++) fragments.push(`fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`);
  return `{ ...F${levels} } ${fragments.join(" ")}`;
}

// Generous: the refusal takes milliseconds; the old walk took 12 s for 22 levels and 4x more per 2 levels.
const QUICK_MS = 3000;

describe("GraphQL API: query cost and fragment bombs", () => {
  let server: TestEider;
  let url: string;
  let user: TestUser;

  beforeAll(async () => {
    server = await startTestEider();
    url = server.url;
    user = await createUser(url, "costly");
    for (let i = 0; i < 3; i++) await upload(url, user, simpleMessage({ subject: `m${i}` }));
  });
  afterAll(async () => server?.stop());

  for (const levels of [22, 40]) {
    it(`refuses a ${levels}-level fragment bomb from nobody, quickly, while /health answers`, async () => {
      const query = fragmentBomb(levels);
      expect(query.length).toBeLessThan(2000);
      const started = performance.now();
      const bombs = Array.from({ length: 4 }, () => gql(url, query));
      const health = fetch(`${url}/health`).then((r) => ({
        status: r.status,
        ms: performance.now() - started,
      }));
      const answers = await Promise.all(bombs);
      const elapsed = performance.now() - started;
      for (const res of answers) {
        expect(res.data).toBeUndefined();
        expect(errorCode(res)).toBe("QUERY_TOO_COMPLEX");
        expect(res.errors![0].message).toMatch(/limit/);
      }
      expect((await health).status).toBe(200);
      expect((await health).ms).toBeLessThan(QUICK_MS);
      expect(elapsed).toBeLessThan(QUICK_MS);
    });
  }

  it("refuses a selection repeated over and over before graphql compares the copies pairwise", async () => {
    // graphql's OverlappingFieldsCanBeMerged compares fields merging at one path pairwise: 990 x `me { id }`
    // took 0.4 s, and so did 5 copies on each of 4 nested levels (625 fields at one path).
    const levels = ["messages(first: 1)", "edges", "node", "mailbox"];
    let nested = "id";
    for (let i = levels.length - 1; i >= 0; i--)
      nested = Array.from({ length: 5 }, () => `${levels[i]} { ${nested} }`).join(" ");
    const shapes = [
      `{ mailbox(id: "x") { ${nested} } }`,
      `{ ${Array.from({ length: 990 }, () => "me { id }").join(" ")} }`,
      `{ ${Array.from({ length: 400 }, () => "... on Query { me { id } }").join(" ")} }`,
      `{ ${Array.from({ length: 1900 }, () => "...F").join(" ")} } fragment F on Query { me { id } }`,
    ];
    for (const query of shapes) {
      const started = performance.now();
      const res = await gql(url, query);
      expect(performance.now() - started).toBeLessThan(QUICK_MS);
      expect(errorCode(res)).toBe("QUERY_TOO_COMPLEX");
      expect(res.errors![0].message).toMatch(/asked for more than 10 times/);
    }
    // A few repeats, as a fragment and a query naming `id` both, are fine.
    const ok = await gqlOk(
      url,
      `{ me { id id ...U ... on User { id } } } fragment U on User { id username }`,
      {},
      user.token,
    );
    expect(ok.me.id).toBe(user.id);
  });

  it("answers 400 to a costly operation, before looking at the token", async () => {
    const res = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer not-a-real-token" },
      body: JSON.stringify({ query: fragmentBomb(22) }),
    });
    expect(res.status).toBe(400);
    expect(errorCode((await res.json()) as any)).toBe("QUERY_TOO_COMPLEX");
    // The same token on an affordable operation is looked up, and refused.
    const cheap = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer not-a-real-token" },
      body: JSON.stringify({ query: "{ me { id } }" }),
    });
    expect(cheap.status).toBe(401);
    expect(errorCode((await cheap.json()) as any)).toBe("UNAUTHENTICATED");
  });

  it("counts page sizes given in variables, not only in the document", async () => {
    const query = `query($n: Int!) { mailboxes { messages(first: $n) { edges { node { mailbox {
      messages(first: $n) { edges { node { id subject flags } } } } } } } } }`;
    const big = await gql(url, query, { n: 500 }, user.token);
    expect(errorCode(big)).toBe("QUERY_TOO_COMPLEX");
    const small = await gqlOk(url, query, { n: 2 }, user.token);
    expect(small.mailboxes.length).toBeGreaterThan(0);
  });

  it("lets ordinary operations through: the web client's page, mailboxes with pages, a full search page", async () => {
    const page = await gqlOk(
      url,
      `query MessagePage($mailboxId: ID!, $first: Int!, $after: String) {
        mailbox(id: $mailboxId) { id messages(first: $first, after: $after) {
          edges { cursor node { id subject preview internalDate flags hasAttachments threadSize from { name address } } }
          pageInfo { hasNextPage endCursor } } } }`,
      { mailboxId: user.inbox, first: 50 },
      user.token,
    );
    expect(page.mailbox.messages.edges).toHaveLength(3);
    const boxes = await gqlOk(
      url,
      `{ mailboxes { id path total messages(first: 50) { edges { node { id subject flags from { address } } } } } }`,
      {},
      user.token,
    );
    expect(boxes.mailboxes.find((m: any) => m.path === "INBOX").messages.edges).toHaveLength(3);
    const search = await gqlOk(
      url,
      `{ search(filter: {}, first: 500) { edges { cursor node { id subject preview flags size from { name address } to { address } } } } }`,
      {},
      user.token,
    );
    expect(search.search.edges).toHaveLength(3);
  });

  it("refuses a fragment bomb sent as a subscription over the WebSocket, before authentication", async () => {
    const client = createClient({
      url: url.replace(/^http/, "ws") + "/graphql",
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    const levels = 30;
    const fragments = ["fragment S0 on MailboxChange { type modseq }"];
    for (let i = 1; i <= levels; i++)
      fragments.push(`fragment S${i} on MailboxChange { ...S${i - 1} ...S${i - 1} }`);
    const query = `subscription($m: ID!) { mailboxChanged(mailboxId: $m) { ...S${levels} } } ${fragments.join(" ")}`;
    const started = performance.now();
    const errors = await new Promise<any[]>((resolve) => {
      client.subscribe(
        { query, variables: { m: "x" } },
        { next: () => resolve([]), error: (e) => resolve(e as any[]), complete: () => resolve([]) },
      );
    });
    await client.dispose();
    expect(performance.now() - started).toBeLessThan(QUICK_MS);
    expect(errors[0]?.extensions?.code).toBe("QUERY_TOO_COMPLEX");
  });
});

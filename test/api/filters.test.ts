// Filters and spam routing end to end: filters made over GraphQL, mail delivered over LMTP by Python's smtplib,
// and where each message landed (and its flags) read back over GraphQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pythonLmtp } from "../../sidecars/lmtp/test/clients.js";
import {
  createUser,
  errorCode,
  gql,
  gqlOk,
  startTestEider,
  type TestEider,
  type TestUser,
} from "../harness/eider.js";
import { simpleMessage } from "./fixtures.js";

const FILTER_FIELDS = `id name position enabled
  conditions { from to subject listId body hasAttachment largerThan smallerThan spam }
  actions { markSeen flag delete markSpam moveTo stop }`;

describe("API: filters and spam routing, delivered over LMTP (smtplib)", () => {
  let server: TestEider;
  let alice: TestUser;
  let lmtpPort: number;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestEider();
    lmtpPort = server.eider.lmtp!.port;
    alice = await createUser(server.url, "filteralice", ["alice@filters.example"]);
  });
  afterAll(() => server?.stop());

  const as = (u: TestUser, query: string, vars: Record<string, unknown> = {}) =>
    gqlOk(server.url, query, vars, u.token);
  const create = (u: TestUser, input: Record<string, unknown>) =>
    gql(
      server.url,
      `mutation($i: CreateFilterInput!) { createFilter(input: $i) { ${FILTER_FIELDS} } }`,
      { i: input },
      u.token,
    );

  /** Delivers one message to alice over LMTP; every reply must be 250. */
  async function deliver(raw: Buffer): Promise<string> {
    const r = await pythonLmtp(lmtpPort, {
      from: "sender@remote.example",
      rcpts: ["alice@filters.example"],
      data: raw,
    });
    expect(r.rcpt).toEqual([[250, expect.any(String)]]);
    expect(r.data).toHaveLength(1);
    expect(r.data[0][0]).toBe(250);
    return r.data[0][1];
  }

  /** Mailbox path -> [subject, sorted flags] of every message, as alice sees them. */
  async function landed(): Promise<Record<string, Array<[string, string[]]>>> {
    const data = await as(
      alice,
      `{ mailboxes { path messages(first: 100) { edges { node { subject flags } } } } }`,
    );
    const out: Record<string, Array<[string, string[]]>> = {};
    for (const box of data.mailboxes as Array<{
      path: string;
      messages: { edges: Array<{ node: { subject: string; flags: string[] } }> };
    }>)
      out[box.path] = box.messages.edges
        .map((e) => [e.node.subject, [...e.node.flags].sort()] as [string, string[]])
        .sort();
    return out;
  }

  it("creates filters with typed inputs and lists them on the account in order, with global ids", async () => {
    ids.lists = (await as(alice, `mutation { createMailbox(path: "Lists") { id } }`)).createMailbox.id;
    const made = [
      await create(alice, {
        name: "dev list",
        conditions: { listId: "DEV.example" },
        actions: { moveTo: ids.lists, markSeen: true },
      }),
      await create(alice, {
        name: "boss",
        conditions: { from: "boss@work" },
        actions: { flag: true, stop: true },
      }),
      await create(alice, {
        name: "no ads",
        conditions: { subject: "sale", body: "buy now" },
        actions: { delete: true },
      }),
      await create(alice, { name: "big", conditions: { largerThan: 20000 }, actions: { markSpam: true } }),
    ].map((r) => {
      expect(r.errors).toBeUndefined();
      return r.data.createFilter;
    });
    [ids.dev, ids.boss, ids.ads, ids.big] = made.map((f) => f.id);
    expect(made[0]).toEqual({
      id: ids.dev,
      name: "dev list",
      position: 0,
      enabled: true,
      conditions: {
        from: null,
        to: null,
        subject: null,
        listId: "DEV.example",
        body: null,
        hasAttachment: null,
        largerThan: null,
        smallerThan: null,
        spam: null,
      },
      actions: {
        markSeen: true,
        flag: false,
        delete: false,
        markSpam: false,
        moveTo: ids.lists,
        stop: false,
      },
    });
    const listed = await as(
      alice,
      `{ me { filters { totalCount edges { cursor node { id name position } } pageInfo { hasNextPage } } } }`,
    );
    expect(listed.me.filters.edges.map((e: any) => [e.node.name, e.node.position])).toEqual([
      ["dev list", 0],
      ["boss", 1],
      ["no ads", 2],
      ["big", 3],
    ]);
    // Relay paging over the same order.
    const first = listed.me.filters.edges[0].cursor;
    const page = await as(
      alice,
      `query($a: String) { me { filters(first: 2, after: $a) { edges { node { name } } pageInfo { hasNextPage } } } }`,
      { a: first },
    );
    expect(page.me.filters.edges.map((e: any) => e.node.name)).toEqual(["boss", "no ads"]);
    expect(page.me.filters.pageInfo.hasNextPage).toBe(true);
    const node = await as(alice, `query($id: ID!) { node(id: $id) { __typename ... on Filter { name } } }`, {
      id: ids.boss,
    });
    expect(node.node).toEqual({ __typename: "Filter", name: "boss" });
  });

  it("refuses bad filters with extensions.code", async () => {
    expect(errorCode(await create(alice, { name: "x", conditions: {}, actions: {} }))).toBe("INVALID_INPUT");
    expect(
      errorCode(
        await create(alice, { name: "x", conditions: {}, actions: { delete: true, moveTo: ids.lists } }),
      ),
    ).toBe("INVALID_INPUT");
    expect(
      errorCode(
        await create(alice, { name: "x", conditions: {}, actions: { moveTo: "0123456789abcdef01234567" } }),
      ),
    ).toBe("NOT_FOUND");
    expect(
      errorCode(
        await gql(
          server.url,
          `mutation { updateFilter(id: "0123456789abcdef01234567", input: { name: "y" }) { id } }`,
          {},
          alice.token,
        ),
      ),
    ).toBe("NOT_FOUND");
  });

  it("routes each delivered message by the filters and the trusted spam headers", async () => {
    await deliver(
      Buffer.from(`List-Id: Developers <dev.example>\r\n${simpleMessage({ subject: "weekly digest" })}`),
    );
    await deliver(simpleMessage({ subject: "see me", from: "The Boss <boss@work.example>" }));
    const discarded = await deliver(simpleMessage({ subject: "Big SALE", body: "Buy now, cheap!" }));
    expect(discarded).toMatch(/Discarded at the user's request/);
    await deliver(simpleMessage({ subject: "a sale", body: "nothing to buy" })); // one condition of two: kept
    await deliver(simpleMessage({ subject: "huge", body: "x".repeat(30000) }));
    await deliver(
      Buffer.from(
        `X-Spam-Status: Yes, score=9.3 required=5.0\r\n${simpleMessage({ subject: "cheap pills" })}`,
      ),
    );
    await deliver(
      Buffer.from(`X-Rspamd-Action: rewrite subject\r\n${simpleMessage({ subject: "***SPAM*** prize" })}`),
    );
    await deliver(Buffer.from(`X-Spam-Status: No, score=0.1\r\n${simpleMessage({ subject: "plain" })}`));
    const boxes = await landed();
    expect(boxes.Lists).toEqual([["weekly digest", ["\\Seen"]]]);
    expect(boxes.INBOX).toEqual([
      ["a sale", []],
      ["plain", []],
      ["see me", ["\\Flagged"]],
    ]);
    expect(boxes.Junk).toEqual([
      ["***SPAM*** prize", ["$Junk"]],
      ["cheap pills", ["$Junk"]],
      ["huge", ["$Junk"]],
    ]);
    expect(
      Object.values(boxes)
        .flat()
        .map(([s]) => s),
    ).not.toContain("Big SALE");
    // The delivery log over GraphQL says what routing did to each.
    const log = await as(
      alice,
      `{ me { deliveries(first: 20) { edges { node { subject outcome verdict matchedFilters { id name } spam { spam score } } } } } }`,
    );
    const entry = (subject: string) =>
      log.me.deliveries.edges.map((e: any) => e.node).find((n: any) => n.subject === subject);
    expect(entry("Big SALE")).toEqual({
      subject: "Big SALE",
      outcome: "DISCARDED",
      verdict: "discarded",
      matchedFilters: [{ id: ids.ads, name: "no ads" }],
      spam: { spam: false, score: null },
    });
    expect(entry("weekly digest")).toMatchObject({
      verdict: "mailbox",
      matchedFilters: [{ name: "dev list" }],
    });
    expect(entry("cheap pills")).toMatchObject({
      verdict: "junk",
      matchedFilters: [],
      spam: { spam: true, score: 9.3 },
    });
  });

  it("applies a new order, and a user's own spam level", async () => {
    // Before, "boss" (with stop) came first and a big message from the boss stayed in INBOX; with "big" first it
    // goes to Junk, and "boss" still flags it.
    const order = await as(alice, `mutation($ids: [ID!]!) { reorderFilters(ids: $ids) { name position } }`, {
      ids: [ids.big, ids.dev, ids.boss, ids.ads],
    });
    expect(order.reorderFilters.map((f: any) => f.name)).toEqual(["big", "dev list", "boss", "no ads"]);
    expect(
      errorCode(
        await gql(
          server.url,
          `mutation($ids: [ID!]!) { reorderFilters(ids: $ids) { id } }`,
          { ids: [ids.big] },
          alice.token,
        ),
      ),
    ).toBe("INVALID_INPUT");
    await deliver(
      simpleMessage({ subject: "boss report", from: "boss@work.example", body: "y".repeat(30000) }),
    );
    expect((await landed()).Junk).toContainEqual(["boss report", ["$Junk", "\\Flagged"]]);

    expect((await as(alice, `{ me { spamLevel spamLevelIsDefault } }`)).me).toEqual({
      spamLevel: 5,
      spamLevelIsDefault: true,
    });
    const set = await as(alice, `mutation { setSpamLevel(level: 10) { spamLevel spamLevelIsDefault } }`);
    expect(set.setSpamLevel).toEqual({ spamLevel: 10, spamLevelIsDefault: false });
    await deliver(
      Buffer.from(
        `X-Spam-Status: Yes, score=9.3 required=5.0\r\n${simpleMessage({ subject: "borderline" })}`,
      ),
    );
    expect((await landed()).INBOX.map(([s]) => s)).toContain("borderline");
  });

  it("delivers to INBOX when a filter's mailbox was deleted, and refuses to save a filter naming it", async () => {
    await as(alice, `mutation($id: ID!) { deleteMailbox(id: $id) }`, { id: ids.lists });
    const reply = await deliver(
      Buffer.from(`List-Id: <dev.example>\r\n${simpleMessage({ subject: "after the delete" })}`),
    );
    expect(reply).toContain(ids.lists);
    expect((await landed()).INBOX).toContainEqual(["after the delete", ["\\Seen"]]);
    const update = await gql(
      server.url,
      `mutation($id: ID!, $m: ID!) { updateFilter(id: $id, input: { actions: { moveTo: $m } }) { id } }`,
      { id: ids.dev, m: ids.lists },
      alice.token,
    );
    expect(errorCode(update)).toBe("NOT_FOUND");
    const renamed = await as(
      alice,
      `mutation($id: ID!) { updateFilter(id: $id, input: { name: "dev (old)", enabled: false }) { name enabled actions { moveTo } } }`,
      { id: ids.dev },
    );
    expect(renamed.updateFilter).toEqual({
      name: "dev (old)",
      enabled: false,
      actions: { moveTo: ids.lists },
    });
    expect(
      (await as(alice, `mutation($id: ID!) { deleteFilter(id: $id) }`, { id: ids.dev })).deleteFilter,
    ).toBe(true);
    expect((await as(alice, `{ me { filters { totalCount } } }`)).me.filters.totalCount).toBe(3);
  });
});

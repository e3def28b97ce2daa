import { buildSchema, getOperationAST, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { operationCost } from "./cost.js";

const schema = buildSchema(`
  type Query { me: User! mailboxes: [Mailbox!]! }
  type User { id: ID! name: String! }
  type Mailbox { id: ID! flags: [String!]! messages(first: Int! = 50): Conn! }
  type Conn { edges: [Edge!]! pageInfo: PageInfo! }
  type Edge { cursor: String! node: Message! }
  type Message { id: ID! mailbox: Mailbox! }
  type PageInfo { hasNextPage: Boolean! }
`);

const cost = (query: string, variables?: Record<string, unknown>, cap?: number) => {
  const document = parse(query);
  return operationCost(schema, document, getOperationAST(document)!, variables, 10, cap);
};

describe("GraphQL: operation cost", () => {
  it("counts each field once, and scalar lists as one field", () =>
    expect(cost("{ me { id name } }")).toBe(3));
  it("multiplies a list without a page size by the default list size", () =>
    expect(cost("{ mailboxes { id flags } }")).toBe(1 + 10 * 2));
  it("multiplies by first, and counts a connection's edges as the same page", () =>
    expect(cost("{ me { id } mailboxes { messages(first: 5) { edges { node { id } } } } }")).toBe(
      2 + 1 + 10 * (1 + 5 * (1 + 2)),
    ));
  it("takes first from the variables, else the argument's default", () => {
    const q = "query($n: Int) { mailboxes { messages(first: $n) { edges { cursor } } } }";
    expect(cost(q, { n: 3 })).toBe(1 + 10 * (1 + 3 * 2));
    expect(cost(q, {})).toBe(1 + 10 * (1 + 50 * 2));
  });
  it("counts fragments as if written out, and inline fragments too", () =>
    expect(cost("{ ...A ...A } fragment A on Query { me { ... on User { id } } }")).toBe(2 * 2));
  it("counts a 60-level fragment bomb in linear time, saturating at the cap", () => {
    const f = ["fragment F0 on Query { me { id } }"];
    for (let i = 1; i <= 60; i++) f.push(`fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`);
    expect(cost(`{ ...F60 } ${f.join(" ")}`, undefined, 1_000_001)).toBe(1_000_001);
    expect(cost(`{ ...F20 } ${f.join(" ")}`)).toBe(2 ** 21);
  });
  it("survives a fragment cycle (graphql's own rule refuses it)", () =>
    expect(cost("{ ...A } fragment A on Query { me { id } ...B } fragment B on Query { ...A }")).toBe(2));
});

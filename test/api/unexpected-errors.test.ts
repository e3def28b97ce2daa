// An error that is not a domain error (a bug, a driver failure) reaches the client as a generic
// INTERNAL_SERVER_ERROR with no detail; the detail goes to the log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, gql, startTestEider, type TestEider, type TestUser } from "../harness/eider.js";

const SECRET = "SQLITE_CORRUPT at /var/lib/eider/secret-path.sqlite";

describe("API: unexpected errors", () => {
  let server: TestEider;
  let alice: TestUser;
  beforeAll(async () => {
    server = await startTestEider();
    alice = await createUser(server.url, "unexpected");
    // The real store, with one call failing the way a driver would: a bare Error carrying internal detail.
    const messages = server.eider.adapters.store.messages;
    server.eider.adapters.store.messages = new Proxy(messages, {
      get(target, key) {
        if (key === "search") return async () => Promise.reject(new Error(SECRET));
        const value = Reflect.get(target, key) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  });
  afterAll(() => server?.stop());

  it("answers a generic INTERNAL_SERVER_ERROR without the message, the stack or the path", async () => {
    const res = await gql(
      server.url,
      `query($m: ID!) { mailbox(id: $m) { path messages(first: 5) { edges { node { id } } } } }`,
      { m: alice.inbox },
      alice.token,
    );
    expect(res.errors).toEqual([
      {
        message: "Internal server error.",
        path: ["mailbox", "messages"],
        extensions: { code: "INTERNAL_SERVER_ERROR" },
      },
    ]);
    expect(JSON.stringify(res)).not.toContain("secret-path");
    expect(res.data).toBeNull(); // messages is non-null, so the error nulls its parent, mailbox, and then data
  });

  it("still answers the parts of the request that did not fail", async () => {
    const res = await gql(
      server.url,
      `query($m: ID!) { mailbox(id: $m) { path } }`,
      { m: alice.inbox },
      alice.token,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.mailbox.path).toBe("INBOX");
  });
});

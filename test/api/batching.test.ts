// A page of messages costs a constant number of store round trips, whatever its size (batched loading).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/storage/ports.js";
import {
  createUser,
  gqlOk,
  startTestEider,
  upload,
  type TestEider,
  type TestUser,
} from "../harness/eider.js";
import { simpleMessage } from "./fixtures.js";

/** Counts every call into the store's parts (the real store still answers). */
function countCalls(store: Store): { count: () => number; reset: () => void } {
  let calls = 0;
  for (const part of [
    "users",
    "addresses",
    "mailboxes",
    "messages",
    "blobs",
    "journal",
    "threads",
    "sessions",
  ] as const) {
    const target = store[part] as unknown as Record<string, unknown>;
    (store as unknown as Record<string, unknown>)[part] = new Proxy(target, {
      get(obj, key) {
        const value = Reflect.get(obj, key);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          calls++;
          return (value as (...a: unknown[]) => unknown).apply(obj, args);
        };
      },
    });
  }
  return { count: () => calls, reset: () => (calls = 0) };
}

describe("GraphQL API: batched loading", () => {
  let server: TestEider;
  let user: TestUser;
  let counter: ReturnType<typeof countCalls>;

  beforeAll(async () => {
    server = await startTestEider();
    user = await createUser(server.url, "batch");
    for (let i = 0; i < 60; i++) {
      const box = i % 2 ? user.inbox : user.mailboxes.Archive;
      await upload(
        server.url,
        user,
        simpleMessage({
          subject: `batch ${i}`,
          messageId: `<b${i}@x>`,
          inReplyTo: i > 0 ? `<b${i - 1}@x>` : undefined,
        }),
        box,
      );
    }
    counter = countCalls(server.eider.adapters.store);
  });
  afterAll(async () => server?.stop());

  async function callsFor(first: number): Promise<number> {
    counter.reset();
    const data = await gqlOk(
      server.url,
      `query($n: Int!) { search(filter: {}, first: $n) { edges { node { id subject flags threadSize mailbox { path total unseen } } } } }`,
      { n: first },
      user.token,
    );
    expect(data.search.edges).toHaveLength(first);
    return counter.count();
  }

  it("costs the same number of store calls for a page of 5 and a page of 50", async () => {
    const small = await callsFor(5);
    const large = await callsFor(50);
    expect(large).toBe(small);
    expect(large).toBeLessThanOrEqual(8);
  });
});

// The sender rules on a real store: the user's own addresses by the core's address rules, an admin-set wildcard,
// and nobody else's, whatever the spelling.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestCore, type TestCore } from "../../../test/harness/core.js";
import { ADMIN } from "../principal.js";
import { RecipientLimit } from "./recipient-limit.js";
import { assertSenderAddresses, isAddressOf } from "./sender-check.js";

describe("Submission: who may be named as sender", () => {
  let t: TestCore;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    t = await openTestCore();
    ({ userId: alice } = await t.addUser("alice", {
      addresses: ["Alice.Smith@Example.com", "alice@bücher.de"],
    }));
    ({ userId: bob } = await t.addUser("bob", { addresses: ["bob@example.com"] }));
    await t.core.users.addAddress(ADMIN, alice, "*@alice.test");
    await t.core.users.addAddress(ADMIN, bob, "boss@alice.test");
  });
  afterAll(() => t?.close());

  it("accepts the user's address whatever its case, dots, +label or IDN form", async () => {
    for (const a of [
      "alice.smith@example.com",
      "ALICESMITH@EXAMPLE.COM",
      "alice.smith+news@example.com",
      "alice@xn--bcher-kva.de",
      "alice@BÜCHER.de",
    ])
      expect(await isAddressOf(t.store, alice, a), a).toBe(true);
  });

  it("accepts any address under a wildcard the admin gave the user, except one that is somebody else's", async () => {
    expect(await isAddressOf(t.store, alice, "anything@alice.test")).toBe(true);
    expect(await isAddressOf(t.store, alice, "boss@alice.test")).toBe(false);
    expect(await isAddressOf(t.store, bob, "boss@alice.test")).toBe(true);
  });

  it("refuses another user's address and an unknown one with FORBIDDEN naming it", async () => {
    await expect(assertSenderAddresses(t.store, alice, ["bob@example.com"], "From")).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: 'The From address "bob@example.com" is not one of your addresses.',
    });
    await expect(
      assertSenderAddresses(
        t.store,
        bob,
        ["alice.smith@example.com", "nobody@nowhere.test"],
        "envelope sender",
      ),
    ).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("envelope sender") });
    await expect(assertSenderAddresses(t.store, alice, ["not an address"], "From")).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
  });
});

describe("Submission: the daily recipient limit", () => {
  let t: TestCore;
  beforeAll(async () => {
    t = await openTestCore();
  });
  afterAll(() => t?.close());

  it("counts recipients per user, refuses a message that would pass the limit whole, and gives back a refund", async () => {
    const limit = new RecipientLimit(t.bus);
    await limit.charge("u1", 3, 5);
    await limit.charge("u2", 5, 5);
    const err = await limit.charge("u1", 3, 5).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "RATE_LIMITED" });
    expect((err as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(86_000_000);
    expect((err as Error).message).toMatch(/daily limit of 5 \(3 used\)/);
    expect(await limit.used("u1")).toBe(3);
    await limit.charge("u1", 2, 5);
    await limit.refund("u1", 4);
    expect(await limit.used("u1")).toBe(1);
  });
});

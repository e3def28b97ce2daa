import { afterEach, describe, expect, it } from "vitest";
import { openTestCore, type TestCore } from "../../test/harness/core.js";
import { ADMIN, ANONYMOUS, type Principal } from "./index.js";

let t: TestCore | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe("Core: nodes by id", () => {
  it("finds each kind the owner may read, and none of them for another user", async () => {
    t = await openTestCore();
    const alice = await t.addUser("nodes-alice", { addresses: ["na@example.com"] });
    const bob = await t.addUser("nodes-bob");
    const asAlice: Principal = { kind: "user", userId: alice.userId };
    const asBob: Principal = { kind: "user", userId: bob.userId };
    const m = await t.core.messages.upload(asAlice, alice.inboxId, Buffer.from("Subject: n\r\n\r\nn\r\n"));
    const [address] = await t.core.users.addresses(asAlice);
    const expected = {
      [alice.userId]: "User",
      [address.id]: "Address",
      [alice.inboxId]: "Mailbox",
      [m.id]: "Message",
      [m.threadId]: "Thread",
    };
    for (const [id, type] of Object.entries(expected)) {
      expect((await t.core.nodes.find(asAlice, id))?.type).toBe(type);
      expect(await t.core.nodes.find(asBob, id)).toBeNull();
    }
    expect(await t.core.nodes.find(ADMIN, alice.userId)).toMatchObject({ type: "User" });
    expect(await t.core.nodes.find(ADMIN, m.id)).toBeNull();
    expect(await t.core.nodes.find(asAlice, "no-such-id")).toBeNull();
    await expect(t.core.nodes.find(ANONYMOUS, m.id)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });
});

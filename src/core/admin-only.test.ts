import { afterEach, describe, expect, it } from "vitest";
import { openTestCore, type TestCore } from "../../test/harness/core.js";
import { ADMIN, ANONYMOUS, type Principal } from "./index.js";

let t: TestCore | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe("Core: admin-only entry points", () => {
  it("refuse a user and an anonymous caller, and serve the admin", async () => {
    t = await openTestCore();
    const { userId } = await t.addUser("not-admin");
    const core = t.core;
    const calls: Array<[string, (p: Principal) => Promise<unknown>]> = [
      ["maintenance.repair", (p) => core.maintenance.repair(p, { dryRun: true })],
      ["maintenance.ensureSpecialUse", (p) => core.maintenance.ensureSpecialUse(p, { dryRun: true })],
      ["maintenance.reconcileUsage", (p) => core.maintenance.reconcileUsage(p)],
      ["maintenance.runOnce", (p) => core.maintenance.runOnce(p)],
      ["users.list", (p) => core.users.list(p, 10)],
    ];
    for (const [name, call] of calls) {
      await expect(call({ kind: "user", userId }), name).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(call(ANONYMOUS), name).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(call(ADMIN), name).resolves.not.toThrow();
    }
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestCore, type TestCore } from "../../test/harness/core.js";
import { isDomainError, type Principal } from "./index.js";

const codeOf = (err: unknown) => (isDomainError(err) ? err.code : String(err));
const failure = (p: Promise<unknown>) => p.then(() => "OK", codeOf);
const from = { ip: "192.0.2.1", protocol: "graphql" } as const;

describe("Credentials: every password check goes through the guessing limit", () => {
  let t: TestCore;
  let alice: Principal;
  let aliceId: string;
  beforeEach(async () => {
    t = await openTestCore({ loginAttempts: 3 });
    const { userId } = await t.addUser("alice");
    aliceId = userId;
    alice = { kind: "user", userId };
  });
  afterEach(() => t.close());

  it("counts wrong current passwords of changePassword and wrong logins against one limit", async () => {
    expect(
      await failure(t.core.auth.changePassword(alice, null, "guess one", "a new long secret", from)),
    ).toBe("AUTH_FAILED");
    expect(await failure(t.core.auth.login("alice", "guess two", from))).toBe("AUTH_FAILED");
    expect(await failure(t.core.auth.checkPassword("alice", "guess three", from))).toBe("AUTH_FAILED");
    // The limit is reached: the right password is refused by every door until the window passes.
    expect(await failure(t.core.auth.login("alice", "a long secret", from))).toBe("RATE_LIMITED");
    expect(
      await failure(t.core.auth.changePassword(alice, null, "a long secret", "a new long secret", from)),
    ).toBe("RATE_LIMITED");
  });

  it("offers no password check on the core outside AuthService", () => {
    // A front end that verified passwords through another service would bypass the limit above.
    const services = Object.entries(t.core).filter(([name]) => name !== "auth");
    for (const [name, service] of services) {
      if (service === null || typeof service !== "object") continue;
      const methods = new Set<string>();
      for (let o = service; o && o !== Object.prototype; o = Object.getPrototypeOf(o))
        for (const key of Object.getOwnPropertyNames(o)) methods.add(key);
      for (const forbidden of ["authenticate", "verify", "verifyPassword", "changePassword", "checkPassword"])
        expect(methods.has(forbidden), `core.${name}.${forbidden}`).toBe(false);
    }
  });

  it("keeps the asking session and ends the others when the password changes", async () => {
    const a = await t.core.auth.login("alice", "a long secret", from);
    const b = await t.core.auth.login("alice", "a long secret", from);
    await t.core.auth.changePassword(alice, a.token, "a long secret", "a new long secret", from);
    expect((await t.core.auth.principalFor(a.token)).kind).toBe("user");
    expect(await failure(t.core.auth.principalFor(b.token))).toBe("UNAUTHENTICATED");
    expect(await failure(t.core.auth.login("alice", "a long secret", from))).toBe("AUTH_FAILED");
    expect((await t.core.auth.login("alice", "a new long secret", from)).userId).toBe(aliceId);
  });
});

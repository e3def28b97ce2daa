// The login limits and the auth log on a real core (SQLite + the in-memory bus): what each limit counts, what a
// refusal does and says, and what the log keeps of each attempt.
import { afterEach, describe, expect, it } from "vitest";
import { openTestCore, type TestCore, type TestCoreOptions } from "../../test/harness/core.js";
import type { Store } from "../storage/ports.js";
import { ADMIN, isDomainError, type AuthOrigin, type DomainError, type Principal } from "./index.js";

const pop3 = (ip: string): AuthOrigin => ({ ip, protocol: "pop3" });
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => "OK",
    (e: unknown) => (isDomainError(e) ? e.code : String(e)),
  );
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a refusal");
    },
    (e: DomainError) => e,
  );

/**
 * Sends bursts of 40 parallel wrong guesses until a whole burst is refused unchecked; returns how many were
 * checked (answered AUTH_FAILED) in all. Every answer is AUTH_FAILED or RATE_LIMITED.
 */
async function burstsUntilRefused(guess: () => Promise<unknown>): Promise<number> {
  let checked = 0;
  for (;;) {
    const codes = await Promise.all(Array.from({ length: 40 }, () => outcome(guess())));
    expect(codes.filter((c) => c !== "AUTH_FAILED" && c !== "RATE_LIMITED")).toEqual([]);
    const now = codes.filter((c) => c === "AUTH_FAILED").length;
    if (now === 0) return checked;
    checked += now;
  }
}

describe("Login limits and the auth log", () => {
  let t: TestCore;
  let reads = 0;
  /** Awaited before each user look-up by name; a test may hold look-ups (and so password checks) there. */
  let gated: () => Promise<void> = async () => {};
  afterEach(() => t?.close());

  /** A core whose store counts user look-ups by name (the first step of any password check). */
  async function open(options: TestCoreOptions = {}) {
    reads = 0;
    gated = async () => {};
    t = await openTestCore({
      loginAttempts: 3,
      loginAttemptsPerIp: 5,
      wrapStore: (store: Store) => ({
        ...store,
        users: Object.assign(Object.create(store.users) as Store["users"], {
          getByName: async (name: string) => {
            reads++;
            await gated();
            return store.users.getByName(name);
          },
        }),
      }),
      ...options,
    });
  }

  const check = (name: string, password: string, ip = "192.0.2.1") =>
    t.core.auth.checkPassword(name, password, pop3(ip));

  it("limits one client across many usernames, and only that client", async () => {
    await open();
    await t.addUser("alice");
    for (let i = 0; i < 5; i++) expect(await outcome(check(`nobody${i}`, "guess"))).toBe("AUTH_FAILED");
    const limited = await refusal(check("alice", "a long secret"));
    expect(limited.code).toBe("RATE_LIMITED");
    expect(limited.message).toMatch(/from this address; try again in \d+ seconds/);
    expect(limited.retryAfterMs).toBeGreaterThan(0);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(60_000);
    // Another client is not held back by the first one's failures.
    expect(await outcome(check("alice", "a long secret", "192.0.2.2"))).toBe("OK");
  });

  it("counts an IPv6 client by its /64, and an IPv4-mapped address as the IPv4 one", async () => {
    await open();
    for (let i = 0; i < 5; i++)
      expect(await outcome(check(`n${i}`, "guess", `2001:db8:7:7::${i + 1}`))).toBe("AUTH_FAILED");
    expect(await outcome(check("n9", "guess", "2001:db8:7:7:ffff::9"))).toBe("RATE_LIMITED");
    expect(await outcome(check("n9", "guess", "2001:db8:7:8::1"))).toBe("AUTH_FAILED");
    for (let i = 0; i < 5; i++) await outcome(check(`m${i}`, "guess", "198.51.100.4"));
    expect(await outcome(check("m9", "guess", "::ffff:198.51.100.4"))).toBe("RATE_LIMITED");
  });

  it("lets 15 concurrent right logins for one user through, and counts none of them as a failure", async () => {
    await open();
    await t.addUser("burst");
    const codes = await Promise.all(
      Array.from({ length: 15 }, () => outcome(check("burst", "a long secret"))),
    );
    expect(codes).toEqual(Array(15).fill("OK"));
    // The failure allowance (3) is untouched: three wrong passwords fail as such, only then is the user refused.
    for (let i = 0; i < 3; i++) expect(await outcome(check("burst", "wrong"))).toBe("AUTH_FAILED");
    expect((await refusal(check("burst", "a long secret"))).message).toMatch(
      /Too many failed password attempts/,
    );
  });

  it("starts at most allowance - 1 + checks-at-once password checks when one user's password is guessed in parallel", async () => {
    await open({ loginChecksAtOnce: 4, loginAttemptsPerIp: 10_000 });
    await t.addUser("target");
    const checked = await burstsUntilRefused(() => check("target", "guess"));
    expect(checked).toBeGreaterThanOrEqual(3);
    expect(checked).toBeLessThanOrEqual(3 - 1 + 4);
  });

  it("starts at most allowance - 1 + checks-at-once checks when one client guesses many names in parallel", async () => {
    await open({ loginChecksAtOncePerIp: 4 });
    let n = 0;
    const checked = await burstsUntilRefused(() => check(`parallel${n++}`, "guess", "198.51.100.20"));
    expect(checked).toBeGreaterThanOrEqual(5);
    expect(checked).toBeLessThanOrEqual(5 - 1 + 4);
  });

  it("refuses a login past the checks-at-once cap as busy, not as failed, and logs it so", async () => {
    // The first two look-ups park until released: two checks of "held" are then in flight, for as long as needed.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let parked = 0;
    let bothParked!: () => void;
    const twoInFlight = new Promise<void>((resolve) => (bothParked = resolve));
    await open({ loginChecksAtOnce: 2 });
    const { userId } = await t.addUser("held");
    gated = async () => {
      if (parked >= 2) return;
      if (++parked === 2) bothParked();
      await gate;
    };
    const first = [outcome(check("held", "a long secret")), outcome(check("held", "a long secret"))];
    await twoInFlight;
    const busy = await refusal(check("held", "a long secret", "192.0.2.77"));
    expect(busy.code).toBe("RATE_LIMITED");
    expect(busy.message).toBe('Too many logins in progress at once for "held"; try again in a moment.');
    expect(busy.retryAfterMs).toBe(1000);
    release();
    expect(await Promise.all(first)).toEqual(["OK", "OK"]);
    expect(await outcome(check("held", "a long secret"))).toBe("OK");
    const { entries } = await t.core.authLog.list(ADMIN, { ip: "192.0.2.77" }, { first: 10 });
    expect(entries.map((e) => [e.result, e.reason, e.userId === userId])).toEqual([
      ["limited", "user-busy", true],
    ]);
  });

  it("logs changePassword as a password check: a wrong current password fails and counts, a right one succeeds", async () => {
    await open();
    const { userId } = await t.addUser("jill");
    const jill: Principal = { kind: "user", userId };
    const from: AuthOrigin = { ip: "192.0.2.30", protocol: "graphql" };
    expect(await outcome(t.core.auth.changePassword(jill, null, "wrong", "a newer secret", from))).toBe(
      "AUTH_FAILED",
    );
    expect(
      await outcome(t.core.auth.changePassword(jill, null, "a long secret", "a newer secret", from)),
    ).toBe("OK");
    const { entries } = await t.core.authLog.list(jill, {}, { first: 10 });
    expect(entries.map((e) => [e.protocol, e.result, e.reason, e.ip])).toEqual([
      ["graphql", "success", "password-changed", "192.0.2.30"],
      ["graphql", "failure", "wrong-password", "192.0.2.30"],
    ]);
    for (let i = 0; i < 2; i++) await outcome(check("jill", "wrong"));
    expect(await outcome(check("jill", "a newer secret"))).toBe("RATE_LIMITED");
  });

  it("exempts configured networks from the per-client limit, never from the per-user one", async () => {
    await open({ loginLimitExemptNetworks: ["127.0.0.0/8"] });
    await t.addUser("bob");
    for (let i = 0; i < 8; i++)
      expect(await outcome(check(`x${i}`, "guess", "127.0.0.1"))).toBe("AUTH_FAILED");
    for (let i = 0; i < 3; i++) expect(await outcome(check("bob", "guess", "127.0.0.1"))).toBe("AUTH_FAILED");
    const limited = await refusal(check("bob", "a long secret", "127.0.0.1"));
    expect(limited.message).toMatch(/for "bob"; try again in \d+ seconds/);
  });

  it("does no password work for a refused attempt: not even the user look-up when its log entry is not kept", async () => {
    await open({ authLogFloodEntriesPerHour: 0 });
    await t.addUser("carol");
    for (let i = 0; i < 3; i++) await outcome(check("carol", "guess"));
    const before = reads;
    for (let i = 0; i < 10; i++) expect(await outcome(check("carol", "a long secret"))).toBe("RATE_LIMITED");
    expect(reads).toBe(before);
  });

  it("logs each attempt with the name as typed, the account, the address, the protocol, result and reason", async () => {
    await open();
    const { userId } = await t.addUser("dave");
    await t.core.users.update(ADMIN, (await t.addUser("erin")).userId, { disabled: true });
    await outcome(check("Dave", "a long secret", "::ffff:192.0.2.9"));
    await outcome(check("dave", "wrong", "192.0.2.9"));
    await outcome(check("nobody", "wrong", "192.0.2.9"));
    await outcome(check("erin", "a long secret", "192.0.2.9"));
    await outcome(t.core.auth.login("dave", "wrong", { ip: "192.0.2.9", protocol: "graphql" }));
    await outcome(t.core.auth.login("dave", "wrong", { ip: "192.0.2.9", protocol: "graphql" }));
    await outcome(t.core.auth.login("dave", "a long secret", { ip: "192.0.2.9", protocol: "graphql" }));
    const { entries } = await t.core.authLog.list(ADMIN, { ip: "192.0.2.9" }, { first: 50 });
    expect(entries.map((e) => [e.username, e.userId === userId, e.protocol, e.result, e.reason])).toEqual([
      ["dave", true, "graphql", "limited", "user-limit"],
      ["dave", true, "graphql", "failure", "wrong-password"],
      ["dave", true, "graphql", "failure", "wrong-password"],
      ["erin", false, "pop3", "failure", "account-disabled"],
      ["nobody", false, "pop3", "failure", "unknown-user"],
      ["dave", true, "pop3", "failure", "wrong-password"],
      ["Dave", true, "pop3", "success", "password"],
    ]);
    expect(entries.every((e) => e.ip === "192.0.2.9")).toBe(true);
    expect(entries[4].userId).toBeNull();
  });

  it("shows a user only its own entries; naming another user is forbidden; the admin filters by user", async () => {
    await open();
    const a = await t.addUser("frank");
    const b = await t.addUser("gwen");
    await outcome(check("frank", "wrong"));
    await outcome(check("gwen", "wrong"));
    await outcome(check("gwen", "a long secret"));
    const frank: Principal = { kind: "user", userId: a.userId };
    const own = await t.core.authLog.list(frank, {}, { first: 10 });
    expect(own.entries.map((e) => e.username)).toEqual(["frank"]);
    expect(await outcome(t.core.authLog.list(frank, { userId: b.userId }, { first: 10 }))).toBe("FORBIDDEN");
    expect(await outcome(t.core.authLog.list({ kind: "anonymous" }, {}, { first: 10 }))).toBe(
      "UNAUTHENTICATED",
    );
    const gwen = await t.core.authLog.list(ADMIN, { userId: b.userId }, { first: 1 });
    expect(gwen.entries.map((e) => e.result)).toEqual(["success"]);
    expect(gwen.hasMore).toBe(true);
    const next = await t.core.authLog.list(ADMIN, { userId: b.userId }, { first: 1, after: gwen.entries[0] });
    expect(next.entries.map((e) => e.result)).toEqual(["failure"]);
    expect(next.hasMore).toBe(false);
  });

  it("keeps at most the hourly allowance of unknown-name and refused attempts, and always a real account's", async () => {
    let floods = 0;
    await open({ authLogFloodEntriesPerHour: 3, loginAttemptsPerIp: 1000, onAuthLogFlood: () => floods++ });
    const { userId } = await t.addUser("hank");
    for (let i = 0; i < 10; i++) await outcome(check(`spray${i}`, "guess", `203.0.113.${i}`));
    for (let i = 0; i < 3; i++) await outcome(check("hank", "guess", "203.0.113.50"));
    await outcome(check("hank", "a long secret", "203.0.113.50")); // refused by the per-user limit: over the allowance
    const all = (await t.core.authLog.list(ADMIN, {}, { first: 100 })).entries;
    expect(all.filter((e) => e.reason === "unknown-user")).toHaveLength(3);
    expect(all.filter((e) => e.userId === userId).map((e) => e.result)).toEqual([
      "failure",
      "failure",
      "failure",
    ]);
    expect(floods).toBe(1);
  });

  it("is pruned by the maintenance run once past its retention", async () => {
    await open({ authLogRetentionMs: 7 * 86_400_000 });
    await t.addUser("ida");
    await outcome(check("ida", "wrong"));
    expect((await t.core.maintenance.runOnce(ADMIN))?.authLogEntriesPruned).toBe(0);
    const later = new Date(Date.now() + 8 * 86_400_000);
    expect((await t.core.maintenance.runOnce(ADMIN, later))?.authLogEntriesPruned).toBe(1);
    expect((await t.core.authLog.list(ADMIN, {}, { first: 10 })).entries).toEqual([]);
  });
});

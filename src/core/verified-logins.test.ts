import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openTestCore, type TestCore } from "../../test/harness/core.js";
import { ADMIN, isDomainError, type CoreOptions } from "./index.js";
import { verifyNothing, verifyPassword } from "./passwords.js";
import { VerifiedLoginCache } from "./verified-logins.js";

// The real scrypt, counted: a test asks how many checks paid for it instead of timing them.
vi.mock("./passwords.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("./passwords.js")>();
  return { ...real, verifyPassword: vi.fn(real.verifyPassword), verifyNothing: vi.fn(real.verifyNothing) };
});
const scryptChecks = () =>
  vi.mocked(verifyPassword).mock.calls.length + vi.mocked(verifyNothing).mock.calls.length;

describe("VerifiedLoginCache", () => {
  let now = 1_000_000;
  const cache = (o: { ttlMs?: number; maxEntries?: number } = {}) =>
    new VerifiedLoginCache({ ttlMs: o.ttlMs ?? 60_000, maxEntries: o.maxEntries ?? 100, now: () => now });

  it("knows a remembered triple and no other: user, stored hash and password must all match", () => {
    const c = cache();
    c.remember("u1", "scrypt$hash1", "secret");
    expect(c.has("u1", "scrypt$hash1", "secret")).toBe(true);
    expect(c.has("u1", "scrypt$hash1", "secret ")).toBe(false);
    expect(c.has("u1", "scrypt$hash2", "secret")).toBe(false);
    expect(c.has("u2", "scrypt$hash1", "secret")).toBe(false);
    // Parts are length-prefixed: moving bytes between them gives another key.
    c.remember("ab", "c", "d");
    expect(c.has("a", "bc", "d")).toBe(false);
  });

  it("matches a password in another Unicode normalization, as scrypt (which hashes NFC) would", () => {
    const c = cache();
    c.remember("u1", "h", "caf\u00e9");
    expect(c.has("u1", "h", "cafe\u0301")).toBe(true);
  });

  it("forgets an entry once its TTL after the remembering has passed, hits or not", () => {
    const c = cache({ ttlMs: 1000 });
    c.remember("u1", "h", "p");
    now += 999;
    expect(c.has("u1", "h", "p")).toBe(true);
    now += 1;
    expect(c.has("u1", "h", "p")).toBe(false);
    expect(c.size).toBe(0);
  });

  it("keeps at most maxEntries, dropping the least recently used", () => {
    const c = cache({ maxEntries: 2 });
    c.remember("a", "h", "p");
    c.remember("b", "h", "p");
    expect(c.has("a", "h", "p")).toBe(true); // a is now the most recently used
    c.remember("c", "h", "p");
    expect(c.size).toBe(2);
    expect(c.has("b", "h", "p")).toBe(false);
    expect(c.has("a", "h", "p")).toBe(true);
    expect(c.has("c", "h", "p")).toBe(true);
  });

  it("drops expired entries at the front when it remembers another", () => {
    const c = cache({ ttlMs: 1000 });
    c.remember("a", "h", "p");
    c.remember("b", "h", "p");
    now += 1000;
    c.remember("c", "h", "p");
    expect(c.size).toBe(1);
  });

  it("remembers nothing when its TTL or its size is 0", () => {
    for (const off of [cache({ ttlMs: 0 }), cache({ maxEntries: 0 })]) {
      off.remember("u1", "h", "p");
      expect(off.has("u1", "h", "p")).toBe(false);
      expect(off.size).toBe(0);
    }
  });
});

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "OK",
    (e) => (isDomainError(e) ? e.code : String(e)),
  );
const from = { ip: "192.0.2.1", protocol: "imap" } as const;

describe("AuthService.checkPassword with the verified-login cache", () => {
  let t: TestCore;
  let aliceId: string;
  let now: Date;
  const open = async (o: Partial<CoreOptions> = {}) => {
    t = await openTestCore({ now: () => now, ...o });
    aliceId = (await t.addUser("alice")).userId;
    vi.mocked(verifyPassword).mockClear();
    vi.mocked(verifyNothing).mockClear();
  };
  const check = (name: string, password: string) => codeOf(t.core.auth.checkPassword(name, password, from));
  beforeEach(() => {
    now = new Date("2026-01-01T00:00:00Z");
  });
  afterEach(() => t.close());

  it("verifies a repeated right password with one scrypt, and still logs every login", async () => {
    await open();
    expect(await check("alice", "a long secret")).toBe("OK");
    expect(await check("Alice ", "a long secret")).toBe("OK");
    expect((await t.core.auth.login("alice", "a long secret", from)).userId).toBe(aliceId);
    expect(scryptChecks()).toBe(1);
    const { entries } = await t.core.authLog.list(ADMIN, { userId: aliceId }, { first: 10 });
    expect(entries.map((e) => [e.result, e.reason])).toEqual([
      ["success", "password"],
      ["success", "password"],
      ["success", "password"],
    ]);
  });

  it("never remembers a wrong password: each one pays scrypt and fails", async () => {
    await open();
    expect(await check("alice", "a wrong guess")).toBe("AUTH_FAILED");
    expect(await check("alice", "a wrong guess")).toBe("AUTH_FAILED");
    expect(await check("nobody", "a long secret")).toBe("AUTH_FAILED");
    expect(await check("nobody", "a long secret")).toBe("AUTH_FAILED");
    expect(scryptChecks()).toBe(4);
  });

  it("keeps the login limits: a remembered password is refused, unchecked, once the user's limit is reached", async () => {
    await open({ loginAttempts: 2 });
    expect(await check("alice", "a long secret")).toBe("OK");
    expect(await check("alice", "guess one")).toBe("AUTH_FAILED");
    expect(await check("alice", "guess two")).toBe("AUTH_FAILED");
    expect(await check("alice", "a long secret")).toBe("RATE_LIMITED");
    expect(scryptChecks()).toBe(3);
  });

  it("refuses the old password at once after the user changes it, and remembers the new one", async () => {
    await open();
    const alice = { kind: "user", userId: aliceId } as const;
    expect(await check("alice", "a long secret")).toBe("OK");
    await t.core.auth.changePassword(alice, null, "a long secret", "a new long secret", from);
    vi.mocked(verifyPassword).mockClear();
    expect(await check("alice", "a long secret")).toBe("AUTH_FAILED");
    expect(scryptChecks()).toBe(1);
    expect(await check("alice", "a new long secret")).toBe("OK");
    expect(await check("alice", "a new long secret")).toBe("OK");
    expect(scryptChecks()).toBe(2);
  });

  it("refuses the old password at once after the admin resets it (eider user passwd), even to the same text", async () => {
    await open();
    expect(await check("alice", "a long secret")).toBe("OK");
    await t.core.users.update(ADMIN, aliceId, { password: "another secret" });
    expect(await check("alice", "a long secret")).toBe("AUTH_FAILED");
    expect(await check("alice", "another secret")).toBe("OK");
    // A reset to the same password is a new salt, so a new hash: the entry of the old one no longer matches.
    await t.core.users.update(ADMIN, aliceId, { password: "another secret" });
    vi.mocked(verifyPassword).mockClear();
    expect(await check("alice", "another secret")).toBe("OK");
    expect(scryptChecks()).toBe(1);
  });

  it("refuses a disabled or deleted account whose password is remembered", async () => {
    await open();
    expect(await check("alice", "a long secret")).toBe("OK");
    await t.core.users.update(ADMIN, aliceId, { disabled: true });
    expect(await check("alice", "a long secret")).toBe("ACCOUNT_DISABLED");
    await t.core.users.update(ADMIN, aliceId, { disabled: false });
    expect(await check("alice", "a long secret")).toBe("OK");
    expect(scryptChecks()).toBe(1);
    await t.core.users.delete(ADMIN, aliceId);
    expect(await check("alice", "a long secret")).toBe("AUTH_FAILED");
  });

  it("pays scrypt again once the TTL since the verifying check has passed", async () => {
    await open({ verifiedLoginCache: { ttlMs: 60_000, maxEntries: 10 } });
    expect(await check("alice", "a long secret")).toBe("OK");
    now = new Date(now.getTime() + 59_999);
    expect(await check("alice", "a long secret")).toBe("OK");
    expect(scryptChecks()).toBe(1);
    now = new Date(now.getTime() + 1);
    expect(await check("alice", "a long secret")).toBe("OK");
    expect(scryptChecks()).toBe(2);
  });

  it("holds at most the configured number of passwords, the least recently used going first", async () => {
    await open({ verifiedLoginCache: { ttlMs: 60_000, maxEntries: 1 } });
    await t.addUser("bob");
    expect(await check("alice", "a long secret")).toBe("OK");
    expect(await check("bob", "a long secret")).toBe("OK");
    expect(await check("bob", "a long secret")).toBe("OK");
    expect(scryptChecks()).toBe(2);
    expect(await check("alice", "a long secret")).toBe("OK");
    expect(scryptChecks()).toBe(3);
  });

  it("pays scrypt on every login when turned off", async () => {
    await open({ verifiedLoginCache: { ttlMs: 0, maxEntries: 10_000 } });
    expect(await check("alice", "a long secret")).toBe("OK");
    expect(await check("alice", "a long secret")).toBe("OK");
    expect(scryptChecks()).toBe(2);
  });
});

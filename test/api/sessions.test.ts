// Sessions end when the password changes hands: an admin reset or a disable ends all of a user's sessions
// (live subscriptions included), a user's own change ends all but its own. Password guessing is limited
// and login time does not tell whether a name exists.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  createUser,
  errorCode,
  gql,
  gqlOk,
  startTestEider,
  upload,
  watch,
  type TestEider,
  type TestUser,
} from "../harness/eider.js";
import { simpleMessage } from "./fixtures.js";

const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`;
const CHANGE = `mutation($c: String!, $n: String!) { changePassword(current: $c, next: $n) }`;
const UPDATE = `mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id } }`;
const WATCH = `subscription($m: ID!) { mailboxChanged(mailboxId: $m) { type } }`;

describe("GraphQL API: sessions and password guessing", () => {
  let server: TestEider;
  let url: string;

  beforeAll(async () => {
    server = await startTestEider();
    url = server.url;
  });
  afterAll(async () => server?.stop());

  const login = async (username: string, password = `pw-${username}-secret`) =>
    (await gqlOk(url, LOGIN, { u: username, p: password })).login.token as string;
  const meCode = async (token: string) => errorCode(await gql(url, `{ me { id } }`, {}, token));

  /** A live subscription: it has delivered one event, so it is registered on the bus. */
  async function liveWatch(user: TestUser, token: string) {
    const w = watch(url, WATCH, { m: user.inbox }, token);
    const seen = w.events.length;
    for (let i = 0; i < 100 && w.events.length === seen; i++) {
      await upload(url, user, simpleMessage({ subject: `ping ${i}` }));
      await Promise.race([w.waitFor(seen + 1), new Promise((r) => setTimeout(r, 50))]);
    }
    expect(w.events.length).toBeGreaterThan(seen);
    return w;
  }

  it("an admin password reset ends every session of the user, live subscriptions included", async () => {
    const user = await createUser(url, "reset-me");
    const second = await login("reset-me");
    const w = await liveWatch(user, user.token);
    await gqlOk(url, UPDATE, { id: user.id, i: { password: "a-new-password" } }, ADMIN_TOKEN);
    await w.completed;
    await w.close();
    expect(await meCode(user.token)).toBe("UNAUTHENTICATED");
    expect(await meCode(second)).toBe("UNAUTHENTICATED");
    expect(await meCode(await login("reset-me", "a-new-password"))).toBeUndefined();
  });

  it("disabling a user ends its sessions for good: enabling it again does not bring them back", async () => {
    const user = await createUser(url, "disable-me");
    const w = await liveWatch(user, user.token);
    await gqlOk(url, UPDATE, { id: user.id, i: { disabled: true } }, ADMIN_TOKEN);
    await w.completed;
    await w.close();
    await gqlOk(url, UPDATE, { id: user.id, i: { disabled: false } }, ADMIN_TOKEN);
    expect(await meCode(user.token)).toBe("UNAUTHENTICATED");
    expect(await meCode(await login("disable-me"))).toBeUndefined();
  });

  it("changePassword keeps the session that made it and ends every other", async () => {
    const user = await createUser(url, "change-me");
    const other = await login("change-me");
    const mine = await liveWatch(user, user.token);
    const theirs = await liveWatch(user, other);
    expect(
      (await gqlOk(url, CHANGE, { c: "pw-change-me-secret", n: "changed-password" }, user.token))
        .changePassword,
    ).toBe(true);
    await theirs.completed;
    await theirs.close();
    expect(await meCode(other)).toBe("UNAUTHENTICATED");
    expect(await meCode(user.token)).toBeUndefined();
    // The asking session's subscription is still live: it sees the next change.
    const before = mine.events.length;
    await upload(url, user, simpleMessage({ subject: "after the change" }));
    expect(await mine.waitFor(before + 1)).toHaveLength(before + 1);
    await mine.close();
    expect(await meCode(await login("change-me", "changed-password"))).toBeUndefined();
  });

  it("changePassword counts wrong current passwords against the login limit (10 per window)", async () => {
    const user = await createUser(url, "guess-me");
    for (let i = 0; i < 10; i++)
      expect(errorCode(await gql(url, CHANGE, { c: `guess-${i}`, n: "whatever-123" }, user.token))).toBe(
        "AUTH_FAILED",
      );
    expect(
      errorCode(await gql(url, CHANGE, { c: "pw-guess-me-secret", n: "whatever-123" }, user.token)),
    ).toBe("RATE_LIMITED");
    expect(errorCode(await gql(url, LOGIN, { u: "guess-me", p: "pw-guess-me-secret" }))).toBe("RATE_LIMITED");
  });

  it("a failed login takes as long for an unknown or disabled name as for a known one", async () => {
    await createUser(url, "timing-known");
    const disabled = await createUser(url, "timing-disabled");
    await gqlOk(url, UPDATE, { id: disabled.id, i: { disabled: true } }, ADMIN_TOKEN);
    const timed = async (username: string) => {
      const started = performance.now();
      const res = await gql(url, LOGIN, { u: username, p: "not-the-password" });
      expect(errorCode(res)).toBe("AUTH_FAILED");
      return performance.now() - started;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    const off: number[] = [];
    // 9 tries stay under the per-name limit of 10; interleaved so that load on the machine hits all alike.
    for (let i = 0; i < 9; i++) {
      known.push(await timed("timing-known"));
      unknown.push(await timed(`nobody-${i}-${Date.now()}`));
      off.push(await timed("timing-disabled"));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    for (const other of [unknown, off]) {
      const ratio = median(other) / median(known);
      expect(ratio).toBeGreaterThan(0.5);
      expect(ratio).toBeLessThan(2);
    }
  });
});

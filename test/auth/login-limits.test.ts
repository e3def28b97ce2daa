// Login limits and the auth log through real front ends: Python's poplib against the POP3 sidecar and GraphQL
// over HTTP, in one Eider (embedded store, in-process bus). Clients also connect from 127.0.0.2, a second
// loopback address, so that the server sees two different client addresses.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  createUser,
  errorCode,
  gql,
  gqlOk,
  startTestEider,
  type TestEider,
} from "../harness/eider.js";
import { gqlFrom, popLogins } from "./clients.js";

const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`;
const UPDATE = `mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id } }`;
const LOG_FIELDS = `edges { node { username userId ip protocol result reason } } pageInfo { hasNextPage endCursor }`;
const OTHER_CLIENT = "127.0.0.2";
const pop3Of = (server: TestEider) => server.eider.pop3!.port;

const WRONG = "-ERR [AUTH] The username or password is wrong.";

describe("Login limits across POP3 and GraphQL, and the auth log over GraphQL", () => {
  let server: TestEider;
  beforeAll(async () => {
    server = await startTestEider({
      env: { EIDER_LIMITS_LOGIN_ATTEMPTS: "3", EIDER_LIMITS_LOGIN_ATTEMPTS_PER_IP: "1000" },
    });
  });
  afterAll(async () => server?.stop());

  it("counts one username's failures across two POP3 connections, then refuses even the right password [SYS/TEMP]", async () => {
    await createUser(server.url, "pia");
    const r = await popLogins(
      pop3Of(server),
      [
        ["pia", "guess-1"],
        ["pia", "guess-2"],
        ["pia", "guess-3"],
        ["pia", "pw-pia-secret"],
        ["pia", "pw-pia-secret"],
      ],
      { connections: 2 },
    );
    expect(r.slice(0, 3)).toEqual([WRONG, WRONG, WRONG]);
    for (const line of r.slice(3))
      expect(line).toMatch(
        /^-ERR \[SYS\/TEMP\] Too many failed password attempts for "pia"; try again in \d+ seconds\.$/,
      );
  });

  it("counts POP3 and GraphQL failures against one limit, and the GraphQL refusal says when to retry", async () => {
    await createUser(server.url, "quinn");
    expect(
      await popLogins(pop3Of(server), [
        ["quinn", "guess-1"],
        ["quinn", "guess-2"],
      ]),
    ).toEqual([WRONG, WRONG]);
    expect(errorCode(await gql(server.url, LOGIN, { u: "quinn", p: "guess-3" }))).toBe("AUTH_FAILED");
    const limited = await gql(server.url, LOGIN, { u: "quinn", p: "pw-quinn-secret" });
    expect(errorCode(limited)).toBe("RATE_LIMITED");
    const retry = (limited.errors![0].extensions as { retryAfterSeconds?: number }).retryAfterSeconds;
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(300);
    expect(limited.errors![0].message).toContain(`try again in ${retry} seconds`);
    expect((await popLogins(pop3Of(server), [["quinn", "pw-quinn-secret"]]))[0]).toMatch(
      /^-ERR \[SYS\/TEMP\]/,
    );
  });

  it("answers a disabled account -ERR [SYS/PERM] over POP3 once its password is right, [AUTH] when it is wrong", async () => {
    const rex = await createUser(server.url, "rex");
    await gqlOk(server.url, UPDATE, { id: rex.id, i: { disabled: true } }, ADMIN_TOKEN);
    expect(
      await popLogins(pop3Of(server), [
        ["rex", "pw-rex-secret"],
        ["rex", "wrong"],
      ]),
    ).toEqual(['-ERR [SYS/PERM] Account "rex" is disabled.', WRONG]);
  });

  it("shows each user its own attempts with address and protocol, newest first, and the admin any user's or address's", async () => {
    const sam = await createUser(server.url, "sam"); // one GraphQL login from 127.0.0.1
    await createUser(server.url, "tess");
    await popLogins(
      pop3Of(server),
      [
        ["Sam", "wrong"],
        ["sam", "pw-sam-secret"],
      ],
      { from: OTHER_CLIENT },
    );
    await gqlFrom(server.url, OTHER_CLIENT, LOGIN, { u: "sam", p: "wrong-again" });
    await popLogins(pop3Of(server), [["tess", "wrong"]], { from: OTHER_CLIENT });
    const mine = await gqlOk(server.url, `{ me { authLog(first: 10) { ${LOG_FIELDS} } } }`, {}, sam.token);
    expect(mine.me.authLog.edges.map((e: any) => e.node)).toEqual([
      {
        username: "sam",
        userId: sam.id,
        ip: OTHER_CLIENT,
        protocol: "GRAPHQL",
        result: "FAILURE",
        reason: "WRONG_PASSWORD",
      },
      {
        username: "sam",
        userId: sam.id,
        ip: OTHER_CLIENT,
        protocol: "POP3",
        result: "SUCCESS",
        reason: "PASSWORD",
      },
      {
        username: "Sam",
        userId: sam.id,
        ip: OTHER_CLIENT,
        protocol: "POP3",
        result: "FAILURE",
        reason: "WRONG_PASSWORD",
      },
      {
        username: "sam",
        userId: sam.id,
        ip: "127.0.0.1",
        protocol: "GRAPHQL",
        result: "SUCCESS",
        reason: "PASSWORD",
      },
    ]);
    // Paging: two at a time gives the same entries in the same order.
    const first = await gqlOk(server.url, `{ authLog(first: 2) { ${LOG_FIELDS} } }`, {}, sam.token);
    expect(first.authLog.pageInfo.hasNextPage).toBe(true);
    const rest = await gqlOk(
      server.url,
      `query($a: String!) { authLog(first: 2, after: $a) { ${LOG_FIELDS} } }`,
      { a: first.authLog.pageInfo.endCursor },
      sam.token,
    );
    expect([...first.authLog.edges, ...rest.authLog.edges]).toEqual(mine.me.authLog.edges);
    // The admin: one address across users, one user across addresses.
    const byIp = await gqlOk(
      server.url,
      `{ authLog(ip: "${OTHER_CLIENT}", first: 50) { ${LOG_FIELDS} } }`,
      {},
      ADMIN_TOKEN,
    );
    expect(byIp.authLog.edges.map((e: any) => e.node.username)).toEqual(["tess", "sam", "sam", "Sam"]);
    const byUser = await gqlOk(
      server.url,
      `query($id: ID!) { user(id: $id) { authLog(first: 50) { edges { node { ip } } } } }`,
      { id: sam.id },
      ADMIN_TOKEN,
    );
    expect(byUser.user.authLog.edges.map((e: any) => e.node.ip)).toEqual([
      OTHER_CLIENT,
      OTHER_CLIENT,
      OTHER_CLIENT,
      "127.0.0.1",
    ]);
  });
});

describe("The per-client limit: one address spraying many usernames", () => {
  let server: TestEider;
  beforeAll(async () => {
    server = await startTestEider({
      env: { EIDER_LIMITS_LOGIN_ATTEMPTS: "3", EIDER_LIMITS_LOGIN_ATTEMPTS_PER_IP: "5" },
    });
  });
  afterAll(async () => server?.stop());

  it("refuses the sprayer on every protocol once it has failed 5 times over 5 names; another client still logs in", async () => {
    await createUser(server.url, "uma");
    const spray = Array.from({ length: 5 }, (_, i): [string, string] => [`victim${i}`, "Summer2026!"]);
    expect(await popLogins(pop3Of(server), spray, { from: OTHER_CLIENT })).toEqual(Array(5).fill(WRONG));
    const pop = await popLogins(pop3Of(server), [["uma", "pw-uma-secret"]], { from: OTHER_CLIENT });
    expect(pop[0]).toMatch(
      /^-ERR \[SYS\/TEMP\] Too many failed password attempts from this address; try again in \d+ seconds\.$/,
    );
    const viaGraphql = await gqlFrom(server.url, OTHER_CLIENT, LOGIN, { u: "uma", p: "pw-uma-secret" });
    expect(errorCode(viaGraphql)).toBe("RATE_LIMITED");
    expect(errorCode(await gql(server.url, LOGIN, { u: "uma", p: "pw-uma-secret" }))).toBeUndefined();
    const log = await gqlOk(
      server.url,
      `{ authLog(ip: "${OTHER_CLIENT}", first: 2) { ${LOG_FIELDS} } }`,
      {},
      ADMIN_TOKEN,
    );
    expect(log.authLog.edges.map((e: any) => [e.node.protocol, e.node.result, e.node.reason])).toEqual([
      ["GRAPHQL", "LIMITED", "IP_LIMIT"],
      ["POP3", "LIMITED", "IP_LIMIT"],
    ]);
  });
});

describe("Exempt networks", () => {
  let server: TestEider;
  beforeAll(async () => {
    server = await startTestEider({
      env: {
        EIDER_LIMITS_LOGIN_ATTEMPTS_PER_IP: "2",
        EIDER_LIMITS_LOGIN_LIMIT_EXEMPT_NETWORKS: "127.0.0.2",
      },
    });
  });
  afterAll(async () => server?.stop());

  it("does not limit an exempt client per address, while loopback is limited unless named", async () => {
    const names = Array.from({ length: 4 }, (_, i): [string, string] => [`nobody${i}`, "guess"]);
    expect(await popLogins(pop3Of(server), names, { from: OTHER_CLIENT })).toEqual(Array(4).fill(WRONG));
    const local = await popLogins(pop3Of(server), names);
    expect(local.slice(0, 2)).toEqual([WRONG, WRONG]);
    expect(local.slice(2).every((l) => l.startsWith("-ERR [SYS/TEMP]"))).toBe(true);
  });
});

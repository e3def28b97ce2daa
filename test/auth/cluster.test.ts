// Two Eider processes on one MongoDB-protocol store (FerretDB) and one Redis: the login limits are counted on the
// bus, so failures through one process refuse the next attempt through the other, and the auth log one process
// writes is what the other lists.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuild } from "../cli/ensure-build.js";
import {
  ADMIN_TOKEN,
  createUser,
  errorCode,
  gql,
  gqlOk,
  spawnEider,
  type SpawnedEider,
} from "../harness/eider.js";
import { freePort, serviceUrl, skipReason, uniqueDbName } from "../harness/services.js";
import { gqlFrom, popLogins } from "./clients.js";

const redisUrl = serviceUrl("redis");
const mongoUrl = serviceUrl("mongodb");
const reason = skipReason("redis") ?? skipReason("mongodb");
const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`;
const SPRAYER = "127.0.0.2";

describe.skipIf(!redisUrl || !mongoUrl)(
  `Login limits across two processes (MongoDB protocol + Redis)${reason ? ` (skipped: ${reason})` : ""}`,
  () => {
    let a: SpawnedEider;
    let b: SpawnedEider;
    let aPop3: number;
    beforeAll(async () => {
      await ensureBuild();
      const shared = {
        mongodbUrl: mongoUrl,
        mongodbDatabase: uniqueDbName("eider_authlog"),
        redisUrl,
        redisPrefix: `${uniqueDbName("al")}:`,
      };
      const limits = { EIDER_LIMITS_LOGIN_ATTEMPTS: "3", EIDER_LIMITS_LOGIN_ATTEMPTS_PER_IP: "4" };
      aPop3 = await freePort();
      // One after the other: FerretDB v1 panics when two processes create a new database's indexes at once.
      a = await spawnEider({ ...shared, env: { ...limits, EIDER_POP3_PORT: String(aPop3) } });
      b = await spawnEider({ ...shared, env: limits });
    }, 120_000);
    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
    });

    it("refuses a login on one process after the username's failures over POP3 on the other", async () => {
      await createUser(a.url, "vera");
      const wrong = await popLogins(aPop3, [
        ["vera", "guess-1"],
        ["vera", "guess-2"],
        ["vera", "guess-3"],
      ]);
      expect(wrong.every((l) => l.startsWith("-ERR [AUTH]"))).toBe(true);
      const limited = await gql(b.url, LOGIN, { u: "vera", p: "pw-vera-secret" });
      expect(errorCode(limited)).toBe("RATE_LIMITED");
      expect((limited.errors![0].extensions as any).retryAfterSeconds).toBeGreaterThan(0);
      // Both processes wrote to one log: the other process lists the POP3 failures and its own refusal.
      const log = await gqlOk(
        b.url,
        `{ authLog(first: 10) { edges { node { username protocol result reason ip } } } }`,
        {},
        ADMIN_TOKEN,
      );
      const vera = log.authLog.edges.map((e: any) => e.node).filter((n: any) => n.username === "vera");
      expect(vera.map((n: any) => `${n.protocol} ${n.result} ${n.reason}`)).toEqual([
        "GRAPHQL LIMITED USER_LIMIT",
        "POP3 FAILURE WRONG_PASSWORD",
        "POP3 FAILURE WRONG_PASSWORD",
        "POP3 FAILURE WRONG_PASSWORD",
        "GRAPHQL SUCCESS PASSWORD",
      ]);
      expect(vera.every((n: any) => n.ip === "127.0.0.1")).toBe(true);
    });

    it("counts one client's failures over many usernames on both processes together", async () => {
      await createUser(a.url, "walt");
      // Four names, two through each process, from one address: its allowance of 4 is spent.
      for (const [server, name] of [
        [a, "x1"],
        [b, "x2"],
        [a, "x3"],
        [b, "x4"],
      ] as const)
        expect(errorCode(await gqlFrom(server.url, SPRAYER, LOGIN, { u: name, p: "guess" }))).toBe(
          "AUTH_FAILED",
        );
      for (const server of [a, b])
        expect(errorCode(await gqlFrom(server.url, SPRAYER, LOGIN, { u: "walt", p: "pw-walt-secret" }))).toBe(
          "RATE_LIMITED",
        );
      expect((await popLogins(aPop3, [["walt", "pw-walt-secret"]], { from: SPRAYER }))[0]).toMatch(
        /^-ERR \[SYS\/TEMP\] Too many failed password attempts from this address/,
      );
      expect(errorCode(await gql(b.url, LOGIN, { u: "walt", p: "pw-walt-secret" }))).toBeUndefined();
    });
  },
);

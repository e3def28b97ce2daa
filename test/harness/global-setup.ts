// vitest global setup: starts a throwaway Redis and FerretDB (a MongoDB wire-protocol server) for the whole
// run with support/services.ts, hands their URLs to the test workers through
// `project.provide("eiderServices", ...)` (read them with test/harness/services.ts), and stops them afterwards.
// REDIS_URL / MONGODB_URL, when set, name servers to use instead. A missing binary skips the suites that
// need it, with one line saying so; under CI (CI=true) it fails the run instead, so that a CI machine without
// redis-server or FerretDB cannot report green while whole suites were skipped.
import type { TestProject } from "vitest/node";
import {
  FERRETDB_BIN,
  findOnPath,
  isExecutable,
  pingMongo,
  pingRedis,
  startFerretDB,
  startRedis,
  type Service,
} from "../../support/services.js";
// Types only: services.ts imports "vitest", which must not load in the main process.
import type { ServiceInfo, ServiceMap, ServiceName } from "./services.js";

const GIVEN_READY_TIMEOUT_MS = 5_000; // a server named by REDIS_URL / MONGODB_URL is already up
const INSTALL_HINT = "run scripts/install-test-deps.sh";

/** The environment variable that names an already running service to use instead. */
export const SERVICE_ENV: Record<ServiceName, string> = { redis: "REDIS_URL", mongodb: "MONGODB_URL" };

/** A TCP port on 127.0.0.1 that was free a moment ago (re-exported by services.ts). */
export { freePort } from "../../support/services.js";

const started: Service[] = [];

export async function setup(project: TestProject): Promise<void> {
  const [redis, mongodb] = await Promise.all([setupRedis(), setupMongo()]);
  const map: ServiceMap = { redis, mongodb };
  const missing = (Object.keys(map) as ServiceName[]).filter((name) => map[name].skipReason);
  if (process.env.CI === "true" && missing.length > 0) {
    await teardown();
    throw new Error(
      `CI=true and ${missing.join(" and ")} unavailable: the suites that need ${missing.length > 1 ? "them" : "it"} may not be skipped under CI (${missing.map((name) => map[name].skipReason).join("; ")})`,
    );
  }
  if (redis.skipReason) console.log(`SKIPPED: Redis suites (${redis.skipReason})`);
  if (mongodb.skipReason) console.log(`SKIPPED: MongoDB-protocol suites (${mongodb.skipReason})`);
  project.provide("eiderServices", map);
}

export async function teardown(): Promise<void> {
  await Promise.all(started.splice(0).map((s) => s.stop()));
}

async function setupRedis(): Promise<ServiceInfo> {
  const given = process.env[SERVICE_ENV.redis];
  if (given) return { url: await waitGiven("redis", given, () => pingRedis(given)) };
  const bin = findOnPath("redis-server");
  if (!bin) return { skipReason: `no redis-server on PATH; ${INSTALL_HINT}` };
  return { url: report("redis", await startRedis(bin)) };
}

async function setupMongo(): Promise<ServiceInfo> {
  const given = process.env[SERVICE_ENV.mongodb];
  if (given) return { url: await waitGiven("mongodb", given, () => pingMongo(given)) };
  if (!isExecutable(FERRETDB_BIN)) return { skipReason: `no .tools/ferretdb; ${INSTALL_HINT}` };
  return { url: report("mongodb", await startFerretDB()) };
}

function report(name: string, s: Service): string {
  started.push(s);
  console.log(`services: ${name} ready at ${s.url}`);
  return s.url;
}

/** Polls a server named in the environment until it answers; fails with the real error after a few seconds. */
async function waitGiven(name: string, url: string, ping: () => Promise<void>): Promise<string> {
  const t0 = Date.now();
  let lastError: unknown;
  while (Date.now() - t0 < GIVEN_READY_TIMEOUT_MS) {
    try {
      await ping();
      console.log(`services: ${name} ready at ${url} (from the environment)`);
      return url;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(
    `${name} at ${url} did not answer within ${GIVEN_READY_TIMEOUT_MS} ms: ${String(lastError)}`,
  );
}

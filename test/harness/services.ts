// What tests use to reach the real Redis and MongoDB-protocol server that
// test/harness/global-setup.ts started (or found in REDIS_URL / MONGODB_URL).
//
//   const url = serviceUrl("mongodb");
//   describe.skipIf(!url)(`mongo store ${skipReason("mongodb") ?? ""}`, () => { ... });
//
// The URLs travel by vitest's provide/inject, not by environment variables: an
// `eider` process spawned by a test must not find REDIS_URL and switch to cluster
// mode unless the test says so.
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { SERVICE_ENV } from "./global-setup.js";

/** A TCP port on 127.0.0.1 that was free a moment ago, for a test that starts its own server. */
export { freePort } from "./global-setup.js";

export type ServiceName = "redis" | "mongodb";

/** One service as global setup saw it: exactly one of the two fields is set. */
export interface ServiceInfo {
  url?: string;
  skipReason?: string;
}

export type ServiceMap = Record<ServiceName, ServiceInfo>;

declare module "vitest" {
  export interface ProvidedContext {
    eiderServices: ServiceMap;
  }
}

let cached: ServiceMap | undefined;

function services(): ServiceMap {
  if (cached) return cached;
  // Undefined when a vitest config without test/harness/global-setup.ts runs the test:
  // then only servers named in the environment count.
  const provided = inject("eiderServices") as ServiceMap | undefined;
  cached = provided ?? {
    redis: fromEnv("redis"),
    mongodb: fromEnv("mongodb"),
  };
  return cached;
}

function fromEnv(name: ServiceName): ServiceInfo {
  const url = process.env[SERVICE_ENV[name]];
  return url
    ? { url }
    : { skipReason: `${SERVICE_ENV[name]} is not set and test/harness/global-setup.ts did not run` };
}

/** URL of the running service for tests, or undefined when it is not available. */
export function serviceUrl(name: ServiceName): string | undefined {
  return services()[name].url;
}

/** Why the service is unavailable (for skip messages), or undefined when it is available. */
export function skipReason(name: ServiceName): string | undefined {
  const info = services()[name];
  return info.url ? undefined : (info.skipReason ?? "unavailable");
}

/**
 * A fresh database name per call, so suites sharing one FerretDB do not collide:
 * "eider_test_<random>", or "<prefix>_<random>" with a prefix. FerretDB accepts only
 * [A-Za-z0-9_-]{1,63} as a database name, so other characters become "_".
 */
export function uniqueDbName(prefix = "eider_test"): string {
  const safe = prefix.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 50);
  return `${safe}_${randomBytes(6).toString("hex")}`;
}

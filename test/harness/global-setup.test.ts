// Global setup under CI: a missing service fails the run (with the install hint) instead of skipping suites.
// Calls the very setup() vitest calls, with redis-server off the PATH and the running MongoDB-protocol
// server named in MONGODB_URL (so nothing new is started).
import type { TestProject } from "vitest/node";
import { afterEach, describe, expect, it } from "vitest";
import { setup, teardown } from "./global-setup.js";
import { serviceUrl, type ServiceMap } from "./services.js";

const saved = { ...process.env };

function fakeProject(): { project: TestProject; provided: Partial<{ eiderServices: ServiceMap }> } {
  const provided: Partial<{ eiderServices: ServiceMap }> = {};
  const project = {
    provide: (key: "eiderServices", value: ServiceMap) => (provided[key] = value),
  } as unknown as TestProject;
  return { project, provided };
}

describe("global setup when a service is missing", () => {
  const mongoUrl = serviceUrl("mongodb");
  afterEach(async () => {
    await teardown();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  function withoutRedis(ci: string | undefined) {
    process.env.PATH = "/nonexistent";
    delete process.env.REDIS_URL;
    // A MongoDB-protocol server is named rather than started, so only Redis is missing.
    if (mongoUrl) process.env.MONGODB_URL = mongoUrl;
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
  }

  it.skipIf(!mongoUrl)("fails under CI=true, naming the service and the install script", async () => {
    withoutRedis("true");
    const { project, provided } = fakeProject();
    await expect(setup(project)).rejects.toThrow(
      /CI=true and redis unavailable.*no redis-server on PATH; run scripts\/install-test-deps\.sh/,
    );
    expect(provided.eiderServices).toBeUndefined();
  });

  it.skipIf(!mongoUrl)("skips the suites with a reason outside CI", async () => {
    withoutRedis(undefined);
    const { project, provided } = fakeProject();
    await setup(project);
    expect(provided.eiderServices?.redis).toEqual({
      skipReason: "no redis-server on PATH; run scripts/install-test-deps.sh",
    });
    expect(provided.eiderServices?.mongodb).toEqual({ url: mongoUrl });
  });
});

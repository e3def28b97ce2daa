// What every test core starts from; no imports beyond types, so a child process of a test can load it alone.
import type { CoreOptions } from "../../src/core/index.js";

/** The options every test core starts from (a test's own options go over them). */
export const TEST_CORE_OPTIONS = {
  adminToken: "test-admin-token-0123456789",
  sessionTtlMs: 3600_000,
  maxMessageBytes: 10 * 1024 * 1024,
  loginAttempts: 10,
  loginWindowMs: 60_000,
  journalRetentionMs: 86_400_000,
} satisfies CoreOptions;

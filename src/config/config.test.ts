import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

function file(text: string): string {
  const f = path.join(mkdtempSync(path.join(os.tmpdir(), "eider-config-")), "eider.toml");
  writeFileSync(f, text);
  return f;
}

describe("Config: defaults, file and environment", () => {
  it("gives the design's defaults", () => {
    const c = loadConfig({ env: {} });
    expect(c.http).toEqual({ host: "127.0.0.1", port: 8080, shutdownGraceSeconds: 10 });
    expect(c.dataDir).toBe("./data");
    expect(c.store.mongodbUrl).toBe("");
    expect(c.bus.redisUrl).toBe("");
    expect(c.bus.commandTimeoutMs).toBe(2000);
  });
  it("merges a user file over the defaults", () => {
    const c = loadConfig({ file: file('[http]\nport = 9000\n[bus]\nredis_url = "redis://x"\n'), env: {} });
    expect(c.http).toEqual({ host: "127.0.0.1", port: 9000, shutdownGraceSeconds: 10 });
    expect(c.bus.redisUrl).toBe("redis://x");
  });
  it("lets the environment win over the file", () => {
    const c = loadConfig({
      file: file("[http]\nport = 9000\n"),
      env: { EIDER_HTTP_PORT: "9100", MONGODB_URL: "mongodb://m", EIDER_DATA_DIR: "/d" },
    });
    expect(c.http.port).toBe(9100);
    expect(c.store.mongodbUrl).toBe("mongodb://m");
    expect(c.dataDir).toBe("/d");
  });
  it("refuses an unknown option", () => {
    expect(() => loadConfig({ file: file("[http]\nprot = 1\n"), env: {} })).toThrow(
      /Unknown option "http.prot"/,
    );
  });
  it("refuses a value of the wrong type", () => {
    expect(() => loadConfig({ file: file('[http]\nport = "x"\n'), env: {} })).toThrow(/must be a number/);
    expect(() => loadConfig({ env: { EIDER_HTTP_PORT: "abc" } })).toThrow(/EIDER_HTTP_PORT/);
  });
  it("refuses an EIDER_ variable that names no option, naming it and the likely intended one", () => {
    expect(() => loadConfig({ env: { EIDER_HTTP_PROT: "9000" } })).toThrow(
      /^Unknown environment variable EIDER_HTTP_PROT \(did you mean EIDER_HTTP_PORT\?\)/,
    );
    expect(() => loadConfig({ env: { EIDER_COLOUR: "blue" } })).toThrow(
      /^Unknown environment variable EIDER_COLOUR; EIDER_<SECTION>_<KEY> must name an option/,
    );
    // Variables outside the EIDER_ namespace are not ours to judge; the short forms are known.
    expect(() =>
      loadConfig({ env: { EDITOR: "vi", EIDER_DATA_DIR: "/d", EIDER_ADMIN_TOKEN: "t", REDIS_URL: "" } }),
    ).not.toThrow();
  });
  it("suggests the option an unknown key in a file most likely meant", () => {
    expect(() => loadConfig({ file: file("[limits]\nlogin_atempts = 3\n"), env: {} })).toThrow(
      /Unknown option "limits.login_atempts" in .* \(did you mean "limits.login_attempts"\?\)/,
    );
  });
  it("names the file, line and column of a TOML syntax error", () => {
    const f = file('[http]\nport = 9000\nhost = "127.0.0.1\n');
    expect(() => loadConfig({ file: f, env: {} })).toThrow(
      new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3:\\d+: TOML syntax error: \\S`),
    );
  });
  it("says in one line that a config file does not exist", () => {
    expect(() => loadConfig({ file: "/nonexistent/eider.toml", env: {} })).toThrow(
      /^Config file \/nonexistent\/eider.toml does not exist\.$/,
    );
  });
  it("refuses an empty value for a numeric EIDER_ variable instead of reading it as 0", () => {
    expect(() => loadConfig({ env: { EIDER_HTTP_PORT: "" } })).toThrow(/EIDER_HTTP_PORT="" must be a number/);
  });
});

describe("Config: the [pop3] and [tls] sections", () => {
  it("gives the design's POP3 defaults and reads trusted networks and the DELE action", () => {
    const c = loadConfig({ env: {} });
    expect(c.pop3).toEqual({
      enabled: true,
      host: "127.0.0.1",
      port: 1110,
      tlsPort: 1995,
      implicitTls: true,
      listingSize: 250,
      deleAction: "trash",
      maxConnections: 1000,
      idleTimeoutSeconds: 600,
    });
    expect(c.tls).toEqual({ cert: "", key: "", trustedNetworks: [] });
    const set = loadConfig({
      file: file('[pop3]\ndele_action = "delete"\n'),
      env: { EIDER_TLS_TRUSTED_NETWORKS: "10.0.0.0/8, fd00::/8", EIDER_POP3_LISTING_SIZE: "50" },
    });
    expect(set.pop3.deleAction).toBe("delete");
    expect(set.pop3.listingSize).toBe(50);
    expect(set.tls.trustedNetworks).toEqual(["10.0.0.0/8", "fd00::/8"]);
    expect(() => loadConfig({ env: { EIDER_POP3_DELE_ACTION: "shred" } })).toThrow(
      /"pop3.dele_action" must be one of "trash", "delete", not "shred"/,
    );
  });
  it("reads the trusted spam headers and the default spam level, and refuses a header Eider does not read", () => {
    const c = loadConfig({ env: {} });
    expect(c.delivery).toMatchObject({
      spamHeaders: ["X-Spam-Status", "X-Spam-Flag", "X-Spam-Score", "X-Rspamd-Score", "X-Rspamd-Action"],
      spamLevel: 5,
    });
    expect(c.limits.maxFiltersPerUser).toBe(100);
    const only = loadConfig({
      env: { EIDER_DELIVERY_SPAM_HEADERS: " x-rspamd-action ", EIDER_DELIVERY_SPAM_LEVEL: "8.5" },
    });
    expect(only.delivery).toMatchObject({ spamHeaders: ["x-rspamd-action"], spamLevel: 8.5 });
    expect(loadConfig({ env: { EIDER_DELIVERY_SPAM_HEADERS: "" } }).delivery.spamHeaders).toEqual([]);
    expect(() => loadConfig({ env: { EIDER_DELIVERY_SPAM_HEADERS: "X-Spam-Status, X-Virus" } })).toThrow(
      /delivery.spam_headers.*"X-Virus"/,
    );
  });
  it("reads the login checks allowed at once, per username and per client, and refuses 0", () => {
    expect(loadConfig({ env: {} }).limits).toMatchObject({
      loginChecksAtOnce: 20,
      loginChecksAtOncePerIp: 100,
    });
    const c = loadConfig({
      file: file("[limits]\nlogin_checks_at_once = 5\n"),
      env: { EIDER_LIMITS_LOGIN_CHECKS_AT_ONCE_PER_IP: "7" },
    });
    expect(c.limits).toMatchObject({ loginChecksAtOnce: 5, loginChecksAtOncePerIp: 7 });
    expect(() => loadConfig({ env: { EIDER_LIMITS_LOGIN_CHECKS_AT_ONCE: "0" } })).toThrow(
      /"limits.login_checks_at_once" must be a whole number, 1 or more, not 0/,
    );
  });
  it("reads the verified-login cache's TTL and size, 0 turning it off, and refuses a negative or fractional one", () => {
    expect(loadConfig({ env: {} }).auth).toEqual({
      verifiedLoginCacheSeconds: 900,
      verifiedLoginCacheEntries: 10000,
    });
    const c = loadConfig({
      file: file("[auth]\nverified_login_cache_seconds = 0\n"),
      env: { EIDER_AUTH_VERIFIED_LOGIN_CACHE_ENTRIES: "50" },
    });
    expect(c.auth).toEqual({ verifiedLoginCacheSeconds: 0, verifiedLoginCacheEntries: 50 });
    expect(() => loadConfig({ env: { EIDER_AUTH_VERIFIED_LOGIN_CACHE_SECONDS: "-1" } })).toThrow(
      /"auth.verified_login_cache_seconds" must be a whole number, 0 or more, not -1/,
    );
    expect(() => loadConfig({ env: { EIDER_AUTH_VERIFIED_LOGIN_CACHE_ENTRIES: "2.5" } })).toThrow(
      /"auth.verified_login_cache_entries" must be a whole number/,
    );
  });
});

describe("Config: the [outbound] queue", () => {
  it("sends directly by default on the schedule of RFC 5321's advice, and reads a smarthost setup", () => {
    const c = loadConfig({ env: {} });
    expect(c.outbound).toMatchObject({
      mode: "direct",
      hostname: os.hostname(),
      mxPort: 25,
      retryMinutes: [5, 10, 20, 60, 120, 240],
      maxAgeHours: 120,
      retentionDays: 30,
      concurrency: 4,
      leaseMinutes: 15,
      runQueue: true,
    });
    const relay = loadConfig({
      env: {
        EIDER_OUTBOUND_MODE: "smarthost",
        EIDER_OUTBOUND_RELAY: "smtp://relay.example.com:587",
        EIDER_OUTBOUND_HOSTNAME: "mail.example.com",
        EIDER_OUTBOUND_RETRY_MINUTES: "1,2.5",
        EIDER_OUTBOUND_RUN_QUEUE: "false",
      },
    });
    expect(relay.outbound).toMatchObject({
      mode: "smarthost",
      hostname: "mail.example.com",
      retryMinutes: [1, 2.5],
      runQueue: false,
    });
  });
  it("refuses smarthost mode without a relay, an unknown mode, and a schedule that is not positive numbers", () => {
    expect(() => loadConfig({ env: { EIDER_OUTBOUND_MODE: "smarthost" } })).toThrow(
      /"outbound.mode" is "smarthost", so "outbound.relay" must name the relay/,
    );
    expect(() => loadConfig({ env: { EIDER_OUTBOUND_MODE: "mx" } })).toThrow(
      /"outbound.mode" must be one of "direct", "smarthost", "zonemta", not "mx"/,
    );
    expect(() => loadConfig({ env: { EIDER_OUTBOUND_RETRY_MINUTES: "5, soon" } })).toThrow(
      /"outbound.retry_minutes" must be positive numbers separated by commas, not "5, soon"/,
    );
    expect(() => loadConfig({ env: { EIDER_OUTBOUND_MAX_AGE_HOURS: "0" } })).toThrow(
      /outbound.max_age_hours/,
    );
  });
});

describe("Config: [outbound] zonemta_url", () => {
  it("is empty by default and takes smtp(s)://user:password@host:port", () => {
    expect(loadConfig({ env: {} }).outbound.zonemtaUrl).toBe("");
    const url = "smtp://eider:s%40cret@zonemta.internal:2525";
    expect(loadConfig({ env: { EIDER_OUTBOUND_ZONEMTA_URL: url } }).outbound.zonemtaUrl).toBe(url);
    const cluster = loadConfig({ env: { EIDER_OUTBOUND_MODE: "zonemta", EIDER_OUTBOUND_ZONEMTA_URL: url } });
    expect(cluster.outbound).toMatchObject({ mode: "zonemta", zonemtaUrl: url });
    expect(() => loadConfig({ env: { EIDER_OUTBOUND_MODE: "zonemta" } })).toThrow(
      /"outbound.mode" is "zonemta", so "outbound.zonemta_url" must name/,
    );
  });
  it("refuses a URL without the login the plugin knows Eider by, or one that is no URL, quoting it", () => {
    for (const bad of [
      "smtp://zonemta.internal:2525",
      "smtp://eider:pw@zonemta.internal",
      "http://eider:pw@z:1",
    ])
      expect(() => loadConfig({ env: { EIDER_OUTBOUND_ZONEMTA_URL: bad } })).toThrow(
        `[outbound] zonemta_url "${bad}" must be smtp://user:password@host:port`,
      );
    expect(() => loadConfig({ env: { EIDER_OUTBOUND_ZONEMTA_URL: "zonemta.internal 2525" } })).toThrow(
      '[outbound] zonemta_url "zonemta.internal 2525" is not a URL',
    );
  });
});

import { hostname } from "node:os";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse, TomlError } from "smol-toml";
import { SPAM_HEADERS } from "../core/index.js";
import { closestName } from "./closest-name.js";

/** The whole configuration; `config/default.toml` documents every option. */
export interface EiderConfig {
  dataDir: string;
  adminToken: string;
  http: { host: string; port: number; shutdownGraceSeconds: number };
  lmtp: {
    enabled: boolean;
    host: string;
    port: number;
    overQuotaPermanent: boolean;
    maxConnections: number;
    idleTimeoutSeconds: number;
    starttls: boolean;
    xclientNetworks: string[];
  };
  mx: {
    enabled: boolean;
    host: string;
    port: number;
    serverName: string;
    lmtpHost: string;
    lmtpPort: number;
    rspamdUrl: string;
    rspamdTimeoutMs: number;
    starttls: boolean;
    dnsZoneFile: string;
    logLevel: string;
    recipientMessages: number;
    recipientWindowSeconds: number;
    clientMessages: number;
    clientWindowSeconds: number;
  };
  store: { mongodbUrl: string; mongodbDatabase: string; mongodbBlobDatabase: string; writeThread: boolean };
  bus: { redisUrl: string; redisPrefix: string; commandTimeoutMs: number };
  limits: {
    maxMessageBytes: number;
    graphqlMaxTokens: number;
    graphqlMaxDepth: number;
    graphqlMaxCost: number;
    graphqlDefaultListSize: number;
    graphqlMaxBodiesPerRequest: number;
    sessionTtlHours: number;
    loginAttempts: number;
    loginWindowSeconds: number;
    loginAttemptsPerIp: number;
    loginChecksAtOnce: number;
    loginChecksAtOncePerIp: number;
    loginLimitExemptNetworks: string[];
    maxPageSize: number;
    maxBatchIds: number;
    maxSearchTextChars: number;
    maxMailboxPathChars: number;
    maxChanges: number;
    maxUsersPage: number;
    minPasswordLength: number;
    maxFiltersPerUser: number;
  };
  journal: { retentionDays: number; maintenanceIntervalMinutes: number };
  delivery: {
    duplicateWindowSeconds: number;
    logRetentionDays: number;
    spamHeaders: string[];
    spamLevel: number;
  };
  /** The verified-login cache; 0 seconds or entries: off. */
  auth: { verifiedLoginCacheSeconds: number; verifiedLoginCacheEntries: number };
  authLog: { retentionDays: number; floodEntriesPerHour: number };
  /** Shared by every sidecar; empty cert and key: a self-signed pair in the data folder. */
  tls: { cert: string; key: string; trustedNetworks: string[] };
  pop3: {
    enabled: boolean;
    host: string;
    port: number;
    tlsPort: number;
    implicitTls: boolean;
    listingSize: number;
    deleAction: "trash" | "delete";
    maxConnections: number;
    idleTimeoutSeconds: number;
  };
  imap: {
    enabled: boolean;
    host: string;
    port: number;
    tlsPort: number;
    implicitTls: boolean;
    maxConnections: number;
    maxConnectionsPerUser: number;
    idleTimeoutSeconds: number;
    /** 0: no limit. */
    downloadBytesPerDay: number;
    uploadBytesPerDay: number;
  };
  autoreply: { periodDays: number };
  /** The SMTP submission listeners (RFC 6409); `maxMessageBytes` already resolved from [limits] when 0. */
  submission: {
    enabled: boolean;
    host: string;
    port: number;
    tlsPort: number;
    implicitTls: boolean;
    hostname: string;
    maxMessageBytes: number;
    maxRecipients: number;
    maxConnections: number;
    idleTimeoutSeconds: number;
    proxyProtocol: boolean;
    /** Recipients per user per day (all doors), and how far ahead `sendAt` may be. */
    recipientsPerDay: number;
    maxScheduleDays: number;
  };
  /**
   * How mail leaves: the outbound queue's transport (`mode`: each domain's MX, or the `relay`), its schedule, and
   * the autoreply responder's relay (empty: autoreplies are not sent) with its own tries.
   */
  outbound: {
    relay: string;
    attempts: number;
    retryDelaySeconds: number;
    mode: "direct" | "smarthost" | "zonemta";
    /** Our EHLO name and the bounces' Reporting-MTA; "" in the file: the machine's host name. */
    hostname: string;
    mxPort: number;
    retryMinutes: number[];
    maxAgeHours: number;
    retentionDays: number;
    concurrency: number;
    leaseMinutes: number;
    runQueue: boolean;
    /** ZoneMTA's feeder with the login its Eider plugin takes as this server's outbox; empty: none. */
    zonemtaUrl: string;
  };
  log: { level: string };
}

const DEFAULTS_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../config/default.toml",
);
const SOURCE_DEFAULTS_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../config/default.toml",
);

type Table = Record<string, unknown>;

/** A mistake in the configuration: the CLI prints its message as one line, without a stack trace. */
export class ConfigError extends Error {}

/**
 * Defaults, then the user's file, then the environment. Unknown keys in a file and `EIDER_*` variables that
 * match no option are errors, not silent no-ops: a typo must not leave a default in force unnoticed.
 */
export function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv } = {}): EiderConfig {
  const env = options.env ?? process.env;
  const defaults = readToml(defaultsPath());
  const merged = structuredClone(defaults);
  if (options.file) mergeInto(merged, readToml(options.file), defaults, options.file);
  applyEnv(merged, defaults, env);
  return toConfig(merged);
}

function readToml(file: string): Table {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new ConfigError(`Config file ${file} does not exist.`);
    if (code === "EISDIR") throw new ConfigError(`Config file ${file} is a directory, not a file.`);
    throw new ConfigError(`Config file ${file} cannot be read: ${(err as Error).message}`);
  }
  try {
    return parse(text) as Table;
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    // smol-toml's message is "Invalid TOML document: <reason>" followed by a code frame; keep the reason.
    const reason = err.message.split("\n")[0].replace(/^Invalid TOML document: /, "");
    throw new ConfigError(`${file}:${err.line}:${err.column}: TOML syntax error: ${reason}.`);
  }
}

function defaultsPath(): string {
  try {
    readFileSync(DEFAULTS_FILE);
    return DEFAULTS_FILE;
  } catch {
    return SOURCE_DEFAULTS_FILE;
  }
}

function mergeInto(target: Table, source: Table, shape: Table, where: string, prefix = ""): void {
  for (const [key, value] of Object.entries(source)) {
    const name = prefix + key;
    if (!(key in shape)) {
      const near = closestName(key, Object.keys(shape));
      throw new ConfigError(
        `Unknown option "${name}" in ${where}${near ? ` (did you mean "${prefix}${near}"?)` : ""}; config/default.toml lists every option.`,
      );
    }
    const expected = shape[key];
    if (isTable(expected)) {
      if (!isTable(value)) throw new ConfigError(`Option "${name}" in ${where} must be a table.`);
      mergeInto(target[key] as Table, value, expected, where, `${name}.`);
    } else {
      if (typeof value !== typeof expected)
        throw new ConfigError(
          `Option "${name}" in ${where} must be a ${typeof expected}, not ${JSON.stringify(value)}.`,
        );
      target[key] = value;
    }
  }
}

const SHORT_ENV: Record<string, string[]> = {
  EIDER_DATA_DIR: ["data_dir"],
  EIDER_ADMIN_TOKEN: ["admin_token"],
  MONGODB_URL: ["store", "mongodb_url"],
  REDIS_URL: ["bus", "redis_url"],
};

function applyEnv(target: Table, shape: Table, env: NodeJS.ProcessEnv): void {
  const set = (keys: string[], raw: string, name: string) => {
    let t = target;
    let s = shape;
    for (const k of keys.slice(0, -1)) {
      t = t[k] as Table;
      s = s[k] as Table;
    }
    const last = keys[keys.length - 1];
    const expected = s[last];
    if (typeof expected === "number") {
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n))
        throw new ConfigError(`Environment variable ${name}="${raw}" must be a number.`);
      t[last] = n;
    } else if (typeof expected === "boolean") t[last] = raw === "true" || raw === "1";
    else t[last] = raw;
  };
  const known = new Map(walkKeys(shape).map(([keys, name]) => [name, keys]));
  for (const name of Object.keys(env)) {
    if (!name.startsWith("EIDER_") || known.has(name) || name in SHORT_ENV) continue;
    const near = closestName(name, [...known.keys(), ...Object.keys(SHORT_ENV)]);
    throw new ConfigError(
      `Unknown environment variable ${name}${near ? ` (did you mean ${near}?)` : ""}; EIDER_<SECTION>_<KEY> must name an option in config/default.toml.`,
    );
  }
  for (const [name, keys] of known) {
    const value = env[name];
    if (value !== undefined) set(keys, value, name);
  }
  for (const [name, keys] of Object.entries(SHORT_ENV)) {
    const value = env[name];
    if (value !== undefined && value !== "") set(keys, value, name);
  }
}

/** Every option as its key path and its environment variable name. */
function walkKeys(shape: Table, prefix: string[] = []): Array<[string[], string]> {
  return Object.entries(shape).flatMap(([key, value]): Array<[string[], string]> => {
    const keys = [...prefix, key];
    return isTable(value) ? walkKeys(value, keys) : [[keys, `EIDER_${keys.join("_").toUpperCase()}`]];
  });
}

function isTable(v: unknown): v is Table {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function toConfig(t: any): EiderConfig {
  return {
    dataDir: t.data_dir,
    adminToken: t.admin_token,
    http: { host: t.http.host, port: t.http.port, shutdownGraceSeconds: t.http.shutdown_grace_seconds },
    lmtp: {
      enabled: t.lmtp.enabled,
      host: t.lmtp.host,
      port: t.lmtp.port,
      overQuotaPermanent: t.lmtp.over_quota_permanent,
      maxConnections: t.lmtp.max_connections,
      idleTimeoutSeconds: t.lmtp.idle_timeout_seconds,
      starttls: t.lmtp.starttls,
      xclientNetworks: commaList(t.lmtp.xclient_networks),
    },
    mx: {
      enabled: t.mx.enabled,
      host: t.mx.host,
      port: t.mx.port,
      serverName: t.mx.server_name,
      lmtpHost: t.mx.lmtp_host,
      lmtpPort: t.mx.lmtp_port,
      rspamdUrl: t.mx.rspamd_url,
      rspamdTimeoutMs: t.mx.rspamd_timeout_ms,
      starttls: t.mx.starttls,
      dnsZoneFile: t.mx.dns_zone_file,
      logLevel: oneOf(t.mx.log_level, ["debug", "info", "notice", "warn", "error"], "mx.log_level"),
      recipientMessages: wholeNumber(t.mx.recipient_messages, "mx.recipient_messages"),
      recipientWindowSeconds: countingNumber(t.mx.recipient_window_seconds, "mx.recipient_window_seconds"),
      clientMessages: wholeNumber(t.mx.client_messages, "mx.client_messages"),
      clientWindowSeconds: countingNumber(t.mx.client_window_seconds, "mx.client_window_seconds"),
    },
    store: {
      mongodbUrl: t.store.mongodb_url,
      mongodbDatabase: t.store.mongodb_database,
      mongodbBlobDatabase: t.store.mongodb_blob_database,
      writeThread: t.store.write_thread,
    },
    bus: {
      redisUrl: t.bus.redis_url,
      redisPrefix: t.bus.redis_prefix,
      commandTimeoutMs: t.bus.command_timeout_ms,
    },
    limits: {
      maxMessageBytes: t.limits.max_message_bytes,
      graphqlMaxTokens: t.limits.graphql_max_tokens,
      graphqlMaxDepth: t.limits.graphql_max_depth,
      graphqlMaxCost: t.limits.graphql_max_cost,
      graphqlDefaultListSize: t.limits.graphql_default_list_size,
      graphqlMaxBodiesPerRequest: t.limits.graphql_max_bodies_per_request,
      sessionTtlHours: t.limits.session_ttl_hours,
      loginAttempts: t.limits.login_attempts,
      loginWindowSeconds: t.limits.login_window_seconds,
      loginAttemptsPerIp: t.limits.login_attempts_per_ip,
      loginChecksAtOnce: countingNumber(t.limits.login_checks_at_once, "limits.login_checks_at_once"),
      loginChecksAtOncePerIp: countingNumber(
        t.limits.login_checks_at_once_per_ip,
        "limits.login_checks_at_once_per_ip",
      ),
      loginLimitExemptNetworks: commaList(t.limits.login_limit_exempt_networks),
      maxPageSize: t.limits.max_page_size,
      maxBatchIds: t.limits.max_batch_ids,
      maxSearchTextChars: t.limits.max_search_text_chars,
      maxMailboxPathChars: t.limits.max_mailbox_path_chars,
      maxChanges: t.limits.max_changes,
      maxUsersPage: t.limits.max_users_page,
      minPasswordLength: t.limits.min_password_length,
      maxFiltersPerUser: t.limits.max_filters_per_user,
    },
    journal: {
      retentionDays: t.journal.retention_days,
      maintenanceIntervalMinutes: t.journal.maintenance_interval_minutes,
    },
    delivery: {
      duplicateWindowSeconds: t.delivery.duplicate_window_seconds,
      logRetentionDays: t.delivery.log_retention_days,
      spamHeaders: spamHeaders(t.delivery.spam_headers),
      spamLevel: t.delivery.spam_level,
    },
    auth: {
      verifiedLoginCacheSeconds: wholeNumber(
        t.auth.verified_login_cache_seconds,
        "auth.verified_login_cache_seconds",
      ),
      verifiedLoginCacheEntries: wholeNumber(
        t.auth.verified_login_cache_entries,
        "auth.verified_login_cache_entries",
      ),
    },
    authLog: {
      retentionDays: t.auth_log.retention_days,
      floodEntriesPerHour: t.auth_log.flood_entries_per_hour,
    },
    tls: {
      cert: t.tls.cert,
      key: t.tls.key,
      trustedNetworks: commaList(t.tls.trusted_networks),
    },
    pop3: {
      enabled: t.pop3.enabled,
      host: t.pop3.host,
      port: t.pop3.port,
      tlsPort: t.pop3.tls_port,
      implicitTls: t.pop3.implicit_tls,
      listingSize: t.pop3.listing_size,
      deleAction: oneOf(t.pop3.dele_action, ["trash", "delete"], "pop3.dele_action"),
      maxConnections: t.pop3.max_connections,
      idleTimeoutSeconds: t.pop3.idle_timeout_seconds,
    },
    imap: {
      enabled: t.imap.enabled,
      host: t.imap.host,
      port: t.imap.port,
      tlsPort: t.imap.tls_port,
      implicitTls: t.imap.implicit_tls,
      maxConnections: t.imap.max_connections,
      maxConnectionsPerUser: t.imap.max_connections_per_user,
      idleTimeoutSeconds: t.imap.idle_timeout_seconds,
      downloadBytesPerDay: t.imap.download_bytes_per_day,
      uploadBytesPerDay: t.imap.upload_bytes_per_day,
    },
    autoreply: { periodDays: t.autoreply.period_days },
    submission: {
      enabled: t.submission.enabled,
      host: t.submission.host,
      port: t.submission.port,
      tlsPort: t.submission.tls_port,
      implicitTls: t.submission.implicit_tls,
      hostname: t.submission.hostname,
      maxMessageBytes:
        wholeNumber(t.submission.max_message_bytes, "submission.max_message_bytes") ||
        t.limits.max_message_bytes,
      maxRecipients: countingNumber(t.submission.max_recipients, "submission.max_recipients"),
      maxConnections: countingNumber(t.submission.max_connections, "submission.max_connections"),
      idleTimeoutSeconds: countingNumber(
        t.submission.idle_timeout_seconds,
        "submission.idle_timeout_seconds",
      ),
      proxyProtocol: t.submission.proxy_protocol,
      recipientsPerDay: countingNumber(t.submission.recipients_per_day, "submission.recipients_per_day"),
      maxScheduleDays: countingNumber(t.submission.max_schedule_days, "submission.max_schedule_days"),
    },
    outbound: {
      relay: t.outbound.relay,
      attempts: Math.max(1, Math.floor(t.outbound.attempts)),
      retryDelaySeconds: t.outbound.retry_delay_seconds,
      ...outboundQueue(t.outbound),
    },
    log: { level: t.log.level },
  };
}

/** `[outbound]`'s queue options, checked: smarthost mode needs a relay, the schedule positive numbers. */
function outboundQueue(o: Record<string, any>) {
  const mode = oneOf(o.mode, ["direct", "smarthost", "zonemta"] as const, "outbound.mode");
  if (mode === "smarthost" && !o.relay)
    throw new ConfigError('Option "outbound.mode" is "smarthost", so "outbound.relay" must name the relay.');
  const zonemtaUrl = zonemtaUrlOption(o.zonemta_url);
  if (mode === "zonemta" && !zonemtaUrl)
    throw new ConfigError(
      'Option "outbound.mode" is "zonemta", so "outbound.zonemta_url" must name ZoneMTA\'s feeder and the relay login.',
    );
  const retryMinutes = commaList(o.retry_minutes).map(Number);
  if (retryMinutes.length === 0 || retryMinutes.some((m) => !(m > 0)))
    throw new ConfigError(
      `Option "outbound.retry_minutes" must be positive numbers separated by commas, not "${o.retry_minutes}".`,
    );
  return {
    mode,
    hostname: o.hostname || hostname(),
    mxPort: countingNumber(o.mx_port, "outbound.mx_port"),
    retryMinutes,
    maxAgeHours: countingNumber(o.max_age_hours, "outbound.max_age_hours"),
    retentionDays: countingNumber(o.retention_days, "outbound.retention_days"),
    concurrency: countingNumber(o.concurrency, "outbound.concurrency"),
    leaseMinutes: countingNumber(o.lease_minutes, "outbound.lease_minutes"),
    runQueue: o.run_queue === true,
    zonemtaUrl,
  };
}

/** `[outbound] zonemta_url`: empty, or smtp(s)://user:password@host:port (the plugin needs the login to know it). */
function zonemtaUrlOption(value: string): string {
  if (!value) return "";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      `[outbound] zonemta_url "${value}" is not a URL; write smtp://user:password@host:port.`,
    );
  }
  if (!["smtp:", "smtps:"].includes(url.protocol) || !url.username || !url.password || !url.port)
    throw new ConfigError(
      `[outbound] zonemta_url "${value}" must be smtp://user:password@host:port (or smtps://): ZoneMTA's Eider plugin knows this server's outbox by that login.`,
    );
  return value;
}

/** `[delivery] spam_headers`: a comma-separated list of the header names Eider reads. */
function spamHeaders(value: string): string[] {
  const names = commaList(value);
  const known = new Map(SPAM_HEADERS.map((h) => [h.toLowerCase(), h]));
  for (const name of names)
    if (!known.has(name.toLowerCase()))
      throw new ConfigError(
        `Option "delivery.spam_headers" names "${name}", which is not one of ${SPAM_HEADERS.join(", ")}.`,
      );
  return names;
}

function commaList(value: string): string[] {
  return value
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
}

function wholeNumber(value: number, name: string): number {
  if (Number.isSafeInteger(value) && value >= 0) return value;
  throw new ConfigError(`Option "${name}" must be a whole number, 0 or more, not ${value}.`);
}

/** A limit where 0 would refuse everything (no login could ever be checked). */
function countingNumber(value: number, name: string): number {
  if (Number.isSafeInteger(value) && value >= 1) return value;
  throw new ConfigError(`Option "${name}" must be a whole number, 1 or more, not ${value}.`);
}

function oneOf<T extends string>(value: string, allowed: readonly T[], name: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(
    `Option "${name}" must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, not "${value}".`,
  );
}

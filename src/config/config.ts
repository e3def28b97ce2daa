import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "smol-toml";

/** The whole configuration; `config/default.toml` documents every option. */
export interface EiderConfig {
  dataDir: string;
  adminToken: string;
  http: { host: string; port: number };
  store: { mongodbUrl: string; mongodbDatabase: string; mongodbBlobDatabase: string };
  bus: { redisUrl: string; redisPrefix: string };
  limits: {
    maxMessageBytes: number;
    graphqlMaxTokens: number;
    graphqlMaxDepth: number;
    graphqlMaxCost: number;
    graphqlDefaultListSize: number;
    sessionTtlHours: number;
    loginAttempts: number;
    loginWindowSeconds: number;
  };
  journal: { retentionDays: number; maintenanceIntervalMinutes: number };
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

/** Defaults, then the user's file, then the environment. Unknown keys in a file are an error, not a silent no-op. */
export function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv } = {}): EiderConfig {
  const env = options.env ?? process.env;
  const defaults = parse(readFileSync(defaultsPath(), "utf8")) as Table;
  const merged = structuredClone(defaults);
  if (options.file)
    mergeInto(merged, parse(readFileSync(options.file, "utf8")) as Table, defaults, options.file);
  applyEnv(merged, defaults, env);
  return toConfig(merged);
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
    if (!(key in shape))
      throw new Error(`Unknown option "${name}" in ${where}; config/default.toml lists every option.`);
    const expected = shape[key];
    if (isTable(expected)) {
      if (!isTable(value)) throw new Error(`Option "${name}" in ${where} must be a table.`);
      mergeInto(target[key] as Table, value, expected, where, `${name}.`);
    } else {
      if (typeof value !== typeof expected)
        throw new Error(
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
      if (!Number.isFinite(n)) throw new Error(`Environment variable ${name}="${raw}" must be a number.`);
      t[last] = n;
    } else if (typeof expected === "boolean") t[last] = raw === "true" || raw === "1";
    else t[last] = raw;
  };
  for (const [keys, name] of walkKeys(shape)) {
    const value = env[name];
    if (value !== undefined) set(keys, value, name);
  }
  for (const [name, keys] of Object.entries(SHORT_ENV)) {
    const value = env[name];
    if (value !== undefined && value !== "") set(keys, value, name);
  }
}

function* walkKeys(shape: Table, prefix: string[] = []): Generator<[string[], string]> {
  for (const [key, value] of Object.entries(shape)) {
    const keys = [...prefix, key];
    if (isTable(value)) yield* walkKeys(value, keys);
    else yield [keys, `EIDER_${keys.join("_").toUpperCase()}`];
  }
}

function isTable(v: unknown): v is Table {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function toConfig(t: any): EiderConfig {
  return {
    dataDir: t.data_dir,
    adminToken: t.admin_token,
    http: { host: t.http.host, port: t.http.port },
    store: {
      mongodbUrl: t.store.mongodb_url,
      mongodbDatabase: t.store.mongodb_database,
      mongodbBlobDatabase: t.store.mongodb_blob_database,
    },
    bus: { redisUrl: t.bus.redis_url, redisPrefix: t.bus.redis_prefix },
    limits: {
      maxMessageBytes: t.limits.max_message_bytes,
      graphqlMaxTokens: t.limits.graphql_max_tokens,
      graphqlMaxDepth: t.limits.graphql_max_depth,
      graphqlMaxCost: t.limits.graphql_max_cost,
      graphqlDefaultListSize: t.limits.graphql_default_list_size,
      sessionTtlHours: t.limits.session_ttl_hours,
      loginAttempts: t.limits.login_attempts,
      loginWindowSeconds: t.limits.login_window_seconds,
    },
    journal: {
      retentionDays: t.journal.retention_days,
      maintenanceIntervalMinutes: t.journal.maintenance_interval_minutes,
    },
    log: { level: t.log.level },
  };
}

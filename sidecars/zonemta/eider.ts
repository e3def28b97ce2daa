// The Eider plugin for ZoneMTA (cluster outbound), the way zonemta-wildduck serves WildDuck. ZoneMTA require()s it
// from `pluginsPath` as "eider" (Node 20.19+ loads this ES module through require(): it has no top-level await) in
// each receiver process, which opens its own Eider core on the cluster's MongoDB and Redis:
//
//   pluginsPath = "<eider>/dist/sidecars/zonemta"
//   [plugins.eider]
//   enabled = "receiver"
//   config = "/etc/eider/eider.toml"   # Eider's config file; EIDER_* variables apply as for `eider serve`
//
// The hooks go in before anything can fail: a ZoneMTA whose plugin did not load would take any password.
import { randomBytes } from "node:crypto";
import { pino } from "pino";
import { loadConfig, type EiderConfig } from "../../src/config/config.js";
import { openCore } from "../../src/main.js";
import { relayCredentials } from "./relay-credentials.js";
import { RelayHooks, type RelayCore } from "./relay-hooks.js";
import type { ZoneMtaApp } from "./zonemta-api.js";

export const title = "Eider";

export async function init(app: ZoneMtaApp): Promise<void> {
  const prefix = `Eider/${process.pid}`;
  const logError = (message: string, err: unknown) =>
    app.logger.error(
      prefix,
      "%s: %s",
      message,
      err instanceof Error ? (err.stack ?? err.message) : String(err),
    );
  let config: EiderConfig | null = null;
  let configError: unknown = null;
  try {
    config = loadConfig({ file: typeof app.config.config === "string" ? app.config.config : undefined });
    if (!config.store.mongodbUrl || !config.bus.redisUrl)
      throw new Error(
        "the Eider plugin for ZoneMTA needs Eider's cluster stores: set [store] mongodb_url and [bus] redis_url (or EIDER_STORE_MONGODB_URL and EIDER_BUS_REDIS_URL)",
      );
  } catch (err) {
    configError = err;
  }
  const hooks = new RelayHooks({
    core: () => (config ? opener(config) : Promise.reject(configError)),
    relay: config ? relayCredentials(config.outbound.zonemtaUrl) : null,
    logError,
  });
  app.addHook("smtp:auth", (auth, session) => hooks.auth(auth, session));
  app.addHook("smtp:data", (envelope, session) => hooks.data(envelope, session));
  app.addAnalyzerHook((envelope, source, destination) => hooks.analyze(envelope, source, destination));
  app.addHook("message:queue", (envelope) => hooks.queue(envelope));
  if (configError) {
    // Every AUTH is then refused as temporary (454): the operator fixes the config, ZoneMTA takes no mail meanwhile.
    logError("Eider's configuration cannot be used; every login is refused until it is fixed", configError);
    return;
  }
  const opened = await opener(config!).then(
    () => true,
    () => false,
  );
  app.logger.info(
    prefix,
    opened ? "Eider core open" : "Eider core not open yet; tried again at the next login",
  );
}

let opening: Promise<RelayCore> | null = null;

/** One core per ZoneMTA process, opened on first need; a failed open is tried again at the next call. */
function opener(config: EiderConfig): Promise<RelayCore> {
  opening ??= (async () => {
    const logger = pino({ level: config.log.level });
    // The plugin never takes a bearer token; without a configured admin token it makes up one of its own rather
    // than writing a token file into ZoneMTA's working folder.
    const adminToken = config.adminToken || randomBytes(24).toString("base64url");
    const { core } = await openCore({ ...config, adminToken }, logger);
    return core;
  })();
  opening.catch(() => (opening = null));
  return opening;
}

// The composition root: the only place that chooses adapters (embedded or MongoDB store, memory or Redis bus).
import "reflect-metadata";
import { pino, type Logger } from "pino";
import type { Bus } from "./bus/index.js";
import { MemoryBus } from "./bus/memory.js";
import { recordAdminTokenUse, resolveAdminToken, type AdminToken } from "./config/admin-token.js";
import type { EiderConfig } from "./config/config.js";
import {
  addressMatcher,
  ADMIN,
  createCore,
  USAGE_SETTLE_MS,
  type Core,
  type OutboundPort,
  type OutboundTransport,
} from "./core/index.js";
import type { RunningHttpServer } from "./http/server.js";
import { openEmbeddedStore } from "./storage/embedded/index.js";
import type { Store } from "./storage/ports.js";
import { startIdleGc } from "./runtime/idle-gc.js";
import type { RunningLmtpServer } from "../sidecars/lmtp/server.js";
import type { RunningPop3Server } from "../sidecars/pop3/index.js";
import type { RunningImapServer } from "../sidecars/imap/index.js";
import type { RunningSubmissionServer } from "../sidecars/submission/index.js";
import type { TlsCertificates } from "../sidecars/shared/tls.js";
import type { RunningHaraka } from "../sidecars/mx/index.js";

/** `atStart`: this process is the server starting, so it cleans up what a crash of the last one left. */
export async function openStore(config: EiderConfig, options: { atStart?: boolean } = {}): Promise<Store> {
  if (config.store.mongodbUrl) {
    // The cluster adapters load only when configured: the MongoDB driver and ioredis cost about 20 MB each at rest.
    const { openMongoStore } = await import("./storage/mongo/index.js");
    return openMongoStore({
      url: config.store.mongodbUrl,
      dbName: config.store.mongodbDatabase,
      blobDbName: config.store.mongodbBlobDatabase,
    });
  }
  // The server runs the store's changes on a thread of their own (a second core for commits); a command need not.
  return openEmbeddedStore({
    dataDir: config.dataDir,
    sweepTempFiles: options.atStart,
    writeThread: options.atStart && config.store.writeThread,
  });
}

export async function openBus(config: EiderConfig, logger?: Logger): Promise<Bus> {
  if (config.bus.redisUrl) {
    const { RedisBus } = await import("./bus/redis.js");
    return new RedisBus(config.bus.redisUrl, {
      keyPrefix: config.bus.redisPrefix,
      commandTimeoutMs: config.bus.commandTimeoutMs,
      // ioredis reconnects by itself; each failed attempt is one log line, not a stack trace on stderr.
      onError: logger ? (err) => logger.warn({ err }, "redis bus error") : undefined,
    });
  }
  return new MemoryBus();
}

/** The outbound port: an SMTP relay when configured (loaded only then), else none. */
async function openOutbound(config: EiderConfig): Promise<OutboundPort | null> {
  if (!config.outbound.relay) return null;
  const { smtpRelay } = await import("./outbound/smarthost.js");
  return smtpRelay(config.outbound.relay);
}

/** The outbound queue's way out: each domain's MX, the relay, or ZoneMTA ([outbound] mode); loaded only when built. */
async function openTransport(config: EiderConfig): Promise<OutboundTransport> {
  const { hostname, mode, relay, mxPort } = config.outbound;
  if (mode === "zonemta") {
    const { zonemtaTransport } = await import("./outbound/zonemta.js");
    return zonemtaTransport(config.outbound.zonemtaUrl, { name: hostname });
  }
  if (mode === "smarthost") {
    const { smarthost } = await import("./outbound/smarthost.js");
    return smarthost(relay, { name: hostname });
  }
  const { directMx } = await import("./outbound/direct-mx.js");
  return directMx({ name: hostname, port: mxPort });
}

/** The adapters behind a core, for what must see below it: tests that check the stored rows, and the start-up log. */
export interface Adapters {
  store: Store;
  bus: Bus;
}

export async function openCore(
  config: EiderConfig,
  logger: Logger = pino({ level: config.log.level }),
  options: { atStart?: boolean } = {},
): Promise<{ core: Core; adapters: Adapters; adminToken: AdminToken }> {
  const adminToken = resolveAdminToken(config);
  // `eider serve` prints a generated token on every start until a request has presented it once.
  let unusedToken = adminToken.source === "file" && !adminToken.firstUsedAt;
  const store = await openStore(config, options);
  const bus = await openBus(config, logger);
  const core = createCore(store, bus, {
    adminToken: adminToken.token,
    sessionTtlMs: config.limits.sessionTtlHours * 3600_000,
    maxMessageBytes: config.limits.maxMessageBytes,
    loginAttempts: config.limits.loginAttempts,
    loginWindowMs: config.limits.loginWindowSeconds * 1000,
    loginAttemptsPerIp: config.limits.loginAttemptsPerIp,
    loginChecksAtOnce: config.limits.loginChecksAtOnce,
    loginChecksAtOncePerIp: config.limits.loginChecksAtOncePerIp,
    loginLimitExemptNetworks: config.limits.loginLimitExemptNetworks,
    journalRetentionMs: config.journal.retentionDays * 86_400_000,
    duplicateWindowMs: config.delivery.duplicateWindowSeconds * 1000,
    deliveryLogRetentionMs: config.delivery.logRetentionDays * 86_400_000,
    verifiedLoginCache: {
      ttlMs: config.auth.verifiedLoginCacheSeconds * 1000,
      maxEntries: config.auth.verifiedLoginCacheEntries,
    },
    authLogRetentionMs: config.authLog.retentionDays * 86_400_000,
    authLogFloodEntriesPerHour: config.authLog.floodEntriesPerHour,
    onAuthLogFlood: (kept) =>
      logger.warn(
        { kept },
        "auth log: this hour's allowance for unknown-name and rate-limited attempts is spent; further ones are not stored",
      ),
    limits: {
      maxPageSize: config.limits.maxPageSize,
      maxBatchIds: config.limits.maxBatchIds,
      maxSearchTextChars: config.limits.maxSearchTextChars,
      maxMailboxPathChars: config.limits.maxMailboxPathChars,
      maxChanges: config.limits.maxChanges,
      maxUsersPage: config.limits.maxUsersPage,
      minPasswordLength: config.limits.minPasswordLength,
      maxFiltersPerUser: config.limits.maxFiltersPerUser,
    },
    spam: { headers: config.delivery.spamHeaders, defaultLevel: config.delivery.spamLevel },
    inboundLimits: {
      perRecipient: {
        messages: config.mx.recipientMessages,
        windowMs: config.mx.recipientWindowSeconds * 1000,
      },
      perClientIp: { messages: config.mx.clientMessages, windowMs: config.mx.clientWindowSeconds * 1000 },
    },
    onBackgroundError: (err) =>
      logger.error(
        { err },
        "background write failed (an event after a committed change, the auth or delivery log)",
      ),
    outbound: await openOutbound(config),
    autoreply: {
      periodMs: config.autoreply.periodDays * 86_400_000,
      sendAttempts: config.outbound.attempts,
      retryDelayMs: config.outbound.retryDelaySeconds * 1000,
    },
    log: logger,
    outbox: {
      transport: await openTransport(config),
      hostname: config.outbound.hostname,
      retry: {
        delaysMs: config.outbound.retryMinutes.map((m) => m * 60_000),
        maxAgeMs: config.outbound.maxAgeHours * 3600_000,
      },
      leaseMs: config.outbound.leaseMinutes * 60_000,
      concurrency: config.outbound.concurrency,
      retentionMs: config.outbound.retentionDays * 86_400_000,
    },
    transfers: {
      downloadBytesPerDay: config.imap.downloadBytesPerDay,
      uploadBytesPerDay: config.imap.uploadBytesPerDay,
    },
    submission: {
      recipientsPerDay: config.submission.recipientsPerDay,
      maxScheduleDays: config.submission.maxScheduleDays,
      ...(config.submission.hostname ? { hostname: config.submission.hostname } : {}),
    },
    onAdminTokenUse: () => {
      if (!unusedToken) return;
      unusedToken = false;
      try {
        recordAdminTokenUse(config, adminToken.token);
      } catch (err) {
        logger.warn({ err }, "could not record the admin token's first use");
      }
    },
  });
  return { core, adapters: { store, bus }, adminToken };
}

export interface RunningEider {
  core: Core;
  adapters: Adapters;
  http: RunningHttpServer;
  /** Null when [lmtp] enabled = false. */
  lmtp: RunningLmtpServer | null;
  /** Null when [pop3] enabled = false. */
  pop3: RunningPop3Server | null;
  /** Null when [imap] enabled = false. */
  imap: RunningImapServer | null;
  /** Haraka with the Eider plugin, a child process; null when [mx] enabled = false. */
  mx: RunningHaraka | null;
  /** Null when [submission] enabled = false. */
  submission: RunningSubmissionServer | null;
  logger: Logger;
  /**
   * Re-reads the TLS certificate files for every sidecar that uses them (`eider serve` calls it on SIGHUP):
   * connections opened after it get the new pair. A file that cannot be read keeps the old pair (logged).
   * "none" when nothing running uses TLS.
   */
  reloadCertificates(): "reloaded" | "failed" | "none";
  stop(): Promise<void>;
}

/** The listeners one process can run; `eider serve --only lmtp` picks some. */
export const PARTS = ["http", "lmtp", "pop3", "imap", "mx", "submission"] as const;
export type Part = (typeof PARTS)[number];

/** What `--only` did not name is null. */
export type RunningParts = Omit<RunningEider, "http"> & { http: RunningHttpServer | null };

/** The parts the configuration turns on when no `--only` is given. */
export function configuredParts(config: EiderConfig): Part[] {
  return PARTS.filter((p) =>
    p === "lmtp"
      ? config.lmtp.enabled
      : p === "pop3"
        ? config.pop3.enabled
        : p === "imap"
          ? config.imap.enabled
          : p === "mx"
            ? config.mx.enabled
            : p === "submission"
              ? config.submission.enabled
              : true,
  );
}

/** Starts everything in this process; `stop()` stops accepting, finishes in-flight work, closes the stores. */
export async function startEider(
  config: EiderConfig,
  logger = pino({ level: config.log.level }),
): Promise<RunningEider & { adminToken: AdminToken }> {
  const running = await startParts(config, configuredParts(config), logger);
  return { ...running, http: running.http! };
}

/** Starts the named listeners (and the housekeeping every process does) over one core. */
export async function startParts(
  config: EiderConfig,
  parts: readonly Part[],
  logger = pino({ level: config.log.level }),
): Promise<RunningParts & { adminToken: AdminToken }> {
  const { core, adapters, adminToken } = await openCore(config, logger, { atStart: true });
  let http: RunningHttpServer | null = null;
  let lmtp: RunningLmtpServer | null = null;
  let pop3: RunningPop3Server | null = null;
  let imap: RunningImapServer | null = null;
  let mx: RunningHaraka | null = null;
  let submission: RunningSubmissionServer | null = null;
  let tls: TlsCertificates | null = null;
  try {
    // One certificate for every sidecar that speaks TLS, loaded (or generated) before the first listens.
    if (
      parts.includes("pop3") ||
      parts.includes("imap") ||
      parts.includes("submission") ||
      (parts.includes("lmtp") && config.lmtp.starttls) ||
      (parts.includes("mx") && config.mx.starttls)
    )
      tls = await loadCertificates(config, logger);
    if (parts.includes("lmtp")) {
      // Loaded only when it runs: a process serving the API alone does not need the SMTP stack.
      const { startLmtpServer } = await import("../sidecars/lmtp/server.js");
      lmtp = await startLmtpServer(core, logger, {
        host: config.lmtp.host,
        port: config.lmtp.port,
        maxMessageBytes: config.limits.maxMessageBytes,
        overQuotaPermanent: config.lmtp.overQuotaPermanent,
        maxConnections: config.lmtp.maxConnections,
        idleTimeoutMs: config.lmtp.idleTimeoutSeconds * 1000,
        shutdownGraceMs: config.http.shutdownGraceSeconds * 1000,
        starttls: config.lmtp.starttls ? tls : null,
        xclientFrom: config.lmtp.xclientNetworks.length
          ? addressMatcher(config.lmtp.xclientNetworks)
          : undefined,
      });
    }
    if (parts.includes("pop3")) {
      const { startPop3Sidecar } = await import("../sidecars/pop3/index.js");
      pop3 = await startPop3Sidecar(core, config, logger, tls!);
    }
    if (parts.includes("imap")) {
      const { startImapSidecar } = await import("../sidecars/imap/index.js");
      imap = await startImapSidecar(core, config, logger, tls!);
    }
    if (parts.includes("submission")) {
      const { startSubmissionSidecar } = await import("../sidecars/submission/index.js");
      submission = await startSubmissionSidecar(core, config, logger, tls!);
    }
    if (parts.includes("mx")) {
      const { startMxSidecar } = await import("../sidecars/mx/index.js");
      mx = await startMxSidecar(config, logger, lmtp, tls);
    }
    // The API listens last: once /health answers, every part of this process takes connections (a script or a
    // load balancer that waits for /health must not meet a refused LMTP or POP3 port).
    if (parts.includes("http")) http = await startHttp(config, core, logger);
  } catch (err) {
    // One listener could not start (its port is taken): the others and the store close before the error goes up.
    await http?.close();
    await mx?.stop();
    await submission?.close();
    await imap?.close();
    await pop3?.close();
    await lmtp?.close();
    await core.close();
    throw err;
  }
  logger.info(
    {
      http: http?.url ?? null,
      lmtp: lmtp ? `${lmtp.host}:${lmtp.port}` : null,
      pop3: pop3 ? `${pop3.host}:${pop3.port}` : null,
      imap: imap ? `${imap.host}:${imap.port}` : null,
      mx: mx ? `${mx.host}:${mx.port}` : null,
      submission: submission ? `${submission.host}:${submission.port}` : null,
      store: adapters.store.kind,
      bus: config.bus.redisUrl ? "redis" : "memory",
    },
    "eider started",
  );
  // Quota usage recounted from the messages: every user now, then those whose usage changed since, each minute.
  let reconciling = false;
  const reconcileUsage = async () => {
    if (reconciling) return;
    reconciling = true;
    try {
      const fixed = await core.maintenance.reconcileUsage(ADMIN);
      if (fixed > 0) logger.warn({ usersFixed: fixed }, "quota usage was off and is recounted");
    } catch (err) {
      logger.error({ err }, "quota usage reconcile failed");
    } finally {
      reconciling = false;
    }
  };
  const usageRuns = Promise.resolve().then(reconcileUsage); // not awaited: a big store must not delay the start
  const usageTimer = setInterval(() => void reconcileUsage(), USAGE_SETTLE_MS);
  usageTimer.unref();
  const maintenance = setInterval(() => {
    core.maintenance.runOnce(ADMIN).then(
      (result) => result && logger.info(result, "maintenance done"),
      (err: unknown) => logger.error({ err }, "maintenance failed"),
    );
  }, config.journal.maintenanceIntervalMinutes * 60_000);
  maintenance.unref();
  // The outbound queue: due entries are claimed here (and in any other process running it).
  if (config.outbound.runQueue) core.outbox.start();
  // Dead buffers of a large message are given back once the server goes quiet, not at its next busy moment.
  const stopIdleGc = startIdleGc();
  let stopping: Promise<void> | null = null;
  return {
    core,
    adapters,
    http,
    lmtp,
    pop3,
    imap,
    mx,
    submission,
    logger,
    adminToken,
    reloadCertificates() {
      if (!tls) return "none";
      try {
        tls.reload();
        logger.info("TLS certificates reloaded");
        return "reloaded";
      } catch (err) {
        logger.error({ err }, "TLS certificate reload failed; the old certificate stays");
        return "failed";
      }
    },
    stop() {
      stopping ??= (async () => {
        clearInterval(maintenance);
        clearInterval(usageTimer);
        stopIdleGc();
        // The MX first: what it has in flight is delivered through this process's LMTP before that closes.
        await mx?.stop();
        await Promise.all([http?.close(), lmtp?.close(), pop3?.close(), imap?.close(), submission?.close()]);
        await usageRuns; // the store stays open until the start's recount is done
        await core.close();
        logger.info("eider stopped");
      })();
      return stopping;
    },
  };
}

async function loadCertificates(config: EiderConfig, logger: Logger): Promise<TlsCertificates> {
  const { TlsCertificates } = await import("../sidecars/shared/tls.js");
  const tls = await TlsCertificates.load({
    certPath: config.tls.cert || undefined,
    keyPath: config.tls.key || undefined,
    dataDir: config.dataDir,
  });
  if (tls.generated) logger.info({ dir: `${config.dataDir}/tls` }, "generated a self-signed TLS certificate");
  return tls;
}

async function startHttp(config: EiderConfig, core: Core, logger: Logger): Promise<RunningHttpServer> {
  // Loaded here, not at the top: the command line's other commands need the core, not the HTTP stack.
  const { buildEiderSchema } = await import("./graphql/index.js");
  const { Metrics } = await import("./http/metrics.js");
  const { startHttpServer } = await import("./http/server.js");
  const metrics = new Metrics();
  const schema = await buildEiderSchema();
  return startHttpServer(core, schema, metrics, logger, {
    host: config.http.host,
    port: config.http.port,
    maxTokens: config.limits.graphqlMaxTokens,
    maxDepth: config.limits.graphqlMaxDepth,
    maxCost: config.limits.graphqlMaxCost,
    defaultListSize: config.limits.graphqlDefaultListSize,
    maxBodiesPerRequest: config.limits.graphqlMaxBodiesPerRequest,
    maxBodyBytes: Math.ceil(config.limits.maxMessageBytes * 1.4) + 64 * 1024,
    maxMessageBytes: config.limits.maxMessageBytes,
    shutdownGraceMs: config.http.shutdownGraceSeconds * 1000,
  });
}

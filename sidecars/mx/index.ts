// The MX part of `eider serve`: writes the Haraka config folder from Eider's config and starts Haraka on it.
import os from "node:os";
import path from "node:path";
import type { Logger } from "pino";
import type { EiderConfig } from "../../src/config/config.js";
import type { TlsCertificates } from "../shared/tls.js";
import { writeHarakaConfig } from "./haraka-config.js";
import { startHaraka, type RunningHaraka } from "./haraka-process.js";

export type { RunningHaraka } from "./haraka-process.js";

/** How long the plugin waits for one LMTP reply before it answers the client 451. */
const LMTP_REPLY_TIMEOUT_MS = 300_000;

/**
 * Starts Haraka delivering to `lmtp` (this process's LMTP listener, or null for [mx] lmtp_host/lmtp_port).
 * Its folder is <data_dir>/haraka.
 */
export async function startMxSidecar(
  config: EiderConfig,
  logger: Logger,
  lmtp: { host: string; port: number } | null,
  tls: TlsCertificates | null,
): Promise<RunningHaraka> {
  const log = logger.child({ protocol: "mx" });
  const target = config.mx.lmtpHost ? { host: config.mx.lmtpHost, port: config.mx.lmtpPort } : lmtp;
  if (!target)
    throw new Error("[mx] needs an LMTP listener: enable [lmtp] in this process or set [mx] lmtp_host.");
  const serverName = config.mx.serverName || os.hostname();
  const dir = writeHarakaConfig(path.join(config.dataDir, "haraka"), {
    host: config.mx.host,
    port: config.mx.port,
    // Room for what the MX and Eider's LMTP prepend (Received, Authentication-Results, spam and trace
    // headers), so a message Haraka takes is never too large for Eider.
    maxMessageBytes: Math.max(config.limits.maxMessageBytes - 16 * 1024, 1024),
    logLevel: config.mx.logLevel,
    tls: config.mx.starttls && tls ? tls.paths() : null,
    plugin: {
      lmtp: { host: target.host, port: target.port, timeoutMs: LMTP_REPLY_TIMEOUT_MS },
      serverName,
      authservId: serverName,
      rspamd: config.mx.rspamdUrl ? { url: config.mx.rspamdUrl, timeoutMs: config.mx.rspamdTimeoutMs } : null,
      dnsZoneFile: config.mx.dnsZoneFile || null,
    },
  });
  const haraka = await startHaraka(dir, {
    info: (line) => log.debug({ haraka: line }),
    warn: (line) => log.warn({ haraka: line }),
    error: (line) => log.error({ haraka: line }),
  });
  log.info({ listen: `${haraka.host}:${haraka.port}`, pid: haraka.pid, config: dir }, "haraka started");
  // Haraka dying on its own is not a silent loss of the MX: the log says so.
  let stopping = false;
  void haraka.exited.then((code) => {
    if (!stopping) log.error({ code }, "haraka exited on its own; mail from the internet is not taken");
  });
  return {
    ...haraka,
    stop: (graceMs?: number) => {
      stopping = true;
      return haraka.stop(graceMs);
    },
  };
}

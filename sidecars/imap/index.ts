// The IMAP sidecar as the composition root starts it: options from the [imap] and [tls] sections, the
// certificates the composition root loaded for every sidecar (and reloads on SIGHUP), pino for its log lines.
import os from "node:os";
import type { Logger } from "pino";
import type { Core } from "../../src/core/index.js";
import type { EiderConfig } from "../../src/config/config.js";
import type { TlsCertificates } from "../shared/tls.js";
import { DEFAULT_IMAP_LIMITS } from "./protocol/limits.js";
import { startImap, type ImapServer } from "./server.js";

export interface RunningImapServer {
  host: string;
  port: number;
  /** Null when [imap] implicit_tls = false. */
  tlsPort: number | null;
  /** The listeners themselves (session counts for tests). */
  server: ImapServer;
  close(): Promise<void>;
}

export async function startImapSidecar(
  core: Core,
  config: EiderConfig,
  logger: Logger,
  tls: TlsCertificates,
): Promise<RunningImapServer> {
  const log = logger.child({ protocol: "imap" });
  const server = await startImap({
    core,
    host: config.imap.host,
    port: config.imap.port,
    tlsPort: config.imap.implicitTls ? config.imap.tlsPort : null,
    tls,
    trustedNetworks: config.tls.trustedNetworks,
    limits: {
      ...DEFAULT_IMAP_LIMITS,
      maxAppendBytes: config.limits.maxMessageBytes,
      maxConnections: config.imap.maxConnections,
      maxConnectionsPerUser: config.imap.maxConnectionsPerUser,
      idleTimeoutMs: config.imap.idleTimeoutSeconds * 1000,
    },
    hostname: os.hostname(),
    log: (level, fields, message) => log[level](fields, message),
  });
  return {
    host: config.imap.host,
    port: server.port,
    tlsPort: server.tlsPort,
    server,
    close: () => server.close(),
  };
}

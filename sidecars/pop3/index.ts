// The POP3 sidecar as the composition root starts it: options from the [pop3] and [tls] sections, the
// certificates the composition root loaded for every sidecar (and reloads on SIGHUP), pino for its log lines.
import os from "node:os";
import type { Logger } from "pino";
import type { Core } from "../../src/core/index.js";
import type { EiderConfig } from "../../src/config/config.js";
import type { TlsCertificates } from "../shared/tls.js";
import { DEFAULT_POP3_LIMITS } from "./protocol/limits.js";
import { startPop3 } from "./server.js";

export interface RunningPop3Server {
  host: string;
  port: number;
  /** Null when [pop3] implicit_tls = false. */
  tlsPort: number | null;
  close(): Promise<void>;
}

export async function startPop3Sidecar(
  core: Core,
  config: EiderConfig,
  logger: Logger,
  tls: TlsCertificates,
): Promise<RunningPop3Server> {
  const log = logger.child({ protocol: "pop3" });
  const server = await startPop3({
    core,
    host: config.pop3.host,
    port: config.pop3.port,
    tlsPort: config.pop3.implicitTls ? config.pop3.tlsPort : null,
    tls,
    listingSize: config.pop3.listingSize,
    deleAction: config.pop3.deleAction,
    trustedNetworks: config.tls.trustedNetworks,
    limits: {
      ...DEFAULT_POP3_LIMITS,
      maxConnections: config.pop3.maxConnections,
      idleTimeoutMs: config.pop3.idleTimeoutSeconds * 1000,
    },
    hostname: os.hostname(),
    log: (level, fields, message) => log[level](fields, message),
  });
  return {
    host: config.pop3.host,
    port: server.port,
    tlsPort: server.tlsPort,
    close: () => server.close(),
  };
}

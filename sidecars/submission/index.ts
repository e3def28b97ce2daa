// The submission sidecar as the composition root starts it: options from the [submission] and [tls] sections, the
// certificates the composition root loaded for every sidecar (and reloads on SIGHUP), pino for its log lines.
import os from "node:os";
import type { Logger } from "pino";
import type { EiderConfig } from "../../src/config/config.js";
import type { Core, SubmissionService } from "../../src/core/index.js";
import type { TlsCertificates } from "../shared/tls.js";
import { startSubmissionServer, type RunningSubmissionServer } from "./server.js";

export type { RunningSubmissionServer } from "./server.js";

export function startSubmissionSidecar(
  core: { auth: Core["auth"]; submission: SubmissionService },
  config: EiderConfig,
  logger: Logger,
  tls: TlsCertificates,
): Promise<RunningSubmissionServer> {
  const c = config.submission;
  return startSubmissionServer({
    core,
    host: c.host,
    port: c.port,
    tlsPort: c.implicitTls ? c.tlsPort : null,
    tls,
    maxMessageBytes: c.maxMessageBytes,
    maxRecipients: c.maxRecipients,
    trustedNetworks: config.tls.trustedNetworks,
    proxyProtocol: c.proxyProtocol,
    maxConnections: c.maxConnections,
    idleTimeoutMs: c.idleTimeoutSeconds * 1000,
    shutdownGraceMs: config.http.shutdownGraceSeconds * 1000,
    serverName: c.hostname || os.hostname(),
    logger,
  });
}

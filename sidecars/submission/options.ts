// What the submission listeners need from the composition root.
import type { Logger } from "pino";
import type { Core, SubmissionService } from "../../src/core/index.js";
import type { TlsCertificates } from "../shared/tls.js";

export interface SubmissionOptions {
  /** The password check (limits, auth log) and the submission service (checks, Sent copy, queue). */
  core: { auth: Core["auth"]; submission: SubmissionService };
  host: string;
  /** Cleartext with STARTTLS (default 1587, 587 in production); 0 picks a free port. */
  port: number;
  /** Implicit TLS (default 1465, 465 in production); null turns it off. */
  tlsPort: number | null;
  tls: TlsCertificates;
  /** SIZE in EHLO, enforced while the DATA streams in. */
  maxMessageBytes: number;
  /** RCPT TO commands one message may have; one more is answered 452 4.5.3. */
  maxRecipients: number;
  /** Networks (CIDR or address) whose cleartext connections may authenticate; loopback always may. */
  trustedNetworks: string[];
  /**
   * The connection starts with a PROXY protocol header (HAProxy v1) from a load balancer in front, whose client
   * address then counts for trusted networks, the login limits and the Received line. Off: direct clients.
   */
  proxyProtocol: boolean;
  /** Connections at once, across both ports; one more gets 421 and is closed. */
  maxConnections: number;
  /** A connection silent this long is closed. */
  idleTimeoutMs: number;
  /** How long a stop waits for transactions in flight before it cuts their connections. */
  shutdownGraceMs: number;
  /** This host's name in the greeting and the Received line. */
  serverName: string;
  logger: Logger;
}

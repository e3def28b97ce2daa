// What an IMAP listener needs from the composition root.
import type { Core } from "../../src/core/index.js";
import type { TlsCertificates } from "../shared/tls.js";
import type { ImapLimits } from "./protocol/limits.js";

export interface ImapOptions {
  core: Core;
  host: string;
  /** Cleartext port with STARTTLS (default 1143); 0 picks a free port. */
  port: number;
  /** Implicit-TLS port (default 1993); null turns it off. Needs `tls`. */
  tlsPort: number | null;
  /** Certificates for STARTTLS and the implicit-TLS port; without them STARTTLS is not offered. */
  tls?: TlsCertificates;
  /** Networks (CIDR or address) whose cleartext connections may send passwords; loopback always may. */
  trustedNetworks: string[];
  limits: ImapLimits;
  /** Shown in the greeting. */
  hostname: string;
  log?: (
    level: "debug" | "info" | "warn" | "error",
    fields: Record<string, unknown>,
    message: string,
  ) => void;
}

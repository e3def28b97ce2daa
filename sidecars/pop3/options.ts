// What a POP3 listener needs from the composition root.
import type { Core } from "../../src/core/index.js";
import type { TlsCertificates } from "../shared/tls.js";
import type { DeleAction } from "./maildrop.js";
import type { Pop3Limits } from "./protocol/limits.js";

export interface Pop3Options {
  core: Core;
  host: string;
  /** Cleartext port with STLS (default 1110); 0 picks a free port. */
  port: number;
  /** Implicit-TLS port (default 1995); null turns it off. Needs `tls`. */
  tlsPort: number | null;
  /** Certificates for STLS and the implicit-TLS port; without them STLS is not offered. */
  tls?: TlsCertificates;
  /** The listing is the newest N INBOX messages. */
  listingSize: number;
  deleAction: DeleAction;
  /** Networks (CIDR or address) whose cleartext connections may send passwords; loopback always may. */
  trustedNetworks: string[];
  limits: Pop3Limits;
  /** Shown in the greeting. */
  hostname: string;
  log?: (
    level: "debug" | "info" | "warn" | "error",
    fields: Record<string, unknown>,
    message: string,
  ) => void;
}

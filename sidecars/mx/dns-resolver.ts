// The MX's real DNS: node's resolver with a bound on each look-up, so a sender whose name servers do not answer costs
// the SMTP session seconds, not minutes (node's default is c-ares' 5 s x 4 tries per query, and SPF alone may make
// ten queries). A look-up that times out fails with ETIMEOUT, which mailauth reports as temperror (RFC 7208 §2.6.6,
// RFC 7489 §6.6.3): the MX may then defer with a 4xx.
import { Resolver } from "node:dns/promises";
import type { DnsResolver } from "./stub-resolver.js";

export interface DnsResolverOptions {
  /** The first try's timeout; c-ares doubles it for each retry. Default 2,000 ms. */
  timeoutMs?: number;
  /** Tries per name server. Default 2. */
  tries?: number;
  /** `ip` or `ip:port` of the name servers; default the system's (/etc/resolv.conf). */
  servers?: string[];
}

export function systemDnsResolver(options: DnsResolverOptions = {}): DnsResolver {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 2000, tries: options.tries ?? 2 });
  if (options.servers && options.servers.length > 0) resolver.setServers(options.servers);
  return (name, rrtype) => resolver.resolve(name, rrtype as "TXT") as Promise<any[]>;
}

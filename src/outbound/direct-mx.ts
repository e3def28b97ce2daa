// The direct transport: each recipient domain's own mail servers (RFC 5321 §5.1). The MX records in order of
// preference (equal ones shuffled), the domain itself when it has no MX (its A/AAAA, the implicit MX), none at
// all for a null MX (RFC 7505). Each host is tried in turn, each of its addresses in turn, until one answers
// about the envelope; STARTTLS whenever offered, its certificate not checked (opportunistic, RFC 7435).
import { promises as dns } from "node:dns";
import { isIP } from "node:net";
import { domainToASCII } from "node:url";
import type { OutboundTransport, TransportResult } from "../core/index.js";
import { sendSmtpTransaction, SmtpUnreachable, type SmtpMessage } from "./smtp-transaction.js";

/** `dns.promises.resolve`'s shape: records of a type for a name (MX as `{exchange, priority}`, A/AAAA as strings). */
export type DnsResolve = (name: string, rrtype: string) => Promise<unknown[]>;

export interface DirectMxOptions {
  /** Our name in EHLO (it should resolve to, and be the reverse name of, the address we send from). */
  name: string;
  /** The SMTP port of every MX (25; tests point it at their own servers). */
  port?: number;
  resolve?: DnsResolve;
  /** Per connection: how long to wait for it and the greeting (each host costs up to this when it is down). */
  connectTimeoutMs?: number;
}

/** The outcome of looking a domain up: the hosts to try, or a refusal that holds for every recipient. */
type Route = { hosts: string[] } | { refusal: { response: string; permanent: boolean } };

interface MxRecord {
  exchange: string;
  priority: number;
}

const DNS_CODE = (err: unknown) => (err as { code?: string } | null)?.code;

/** The hosts to try for `domain`, in order; a null MX or a domain that does not exist is a refusal for good. */
export async function routeDomain(domain: string, resolve: DnsResolve): Promise<Route> {
  let records: MxRecord[];
  try {
    records = (await resolve(domain, "MX")) as MxRecord[];
  } catch (err) {
    const code = DNS_CODE(err);
    if (code === "ENODATA") return { hosts: [domain] }; // RFC 5321 §5.1: the domain itself is the implicit MX
    if (code === "ENOTFOUND")
      return {
        refusal: {
          response: `550 5.1.2 The domain ${domain} does not exist (no DNS name).`,
          permanent: true,
        },
      };
    return {
      refusal: {
        response: `451 4.4.3 The MX look-up of ${domain} failed: ${(err as Error).message}`,
        permanent: false,
      },
    };
  }
  // RFC 7505: a single MX of "." (node gives "") says the domain takes no mail.
  if (records.length === 1 && (records[0].exchange === "" || records[0].exchange === "."))
    return {
      refusal: { response: `556 5.1.10 The domain ${domain} accepts no mail (null MX).`, permanent: true },
    };
  const hosts = records
    .filter((r) => r.exchange !== "" && r.exchange !== ".")
    .map((r) => ({ ...r, tie: Math.random() }))
    .sort((a, b) => a.priority - b.priority || a.tie - b.tie)
    .map((r) => r.exchange.replace(/\.$/, ""));
  return { hosts: [...new Set(hosts)] };
}

/** A host's addresses, IPv4 first (many sending hosts here have no IPv6 route); none when it does not resolve. */
async function addressesOf(host: string, resolve: DnsResolve): Promise<string[]> {
  if (isIP(host)) return [host];
  const lists = await Promise.all(
    ["A", "AAAA"].map((type) =>
      resolve(host, type).then(
        (a) => a as string[],
        () => [] as string[],
      ),
    ),
  );
  return lists.flat();
}

export function directMx(options: DirectMxOptions): OutboundTransport {
  const resolve =
    options.resolve ?? ((name: string, rrtype: string) => dns.resolve(name, rrtype) as Promise<unknown[]>);
  const port = options.port ?? 25;

  /** One domain's recipients: each host and address in turn until one answers about the envelope. */
  async function deliverToDomain(domain: string, message: SmtpMessage): Promise<TransportResult> {
    const refuseAll = (response: string, permanent: boolean): TransportResult => ({
      accepted: [],
      refused: message.recipients.map((recipient) => ({ recipient, response, permanent })),
    });
    const route = await routeDomain(domain, resolve);
    if ("refusal" in route) return refuseAll(route.refusal.response, route.refusal.permanent);
    const failures: string[] = [];
    for (const host of route.hosts) {
      const addresses = await addressesOf(host, resolve);
      if (addresses.length === 0) failures.push(`${host}: no address`);
      for (const address of addresses) {
        try {
          return await sendSmtpTransaction(
            {
              host: address,
              port,
              name: options.name,
              tls: { servername: isIP(host) ? undefined : host, rejectUnauthorized: false },
              connectionTimeoutMs: options.connectTimeoutMs,
              greetingTimeoutMs: options.connectTimeoutMs,
            },
            message,
          );
        } catch (err) {
          if (!(err instanceof SmtpUnreachable)) throw err;
          failures.push(`${host} [${address}]: ${err.message}`);
        }
      }
    }
    return refuseAll(`No mail server of ${domain} took the message: ${failures.join("; ")}`, false);
  }

  return {
    name: "direct",
    async deliver(message) {
      const byDomain = new Map<string, string[]>();
      for (const r of message.recipients) {
        const domain = r.slice(r.lastIndexOf("@") + 1).toLowerCase();
        // DNS knows a Unicode domain by its A-label form (RFC 5890).
        const ascii = domainToASCII(domain) || domain;
        byDomain.set(ascii, [...(byDomain.get(ascii) ?? []), r]);
      }
      const results = await Promise.all(
        [...byDomain].map(([domain, recipients]) => deliverToDomain(domain, { ...message, recipients })),
      );
      return {
        accepted: results.flatMap((r) => r.accepted),
        refused: results.flatMap((r) => r.refused),
      };
    },
    async close() {},
  };
}

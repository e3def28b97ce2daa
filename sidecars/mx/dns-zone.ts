// A stub DNS resolver answering from a JSON zone file, for machines without DNS (tests, air-gapped staging):
// named as `dns_zone_file` in the MX settings, it replaces the system resolver for the client's reverse name and
// for SPF, DKIM and DMARC. Its answers have the shapes of node:dns/promises (TXT as arrays of strings), so
// mailauth takes it as its `resolver`.
//
// File: { "<name>": { "<TYPE>": [answers] } }, e.g.
//   { "example.org": { "TXT": ["v=spf1 ip4:192.0.2.1 -all"], "MX": [{ "exchange": "mx.example.org", "priority": 10 }] },
//     "1.2.0.192.in-addr.arpa": { "PTR": ["mx.example.org"] } }
// A TXT answer may be a string or a list of strings (its character-strings). A name or type not in the file
// answers ENOTFOUND / ENODATA, as a real resolver does.
import { readFileSync } from "node:fs";

export type Resolver = (name: string, type: string) => Promise<unknown[]>;

type Zone = Record<string, Record<string, unknown[]>>;

export function zoneResolver(file: string): Resolver {
  let zone: Zone;
  try {
    zone = JSON.parse(readFileSync(file, "utf8")) as Zone;
  } catch (err) {
    throw new Error(`DNS zone file ${file} cannot be read: ${(err as Error).message}`);
  }
  const names = new Map(Object.entries(zone).map(([name, rrs]) => [canonical(name), rrs]));
  return async (name, type) => {
    const rrs = names.get(canonical(name));
    const rrtype = type.toUpperCase();
    if (!rrs) throw dnsError("ENOTFOUND", name, rrtype);
    const answers = rrs[rrtype];
    if (!answers || answers.length === 0) throw dnsError("ENODATA", name, rrtype);
    return rrtype === "TXT" ? answers.map((a) => (Array.isArray(a) ? a : [a])) : answers;
  };
}

/** The PTR name of an IPv4 or IPv6 address (RFC 1035 §3.5, RFC 3596 §2.5). */
export function reverseName(ip: string): string {
  if (ip.includes(":")) {
    const groups = ip.split("::");
    const head = groups[0] ? groups[0].split(":") : [];
    const tail = groups.length > 1 && groups[1] ? groups[1].split(":") : [];
    const full = [...head, ...Array(8 - head.length - tail.length).fill("0"), ...tail];
    return `${[...full.map((g) => g.padStart(4, "0")).join("")].reverse().join(".")}.ip6.arpa`;
  }
  return `${ip.split(".").reverse().join(".")}.in-addr.arpa`;
}

function canonical(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

function dnsError(code: string, name: string, type: string): Error {
  return Object.assign(new Error(`query${type === "TXT" ? "Txt" : ""} ${code} ${name}`), {
    code,
    hostname: name,
  });
}

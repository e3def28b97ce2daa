// A DNS resolver that answers from a zone held in memory or a JSON file, shaped like node's `dns.promises.resolve`
// (what mailauth's `resolver` option calls): TXT as arrays of character-strings, MX as `{exchange, priority}`, A,
// AAAA, CNAME, NS and PTR as strings. A name the zone lacks fails with ENOTFOUND, a known name without the asked
// type with ENODATA, as node's resolver does; no network is touched (tests, and an MX run without DNS).
import { readFileSync } from "node:fs";

/** What a zone holds per name: a record type (upper case) and its records. A TXT record is one string or its pieces. */
export type StubZone = Record<string, Partial<Record<string, unknown[]>>>;

/** Answers as `any[]`: node types each record kind differently, and mailauth's own resolver type knows only strings. */
export type DnsResolver = (name: string, rrtype: string) => Promise<any[]>;

/** The DNS error node raises, with the same `code`, `syscall` and `hostname`. */
export class StubDnsError extends Error {
  override readonly name = "StubDnsError";
  constructor(
    readonly code: "ENOTFOUND" | "ENODATA",
    readonly syscall: string,
    readonly hostname: string,
  ) {
    super(`${syscall} ${code} ${hostname}`);
  }
}

/** A resolver over `zone`; names match without regard to case or a trailing dot. */
export function stubResolver(zone: StubZone): DnsResolver {
  const names = new Map<string, Map<string, unknown[]>>();
  for (const [name, records] of Object.entries(zone)) {
    const types = new Map<string, unknown[]>();
    for (const [type, list] of Object.entries(records ?? {})) {
      if (!Array.isArray(list)) throw new Error(`Zone entry ${name} ${type} is not a list of records.`);
      types.set(type.toUpperCase(), type.toUpperCase() === "TXT" ? list.map(txtStrings) : list);
    }
    names.set(canonicalName(name), types);
  }
  return async (name, rrtype) => {
    const type = (rrtype || "A").toUpperCase();
    const syscall = `query${type[0]}${type.slice(1).toLowerCase()}`;
    const types = names.get(canonicalName(name));
    if (!types) throw new StubDnsError("ENOTFOUND", syscall, name);
    const records = types.get(type);
    if (!records || records.length === 0) throw new StubDnsError("ENODATA", syscall, name);
    // Copies, so a caller that changes an answer cannot change the zone.
    return structuredClone(records);
  };
}

/** A resolver over the zone in a JSON file (an object of names, as `StubZone`). */
export function stubResolverFromFile(file: string): DnsResolver {
  let zone: unknown;
  try {
    zone = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`The DNS zone file "${file}" is not readable JSON.`, { cause: err });
  }
  if (typeof zone !== "object" || zone === null || Array.isArray(zone))
    throw new Error(`The DNS zone file "${file}" must hold an object of names.`);
  return stubResolver(zone as StubZone);
}

function canonicalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

/** A TXT record as node gives it: its character-strings (a plain string is one). */
function txtStrings(record: unknown): string[] {
  if (typeof record === "string") return [record];
  if (Array.isArray(record) && record.every((s) => typeof s === "string")) return record as string[];
  throw new Error(`A TXT record must be a string or a list of strings, not ${JSON.stringify(record)}.`);
}

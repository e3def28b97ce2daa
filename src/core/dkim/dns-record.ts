// The TXT record a domain publishes for its DKIM key (RFC 6376 §3.6.2.2): its name and value, and the value cut into
// the character-strings of at most 255 bytes that one TXT record holds (RFC 1035 §3.3.14); a verifier joins them.
import type { DkimAlgorithm } from "./types.js";

/** The longest character-string of a TXT record (RFC 1035 §3.3: one length byte). */
export const TXT_STRING_MAX_BYTES = 255;

export interface DkimDnsRecord {
  /** `selector._domainkey.domain` */
  name: string;
  /** `v=DKIM1; k=rsa; p=...`, whole, as DNS control panels take it. */
  value: string;
  /** The value in pieces of at most 255 bytes, in order: what a zone file or a DNS API wants. */
  strings: string[];
  /** One zone-file line: `name. IN TXT ( "..." "..." )`. */
  zoneLine: string;
}

export function dkimDnsRecord(
  domain: string,
  selector: string,
  algorithm: DkimAlgorithm,
  publicKey: string,
): DkimDnsRecord {
  const name = `${selector}._domainkey.${domain}`;
  const value = `v=DKIM1; k=${algorithm === "ed25519-sha256" ? "ed25519" : "rsa"}; p=${publicKey}`;
  const strings = splitTxtValue(value);
  return { name, value, strings, zoneLine: `${name}. IN TXT ( ${strings.map((s) => `"${s}"`).join(" ")} )` };
}

/** Cuts an ASCII value into 255-byte character-strings (the record's value is ASCII: tags and base64). */
export function splitTxtValue(value: string): string[] {
  const strings: string[] = [];
  for (let i = 0; i < value.length; i += TXT_STRING_MAX_BYTES)
    strings.push(value.slice(i, i + TXT_STRING_MAX_BYTES));
  return strings.length > 0 ? strings : [""];
}

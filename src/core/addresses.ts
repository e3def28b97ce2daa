import { domainToASCII } from "node:url";
import { invalidInput } from "./errors.js";

/**
 * The look-up form of an address: local part in NFC, lower-cased, dots ignored and any `+label`
 * dropped; domain as lower-case punycode without the root's trailing dot (so `bücher.de.` and
 * `xn--bcher-kva.de` are equal). `*@domain` is kept as the wildcard for the domain. What cannot be
 * brought to that form (empty labels, characters no host name has) is refused with INVALID_INPUT.
 */
export function normalizeAddress(input: string): string {
  const { local, domain } = splitAddress(input);
  if (local === "*") return `*@${domain}`;
  const base = local.split("+")[0].replace(/\./g, "");
  if (base.length === 0) throw invalidInput(`Address "${input}" has no local part before "+".`);
  return `${base}@${domain}`;
}

/** The wildcard key that catches every address of the input's domain. */
export function wildcardFor(input: string): string {
  return `*@${splitAddress(input).domain}`;
}

function splitAddress(input: string): { local: string; domain: string } {
  const value = input.trim().normalize("NFC");
  const at = value.lastIndexOf("@");
  if (at <= 0 || at === value.length - 1)
    throw invalidInput(`Address "${input}" is not of the form local@domain.`);
  const local = value.slice(0, at).toLowerCase();
  const domain = asciiDomain(value.slice(at + 1));
  if (domain === null || /\s/.test(local) || local.length > 64)
    throw invalidInput(`Address "${input}" is not a valid address.`);
  return { local, domain };
}

/**
 * A domain in its look-up form: lower case, IDN as A-labels (punycode), no trailing root dot, so `Bücher.DE.` is
 * `xn--bcher-kva.de`. INVALID_INPUT quoting the input when it is not a host name.
 */
export function normalizeDomain(input: string): string {
  const domain = asciiDomain(input.trim().normalize("NFC"));
  if (domain === null) throw invalidInput(`"${input}" is not a valid domain name.`);
  return domain;
}

function asciiDomain(name: string): string | null {
  // A fully qualified name may end in the root's dot: `example.com.` is `example.com`.
  const domain = domainToASCII(name.toLowerCase()).replace(/\.$/, "");
  return HOST_NAME.test(domain) && domain.length <= 253 ? domain : null;
}

// Labels of letters, digits, hyphens (and underscores, seen in the wild), 1-63 long, no label empty.
const HOST_NAME = /^(?!-)[a-z0-9_-]{1,63}(?<!-)(\.(?!-)[a-z0-9_-]{1,63}(?<!-))*$/;

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
  // A fully qualified name may end in the root's dot: `example.com.` is `example.com`.
  const domain = domainToASCII(value.slice(at + 1).toLowerCase()).replace(/\.$/, "");
  if (!HOST_NAME.test(domain) || domain.length > 253 || /\s/.test(local) || local.length > 64)
    throw invalidInput(`Address "${input}" is not a valid address.`);
  return { local, domain };
}

// Labels of letters, digits, hyphens (and underscores, seen in the wild), 1-63 long, no label empty.
const HOST_NAME = /^(?!-)[a-z0-9_-]{1,63}(?<!-)(\.(?!-)[a-z0-9_-]{1,63}(?<!-))*$/;

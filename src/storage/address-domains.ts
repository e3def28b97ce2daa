/** The sorted distinct domains of addresses (or of address tails): what follows each one's last `@`. */
export function domainsOf(addresses: Iterable<string>): string[] {
  const domains = new Set<string>();
  for (const a of addresses) domains.add(a.slice(a.lastIndexOf("@") + 1));
  return [...domains].sort();
}

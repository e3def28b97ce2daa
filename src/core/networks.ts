// Client addresses as the login limits see them: which networks an option names, and which key one host's
// failures count under.
import { BlockList, isIP } from "node:net";

/** "::ffff:192.0.2.1" (an IPv4 client on a dual-stack socket) is 192.0.2.1. */
export function plainAddress(address: string): string {
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * A test for "is this address in one of these networks" ("10.0.0.0/8", "192.168.1.5", "fd00::/8"). A bad
 * entry throws at start, so a typo cannot leave a network unmatched unnoticed.
 */
export function addressMatcher(networks: string[]): (address: string | undefined) => boolean {
  const list = new BlockList();
  for (const entry of networks) {
    const [address, bits] = entry.split("/");
    const family = isIP(address);
    if (family === 0) throw new Error(`Network "${entry}" is not an address or CIDR.`);
    const type = family === 4 ? "ipv4" : "ipv6";
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return (address) => {
    if (!address) return false;
    const plain = plainAddress(address);
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 4 ? "ipv4" : "ipv6");
  };
}

/**
 * The key one host's failures count under: an IPv4 address as it is, an IPv6 address by its /64, since one
 * host (or one customer of a provider) is routinely handed a whole /64 and could otherwise rotate addresses.
 */
export function clientKey(address: string): string {
  const plain = plainAddress(address);
  if (isIP(plain) !== 6) return plain;
  const [head, tail = ""] = plain.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = plain.includes("::")
    ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}

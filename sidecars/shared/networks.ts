// Which client addresses count as secure for cleartext passwords: loopback always, plus configured
// networks ("10.0.0.0/8", "192.168.1.5", "fd00::/8"), as Dovecot's login_trusted_networks.
import { BlockList, isIP } from "node:net";

export function trustedNetworks(networks: string[]): (address: string | undefined) => boolean {
  const list = new BlockList();
  list.addSubnet("127.0.0.0", 8, "ipv4");
  list.addAddress("::1", "ipv6");
  for (const entry of networks) {
    const [address, bits] = entry.split("/");
    const family = isIP(address);
    if (family === 0) throw new Error(`Trusted network "${entry}" is not an address or CIDR.`);
    const type = family === 4 ? "ipv4" : "ipv6";
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return (address) => {
    if (!address) return false;
    const plain = address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 4 ? "ipv4" : "ipv6");
  };
}

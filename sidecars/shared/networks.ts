// Which client addresses count as secure for cleartext passwords: loopback always, plus configured
// networks ("10.0.0.0/8", "192.168.1.5", "fd00::/8"), as Dovecot's login_trusted_networks.
import { addressMatcher } from "../../src/core/index.js";

export function trustedNetworks(networks: string[]): (address: string | undefined) => boolean {
  return addressMatcher(["127.0.0.0/8", "::1", ...networks]);
}

/** The PTR name of an IPv4 or IPv6 address (RFC 1035 §3.5, RFC 3596 §2.5), for the client's reverse look-up. */
export function reverseName(ip: string): string {
  if (ip.includes(":")) {
    const [head, tail] = ip.split("::");
    const left = head ? head.split(":") : [];
    const right = tail ? tail.split(":") : [];
    const groups = [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
    return `${[...groups.map((g) => g.padStart(4, "0")).join("")].reverse().join(".")}.ip6.arpa`;
  }
  return `${ip.split(".").reverse().join(".")}.in-addr.arpa`;
}

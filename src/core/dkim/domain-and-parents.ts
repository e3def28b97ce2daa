/** A domain and each parent up to its last label, nearest first: `a.b.example` -> `a.b.example`, `b.example`, `example`. */
export function domainAndParents(domain: string): string[] {
  const labels = domain.split(".");
  return labels.map((_, i) => labels.slice(i).join("."));
}

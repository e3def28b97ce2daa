// What to do with a message that failed DMARC (RFC 7489 §6.6.4): the domain's policy (`p=`, or `sp=` for mail from
// a subdomain, as mailauth picks it), applied to `pct` percent of failing messages; the rest get the next milder
// policy (reject -> quarantine, quarantine -> none).

export type DmarcAction = "none" | "quarantine" | "reject";

export interface DmarcPolicyInput {
  /** mailauth's DMARC result: pass, fail, none, temperror, permerror ... */
  result: string;
  /** The policy that applies to this From domain (p, or sp for a subdomain); undefined without a record. */
  policy?: string;
  /** Percent of failing mail the policy applies to; undefined: 100. */
  pct?: number;
}

/** `random` returns [0, 1) (Math.random; tests pass their own to decide the sample). */
export function dmarcAction(input: DmarcPolicyInput, random: () => number = Math.random): DmarcAction {
  if (input.result !== "fail") return "none";
  const policy = input.policy?.toLowerCase();
  if (policy !== "reject" && policy !== "quarantine") return "none";
  const pct =
    typeof input.pct === "number" && Number.isFinite(input.pct) ? Math.min(100, Math.max(0, input.pct)) : 100;
  if (random() * 100 < pct) return policy;
  return policy === "reject" ? "quarantine" : "none";
}

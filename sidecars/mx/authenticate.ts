// Inbound mail authentication for the MX with mailauth: SPF (RFC 7208) for the client and MAIL FROM, DKIM (RFC 6376)
// signatures, DMARC (RFC 7489) for the From domain and ARC (RFC 8617) chains, written as one Authentication-Results
// field (RFC 8601) under our authserv-id, with the DMARC policy's verdict, and an ARC seal when we hold a key.
import { createPrivateKey } from "node:crypto";
import { isIP } from "node:net";
import { authenticate, dmarc, type AuthenticateResult, type DMARCResult, type DNSResolver } from "mailauth";
import { dmarcAction, type DmarcAction } from "./dmarc-policy.js";
import { removeForgedResults } from "./forged-results.js";

export interface ArcSealKey {
  /** The sealing domain (d=) and selector (s=): the TXT record `selector._domainkey.domain` holds its public key. */
  domain: string;
  selector: string;
  /** An RSA private key as PEM (mailauth 4.13 seals with rsa-sha256 only). */
  privateKeyPem: string;
}

export interface InboundAuthenticationArgs {
  raw: Buffer;
  /** The SMTP client's address, and the name it gave in EHLO/HELO. */
  clientIp: string;
  helo: string;
  /** The MAIL FROM address; "" for the null reverse-path (SPF then checks the HELO name, RFC 7208 §2.4). */
  mailFrom: string;
  /** The name our results are given under (RFC 8601 §2.5): usually the MX host name. */
  authservId: string;
  /** DNS look-ups, shaped like node's `dns.promises.resolve` (the stub resolver in tests; node's by default). */
  resolver?: DNSResolver;
  /** Seal the message's ARC chain (a new instance) when the chain is absent or valid. */
  arcSeal?: ArcSealKey;
  /** [0, 1): picks which failing messages a DMARC `pct` below 100 applies to. Default Math.random. */
  random?: () => number;
}

export type AuthResult =
  "pass" | "fail" | "softfail" | "neutral" | "none" | "temperror" | "permerror" | "policy";

export interface InboundAuthentication {
  /** The fields to put on top of the message, in order, each ending in CRLF: the ARC set when sealed, Received-SPF, Authentication-Results. */
  headers: string;
  /** The Authentication-Results field alone, ending in CRLF. */
  authenticationResults: string;
  /** `headers` followed by the message without Authentication-Results fields that claimed our authserv-id. */
  message: Buffer;
  /** How many such claims the sender put in (RFC 8601 §5: removed, never trusted). */
  forgedResultsRemoved: number;
  spf: { result: AuthResult; domain: string };
  dkim: Array<{ domain: string; selector: string; result: AuthResult; aligned: boolean }>;
  dmarc: {
    result: AuthResult;
    /** The From header's domain DMARC judged (its organisational domain when the From had a subdomain). */
    domain: string;
    /** The policy for this From domain (p, or sp for a subdomain); null without a DMARC record. */
    policy: "none" | "quarantine" | "reject" | null;
    pct: number;
    /** What to do: refuse the message at DATA (reject), file it as spam (quarantine), or nothing. */
    action: DmarcAction;
  };
  arc: { result: AuthResult; instance: number };
  /** Whether our ARC set was added. */
  sealed: boolean;
}

/** An authserv-id is a value token (RFC 8601 §2.2), for us a host name. */
const AUTHSERV_ID = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

/** Checks what the MX passes in once; bad arguments are a configuration or a programming error, not the sender's. */
function assertArgs(args: InboundAuthenticationArgs): void {
  if (!AUTHSERV_ID.test(args.authservId))
    throw new TypeError(`The authserv-id "${args.authservId}" is not a host name.`);
  if (!isIP(args.clientIp))
    throw new TypeError(`The client address "${args.clientIp}" is not an IP address.`);
  if (args.arcSeal) {
    const type = createPrivateKey(args.arcSeal.privateKeyPem).asymmetricKeyType;
    if (type !== "rsa")
      throw new TypeError(`The ARC sealing key is a ${type} key; mailauth 4.13 seals with RSA only.`);
  }
}

export async function authenticateInbound(args: InboundAuthenticationArgs): Promise<InboundAuthentication> {
  assertArgs(args);
  const { message: cleaned, removed } = removeForgedResults(args.raw, args.authservId);
  const result = await authenticate(cleaned, {
    ip: args.clientIp,
    helo: args.helo || args.clientIp,
    sender: args.mailFrom || undefined,
    mta: args.authservId,
    resolver: args.resolver,
    disableBimi: true,
    trustReceived: false,
    seal: args.arcSeal
      ? {
          signingDomain: args.arcSeal.domain,
          selector: args.arcSeal.selector,
          privateKey: args.arcSeal.privateKeyPem,
        }
      : undefined,
  });
  // mailauth judges DMARC only for exactly one From address. A second From field (or a second address in one) must
  // not let a forged From escape its domain's p=reject, so each From domain is judged and the strictest verdict
  // stands (RFC 7489 §6.6.1 lets the receiver apply the most strict policy).
  const extra = result.dmarc ? [] : await dmarcPerFromDomain(result, args.resolver);
  const headers =
    extra.length === 0
      ? result.headers
      : appendResults(
          result.headers,
          extra.map((d) => d.info),
        );
  const verdicts = result.dmarc ? [result.dmarc] : extra;
  return {
    headers,
    // The last field; "ARC-Authentication-Results:" before it must not be taken for it.
    authenticationResults: headers.slice(headers.lastIndexOf("\r\nAuthentication-Results:") + 2),
    message: Buffer.concat([Buffer.from(headers), cleaned]),
    forgedResultsRemoved: removed,
    spf: spfOf(result),
    dkim: (result.dkim.results ?? []).map((r) => ({
      domain: r.signingDomain,
      selector: r.selector ?? "",
      result: r.status.result as AuthResult,
      aligned: Boolean(r.status.aligned),
    })),
    dmarc: strictest(verdicts.map((d) => dmarcOf(d, args.random))),
    arc: result.arc
      ? { result: result.arc.status.result as AuthResult, instance: result.arc.i || 0 }
      : { result: "none", instance: 0 },
    sealed: /^ARC-Seal:/m.test(headers),
  };
}

function spfOf(result: AuthenticateResult): InboundAuthentication["spf"] {
  return result.spf
    ? { result: result.spf.status.result as AuthResult, domain: result.spf.domain }
    : { result: "none", domain: "" };
}

function dmarcOf(d: DMARCResult, random?: () => number): InboundAuthentication["dmarc"] {
  const policy = d.policy === "reject" || d.policy === "quarantine" || d.policy === "none" ? d.policy : null;
  const pct = typeof d.pct === "number" && Number.isFinite(d.pct) ? d.pct : 100;
  return {
    result: d.status.result as AuthResult,
    domain: d.domain,
    policy,
    pct,
    action: dmarcAction({ result: d.status.result, policy: policy ?? undefined, pct }, random),
  };
}

const NO_DMARC: InboundAuthentication["dmarc"] = {
  result: "none",
  domain: "",
  policy: null,
  pct: 100,
  action: "none",
};
const ACTION_RANK: Record<DmarcAction, number> = { none: 0, quarantine: 1, reject: 2 };
const RESULT_RANK: Partial<Record<AuthResult, number>> = {
  fail: 4,
  temperror: 3,
  permerror: 2,
  none: 1,
  pass: 0,
};

/** Of several From domains' verdicts: the strictest action; on a tie, the worst result (fail before pass). */
function strictest(verdicts: InboundAuthentication["dmarc"][]): InboundAuthentication["dmarc"] {
  let worst = NO_DMARC;
  for (const v of verdicts)
    if (
      worst === NO_DMARC ||
      ACTION_RANK[v.action] > ACTION_RANK[worst.action] ||
      (ACTION_RANK[v.action] === ACTION_RANK[worst.action] &&
        (RESULT_RANK[v.result] ?? 1) > (RESULT_RANK[worst.result] ?? 1))
    )
      worst = v;
  return worst;
}

/** DMARC for each distinct domain of a message with several From addresses, with mailauth's own SPF and DKIM results. */
async function dmarcPerFromDomain(
  result: AuthenticateResult,
  resolver?: DNSResolver,
): Promise<DMARCResult[]> {
  const froms = result.dkim.headerFrom ?? [];
  if (froms.length < 2) return [];
  const domains = [...new Set(froms.map((a) => a.slice(a.lastIndexOf("@") + 1).toLowerCase()))];
  const spfDomains = result.spf && result.spf.status.result === "pass" ? [result.spf.domain] : [];
  const dkimDomains = (result.dkim.results ?? [])
    .filter((r) => r.status.result === "pass")
    .map((r) => ({ id: r.id, domain: r.signingDomain, underSized: r.status.underSized }));
  const verdicts = await Promise.all(
    domains.map((domain) =>
      dmarc({ headerFrom: domain, spfDomains, dkimDomains, arcResult: result.arc || undefined, resolver }),
    ),
  );
  return verdicts.filter((d): d is DMARCResult => d !== false);
}

/** The Authentication-Results field (the last of `headers`) with more result rows (RFC 8601 §2.2: `;`-separated). */
function appendResults(headers: string, rows: string[]): string {
  return `${headers.replace(/\r\n$/, "")};\r\n ${rows.join(";\r\n ")}\r\n`;
}

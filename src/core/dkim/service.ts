// DKIM keys as the admin manages them: generate or import one per domain, list, read, delete. Front ends see the
// public half and the DNS record to publish, never the private key. The signer (signer.ts) uses the stored keys.
import { normalizeDomain } from "../addresses.js";
import { DomainError, invalidInput, notFound } from "../errors.js";
import { requireAdmin, type Principal } from "../principal.js";
import { StoreConflictError, type DkimKeyRecord, type Store } from "../../storage/ports.js";
import { dkimDnsRecord } from "./dns-record.js";
import { domainAndParents } from "./domain-and-parents.js";
import { generatePrivateKey, importPrivateKey, publicKeyValue } from "./key-material.js";
import type { DkimKey, DkimKeyInput } from "./types.js";

// A selector is a dot-separated list of LDH labels (RFC 6376 §3.1, sub-domain of RFC 5321 §4.1.2).
const SELECTOR = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** A DNS name is at most 253 characters in text form (RFC 1035 §2.3.4). */
const MAX_DNS_NAME = 253;

export class DkimService {
  constructor(private readonly store: Store) {}

  async list(p: Principal): Promise<DkimKey[]> {
    requireAdmin(p);
    return (await this.store.dkimKeys.list()).map(toModel);
  }

  /** The domain's key; NOT_FOUND when it has none. */
  async get(p: Principal, domain: string): Promise<DkimKey> {
    requireAdmin(p);
    const name = normalizeDomain(domain);
    const record = await this.store.dkimKeys.get(name);
    if (!record) throw notFound("DKIM key of domain", name);
    return toModel(record);
  }

  /** Generates (RSA 2048, or Ed25519) or imports the domain's key; a domain with a key keeps it unless `replace`. */
  async create(p: Principal, input: DkimKeyInput): Promise<DkimKey> {
    requireAdmin(p);
    const domain = normalizeDomain(input.domain);
    const selector = normalizeSelector(input.selector);
    if (`${selector}._domainkey.${domain}`.length > MAX_DNS_NAME)
      throw invalidInput(
        `The DNS name "${selector}._domainkey.${domain}" is longer than ${MAX_DNS_NAME} characters.`,
      );
    const key =
      input.privateKeyPem !== undefined && input.privateKeyPem !== null
        ? importPrivateKey(input.privateKeyPem, input.algorithm)
        : {
            algorithm: input.algorithm ?? "rsa-sha256",
            pem: await generatePrivateKey(input.algorithm ?? "rsa-sha256"),
          };
    const record: DkimKeyRecord = {
      domain,
      selector,
      algorithm: key.algorithm,
      privateKeyPem: key.pem,
      createdAt: new Date(),
    };
    if (input.replace) await this.store.dkimKeys.replace(record);
    else
      try {
        await this.store.dkimKeys.create(record);
      } catch (err) {
        if (err instanceof StoreConflictError)
          throw new DomainError(
            "ALREADY_EXISTS",
            `Domain "${domain}" already has a DKIM key; delete it or create with replace to rotate it.`,
          );
        throw err;
      }
    return toModel(record);
  }

  /**
   * The domains of this server's addresses that no key covers (neither theirs nor a parent's): their mail leaves
   * unsigned. For `eider doctor`; it reads every address's domain.
   */
  async domainsWithoutKey(p: Principal): Promise<string[]> {
    requireAdmin(p);
    const keyed = new Set((await this.store.dkimKeys.list()).map((k) => k.domain));
    return (await this.store.addresses.listDomains()).filter(
      (domain) => !domainAndParents(domain).some((d) => keyed.has(d)),
    );
  }

  /** True when the domain had a key (its mail goes unsigned from now on). */
  async delete(p: Principal, domain: string): Promise<boolean> {
    requireAdmin(p);
    return this.store.dkimKeys.delete(normalizeDomain(domain));
  }
}

function normalizeSelector(input: string): string {
  const selector = input.trim().toLowerCase();
  if (!SELECTOR.test(selector))
    throw invalidInput(`Selector "${input}" is not a DNS label list (letters, digits, hyphens, dots).`);
  return selector;
}

function toModel(r: DkimKeyRecord): DkimKey {
  const dns = dkimDnsRecord(r.domain, r.selector, r.algorithm, publicKeyValue(r.privateKeyPem));
  return {
    domain: r.domain,
    selector: r.selector,
    algorithm: r.algorithm,
    dnsName: dns.name,
    dnsValue: dns.value,
    dnsTxtStrings: dns.strings,
    dnsZoneLine: dns.zoneLine,
    createdAt: r.createdAt,
  };
}

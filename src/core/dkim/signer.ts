// DKIM signing (RFC 6376) with mailauth's dkimSign, relaxed/relaxed, with the stored key of the From domain or of its
// nearest parent (mail of `news.example.com` signed d=example.com aligns under DMARC's relaxed rule, RFC 7489 §3.1.1).
import { dkimSign } from "mailauth";
import type { DkimKeyRecord, Store } from "../../storage/ports.js";
import { normalizeDomain } from "../addresses.js";
import { domainAndParents } from "./domain-and-parents.js";
import type { DkimSigner } from "./types.js";

export class StoreDkimSigner implements DkimSigner {
  constructor(private readonly store: Store) {}

  async sign(raw: Buffer, fromDomain: string): Promise<Buffer> {
    const key = await this.keyFor(fromDomain);
    if (!key) return raw;
    const signature = {
      signingDomain: key.domain,
      selector: key.selector,
      privateKey: key.privateKeyPem,
      algorithm: key.algorithm,
      canonicalization: "relaxed/relaxed",
    };
    // mailauth reads the keys from `signatureData`; the top-level copy only satisfies its option type.
    const { signatures, errors } = await dkimSign(raw, { ...signature, signatureData: [signature] });
    // A stored key was checked when it was stored, so a failure here is a fault, not the message's: never send
    // unsigned what should have been signed without saying so.
    if (errors.length > 0) throw new Error(`DKIM signing for "${key.domain}" failed`, { cause: errors[0] });
    // The field takes the message's own line ends: a bare-LF message (canonicalized as CRLF all the same, RFC 6376
    // §3.4) gets no CRLF header line in the middle of its LFs.
    return Buffer.concat([
      Buffer.from(usesBareLf(raw) ? signatures.replace(/\r\n/g, "\n") : signatures),
      raw,
    ]);
  }

  /** The key of the domain or of its nearest parent that has one; null for none (or a domain that is no host name). */
  private async keyFor(fromDomain: string): Promise<DkimKeyRecord | null> {
    let domain: string;
    try {
      domain = normalizeDomain(fromDomain);
    } catch {
      return null;
    }
    const found = await this.store.dkimKeys.findAny(domainAndParents(domain));
    return found.sort((a, b) => b.domain.length - a.domain.length)[0] ?? null;
  }
}

/** Whether the message's first line ends in a bare LF. */
function usesBareLf(raw: Buffer): boolean {
  const lf = raw.indexOf(0x0a);
  return lf === 0 || (lf > 0 && raw[lf - 1] !== 0x0d);
}

// DKIM signing keys per sending domain (admin-managed over GraphQL) and the signer the submission service uses.

export type DkimAlgorithm = "rsa-sha256" | "ed25519-sha256";

/** A domain's key as front ends see it: never the private key. */
export interface DkimKey {
  /** The domain as stored (lower case, A-label / punycode form). */
  domain: string;
  selector: string;
  algorithm: DkimAlgorithm;
  /** The DNS TXT record to publish: its name (`selector._domainkey.domain`) and value (`v=DKIM1; k=rsa; p=...`). */
  dnsName: string;
  dnsValue: string;
  /** `dnsValue` cut into TXT character-strings of at most 255 bytes, in order (for zone files and DNS APIs). */
  dnsTxtStrings: string[];
  /** The record as one zone-file line: `name. IN TXT ( "..." "..." )`. */
  dnsZoneLine: string;
  createdAt: Date;
}

export interface DkimKeyInput {
  domain: string;
  selector: string;
  /** Absent: a new key is generated (RSA 2048, or Ed25519 when asked); present: a PEM private key to import. */
  privateKeyPem?: string;
  algorithm?: DkimAlgorithm;
  /** A domain that has a key keeps it (ALREADY_EXISTS) unless this is true: then the new key replaces it. */
  replace?: boolean;
}

export interface DkimSigner {
  /**
   * Signs `raw` with the key of the From domain (or of its parent domain when only that has one): returns the message
   * with the DKIM-Signature header prepended, or `raw` itself when no key covers the domain.
   */
  sign(raw: Buffer, fromDomain: string): Promise<Buffer>;
}

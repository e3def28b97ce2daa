// DKIM key material with node's crypto: a new key, an imported PEM checked, and the public half as DNS publishes it
// (RFC 6376 §3.6.1; Ed25519 per RFC 8463 §4).
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { invalidInput } from "../errors.js";
import type { DkimAlgorithm } from "./types.js";

/** RSA sizes a key may have: RFC 8301 §3.2 forbids signing with less than 1024 bits; verifiers need not go past 4096. */
export const RSA_MIN_BITS = 1024;
export const RSA_MAX_BITS = 4096;
/** A generated RSA key's size (RFC 8301 §3.2: signers SHOULD use at least 2048). */
export const RSA_GENERATED_BITS = 2048;
/** An RSA 4096 private key is about 3.3 kB of PEM; anything far past that is not one key. */
export const MAX_PEM_BYTES = 16 * 1024;

const generate = promisify(generateKeyPair);

/** A new private key as PKCS #8 PEM (generated in the thread pool: RSA takes tens of milliseconds). */
export async function generatePrivateKey(algorithm: DkimAlgorithm): Promise<string> {
  const { privateKey } =
    algorithm === "ed25519-sha256"
      ? await generate("ed25519")
      : await generate("rsa", { modulusLength: RSA_GENERATED_BITS });
  return toPem(privateKey);
}

/**
 * Checks an imported PEM: an unencrypted private RSA key of 1024-4096 bits or an Ed25519 key, matching `algorithm`
 * when one is named. Returns its algorithm and the key re-encoded as PKCS #8 PEM (PKCS #1 "RSA PRIVATE KEY" comes in
 * too); INVALID_INPUT with a sentence saying what is wrong otherwise. The error never quotes the key's secret lines.
 */
export function importPrivateKey(
  pem: string,
  algorithm?: DkimAlgorithm,
): { algorithm: DkimAlgorithm; pem: string } {
  if (Buffer.byteLength(pem) > MAX_PEM_BYTES)
    throw invalidInput(
      `The private key is ${Buffer.byteLength(pem)} bytes long; a PEM key is at most ${MAX_PEM_BYTES}.`,
    );
  const header = pemHeader(pem);
  if (header === null)
    throw invalidInput('The private key is not PEM: it needs a "-----BEGIN PRIVATE KEY-----" line.');
  if (/ENCRYPTED/.test(pem))
    throw invalidInput(
      `The private key ("${header}") is encrypted; import it without a passphrase (openssl pkey -in key.pem).`,
    );
  if (/PUBLIC KEY|CERTIFICATE/.test(header))
    throw invalidInput(`"${header}" is not a private key; DKIM signing needs the private key.`);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch {
    throw invalidInput(`The PEM block "${header}" does not hold a readable private key.`);
  }
  const found = algorithmOf(key);
  if (algorithm !== undefined && algorithm !== found)
    throw invalidInput(
      `The key is ${found === "rsa-sha256" ? "an RSA" : "an Ed25519"} key, but algorithm "${algorithm}" was asked for.`,
    );
  return { algorithm: found, pem: toPem(key) };
}

/** The key's algorithm; INVALID_INPUT for a type or an RSA size DKIM cannot use. */
function algorithmOf(key: KeyObject): DkimAlgorithm {
  if (key.asymmetricKeyType === "ed25519") return "ed25519-sha256";
  if (key.asymmetricKeyType !== "rsa")
    throw invalidInput(
      `A key of type "${key.asymmetricKeyType}" cannot sign DKIM; import an RSA (${RSA_MIN_BITS}-${RSA_MAX_BITS} bits) or Ed25519 private key.`,
    );
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < RSA_MIN_BITS)
    throw invalidInput(`The RSA key has ${bits} bits; DKIM needs at least ${RSA_MIN_BITS} (RFC 8301).`);
  if (bits > RSA_MAX_BITS)
    throw invalidInput(
      `The RSA key has ${bits} bits; verifiers need not accept more than ${RSA_MAX_BITS} (RFC 8301).`,
    );
  return "rsa-sha256";
}

/**
 * The `p=` value of the DNS record: for RSA the base64 of the DER SubjectPublicKeyInfo (RFC 6376 §3.6.1), for
 * Ed25519 the base64 of the raw 32-byte public key (RFC 8463 §4), not its SPKI.
 */
export function publicKeyValue(privateKeyPem: string): string {
  const pub = createPublicKey(privateKeyPem);
  if (pub.asymmetricKeyType === "ed25519")
    return Buffer.from(pub.export({ format: "jwk" }).x!, "base64url").toString("base64");
  return pub.export({ type: "spki", format: "der" }).toString("base64");
}

function toPem(key: KeyObject): string {
  return key.export({ type: "pkcs8", format: "pem" }).toString();
}

/** The first `-----BEGIN ...-----` line, or null. */
function pemHeader(pem: string): string | null {
  return /-----BEGIN [A-Z0-9 ]+-----/.exec(pem)?.[0] ?? null;
}

// DKIM keys managed through the core on real stores: generated and imported keys, what is refused and why, the DNS
// record to publish, and that only the admin may touch any of it.
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestCore, testStores, type TestCore } from "../../../test/harness/core.js";
import { ADMIN, ANONYMOUS, DELIVERY, type DkimKey, type Principal } from "../index.js";

const rsaPem = (bits: number, type: "pkcs1" | "pkcs8" = "pkcs8") =>
  generateKeyPairSync("rsa", { modulusLength: bits }).privateKey.export({ type, format: "pem" }).toString();
const ed25519Pem = () =>
  generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();

let unique = 0;
const domain = () => `d${process.pid}x${++unique}.example`;

/** The public key a record's `p=` holds, as node reads it. */
function publishedKey(key: DkimKey) {
  const p = /; p=(.+)$/.exec(key.dnsValue)![1];
  return key.algorithm === "ed25519-sha256"
    ? createPublicKey({
        key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(p, "base64").toString("base64url") },
        format: "jwk",
      })
    : createPublicKey({ key: Buffer.from(p, "base64"), format: "der", type: "spki" });
}

describe.each(testStores())("Core: DKIM keys on the $kind store", ({ kind, skip }) => {
  if (skip) {
    it.skip(`needs a MongoDB-protocol server (${skip})`, () => {});
    return;
  }
  let t: TestCore;
  beforeAll(async () => {
    t = await openTestCore({ store: kind });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("generates an RSA 2048 key and gives the TXT record to publish, in 255-byte strings", async () => {
    const d = domain();
    const key = await t.core.dkim.create(ADMIN, { domain: d, selector: "mail2026" });
    expect(key).toMatchObject({ domain: d, selector: "mail2026", algorithm: "rsa-sha256" });
    expect(key.dnsName).toBe(`mail2026._domainkey.${d}`);
    expect(key.dnsValue).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/]+=*$/);
    expect(publishedKey(key).asymmetricKeyDetails?.modulusLength).toBe(2048);
    // About 410 bytes: two character-strings, the first one full, joined back to the value.
    expect(key.dnsTxtStrings.map((s) => s.length)).toEqual([255, key.dnsValue.length - 255]);
    expect(key.dnsTxtStrings.join("")).toBe(key.dnsValue);
    expect(key.dnsZoneLine).toBe(`mail2026._domainkey.${d}. IN TXT ( "${key.dnsTxtStrings.join('" "')}" )`);
    expect(JSON.stringify(key)).not.toMatch(/PRIVATE/);
    expect(await t.core.dkim.get(ADMIN, d)).toEqual(key);
    // The store holds a private key whose public half is the one published.
    const stored = await t.store.dkimKeys.get(d);
    expect(
      createPublicKey(createPrivateKey(stored!.privateKeyPem)).export({ type: "spki", format: "der" }),
    ).toEqual(publishedKey(key).export({ type: "spki", format: "der" }));
  });

  it("generates an Ed25519 key published as its raw 32 bytes (RFC 8463), one TXT string", async () => {
    const key = await t.core.dkim.create(ADMIN, {
      domain: domain(),
      selector: "ed",
      algorithm: "ed25519-sha256",
    });
    expect(key.dnsValue).toMatch(/^v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(/p=(.+)$/.exec(key.dnsValue)![1], "base64")).toHaveLength(32);
    expect(publishedKey(key).asymmetricKeyType).toBe("ed25519");
    expect(key.dnsTxtStrings).toEqual([key.dnsValue]);
  });

  it("imports RSA (PKCS #1 or #8) and Ed25519 PEM keys, naming their algorithm", async () => {
    for (const [pem, algorithm] of [
      [rsaPem(1024, "pkcs1"), "rsa-sha256"],
      [rsaPem(2048), "rsa-sha256"],
      [ed25519Pem(), "ed25519-sha256"],
    ] as const) {
      const d = domain();
      const key = await t.core.dkim.create(ADMIN, { domain: d, selector: "imported", privateKeyPem: pem });
      expect(key.algorithm).toBe(algorithm);
      const stored = await t.store.dkimKeys.get(d);
      expect(stored!.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      expect(createPrivateKey(stored!.privateKeyPem).export({ type: "pkcs8", format: "der" })).toEqual(
        createPrivateKey(pem).export({ type: "pkcs8", format: "der" }),
      );
    }
  });

  it.each([
    ["text that is no PEM", "hello", /is not PEM/],
    [
      "a PEM block with garbage",
      "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
      /"-----BEGIN PRIVATE KEY-----" does not hold a readable private key/,
    ],
    [
      "a public key",
      generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }).toString(),
      /"-----BEGIN PUBLIC KEY-----" is not a private key/,
    ],
    [
      "an encrypted key",
      generateKeyPairSync("ed25519")
        .privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "secret" })
        .toString(),
      /is encrypted/,
    ],
    [
      "an EC key",
      generateKeyPairSync("ec", { namedCurve: "P-256" })
        .privateKey.export({ type: "pkcs8", format: "pem" })
        .toString(),
      /A key of type "ec" cannot sign DKIM/,
    ],
    ["a 512-bit RSA key", rsaPem(512), /The RSA key has 512 bits; DKIM needs at least 1024/],
    [
      "a PEM of 17 KiB",
      `-----BEGIN PRIVATE KEY-----\n${"A".repeat(17 * 1024)}\n`,
      /bytes long; a PEM key is at most 16384/,
    ],
  ])("refuses to import %s with a clear error", async (_what, pem, message) => {
    const d = domain();
    await expect(
      t.core.dkim.create(ADMIN, { domain: d, selector: "s", privateKeyPem: pem }),
    ).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringMatching(message),
    });
    expect(await t.store.dkimKeys.get(d)).toBeNull();
  });

  it("refuses a key whose type is not the algorithm asked for", async () => {
    await expect(
      t.core.dkim.create(ADMIN, {
        domain: domain(),
        selector: "s",
        privateKeyPem: ed25519Pem(),
        algorithm: "rsa-sha256",
      }),
    ).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: 'The key is an Ed25519 key, but algorithm "rsa-sha256" was asked for.',
    });
  });

  it.each([
    ["domain", { domain: "exa mple.com", selector: "s" }, '"exa mple.com" is not a valid domain name.'],
    ["domain", { domain: "-bad.example", selector: "s" }, '"-bad.example" is not a valid domain name.'],
    [
      "selector",
      { domain: "ok.example", selector: "under_score" },
      /Selector "under_score" is not a DNS label list/,
    ],
    ["selector", { domain: "ok.example", selector: "" }, /Selector "" is not/],
    ["selector", { domain: "ok.example", selector: "a..b" }, /Selector "a..b" is not/],
  ])("refuses a bad %s", async (_what, input, message) => {
    await expect(t.core.dkim.create(ADMIN, { ...input, algorithm: "ed25519-sha256" })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: typeof message === "string" ? message : expect.stringMatching(message),
    });
  });

  it("stores the domain lower case in A-labels and finds it by any spelling", async () => {
    const label = `bücher${process.pid}${++unique}`;
    const key = await t.core.dkim.create(ADMIN, {
      domain: `${label.toUpperCase()}.DE.`,
      selector: "S1",
      algorithm: "ed25519-sha256",
    });
    expect(key.domain).toMatch(/^xn--b.*\.de$/);
    expect(key.selector).toBe("s1");
    expect(key.dnsName).toBe(`s1._domainkey.${key.domain}`);
    expect((await t.core.dkim.get(ADMIN, `${label}.de`)).domain).toBe(key.domain);
    expect((await t.core.dkim.list(ADMIN)).map((k) => k.domain)).toContain(key.domain);
  });

  it("keeps a domain's key unless asked to replace it, and deletes it", async () => {
    const d = domain();
    const first = await t.core.dkim.create(ADMIN, {
      domain: d,
      selector: "one",
      algorithm: "ed25519-sha256",
    });
    await expect(t.core.dkim.create(ADMIN, { domain: d, selector: "two" })).rejects.toMatchObject({
      code: "ALREADY_EXISTS",
      message: `Domain "${d}" already has a DKIM key; delete it or create with replace to rotate it.`,
    });
    expect(await t.core.dkim.get(ADMIN, d)).toEqual(first);
    const second = await t.core.dkim.create(ADMIN, {
      domain: d,
      selector: "two",
      replace: true,
      algorithm: "ed25519-sha256",
    });
    expect(second.dnsValue).not.toBe(first.dnsValue);
    expect(await t.core.dkim.get(ADMIN, d)).toEqual(second);
    expect(await t.core.dkim.delete(ADMIN, d)).toBe(true);
    expect(await t.core.dkim.delete(ADMIN, d)).toBe(false);
    await expect(t.core.dkim.get(ADMIN, d)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("names the domains of addresses that no key of theirs or of a parent covers", async () => {
    const tag = `w${process.pid}x${++unique}`;
    await t.addUser(`dkim-domains-${tag}`, {
      addresses: [
        `a@${tag}.example`,
        `b@news.${tag}.example`,
        `c@other-${tag}.example`,
        `*@catch-${tag}.example`,
      ],
    });
    const mine = async () => (await t.core.dkim.domainsWithoutKey(ADMIN)).filter((d) => d.includes(tag));
    expect(await mine()).toEqual([
      `catch-${tag}.example`,
      `news.${tag}.example`,
      `other-${tag}.example`,
      `${tag}.example`,
    ]);
    // A key for the parent covers it and its subdomain; a key for a subdomain covers only that one.
    await t.core.dkim.create(ADMIN, { domain: `${tag}.example`, selector: "s", algorithm: "ed25519-sha256" });
    await t.core.dkim.create(ADMIN, {
      domain: `x.other-${tag}.example`,
      selector: "s",
      algorithm: "ed25519-sha256",
    });
    expect(await mine()).toEqual([`catch-${tag}.example`, `other-${tag}.example`]);
  });

  it("serves only the admin: a user, the delivery agent and an anonymous caller are FORBIDDEN", async () => {
    const d = domain();
    await t.core.dkim.create(ADMIN, { domain: d, selector: "s", algorithm: "ed25519-sha256" });
    const { userId } = await t.addUser(`dkim-user-${++unique}`);
    const calls: Array<[string, (p: Principal) => Promise<unknown>]> = [
      ["list", (p) => t.core.dkim.list(p)],
      ["get", (p) => t.core.dkim.get(p, d)],
      [
        "create",
        (p) => t.core.dkim.create(p, { domain: domain(), selector: "s", algorithm: "ed25519-sha256" }),
      ],
      ["create replacing", (p) => t.core.dkim.create(p, { domain: d, selector: "x", replace: true })],
      ["delete", (p) => t.core.dkim.delete(p, d)],
      ["domainsWithoutKey", (p) => t.core.dkim.domainsWithoutKey(p)],
    ];
    for (const p of [{ kind: "user", userId } as Principal, DELIVERY, ANONYMOUS])
      for (const [name, call] of calls)
        await expect(call(p), `${p.kind} ${name}`).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await t.core.dkim.get(ADMIN, d)).selector).toBe("s");
  });
});

// The DKIM signer over a real store: what it signs verifies with mailauth's verifier against the TXT record the
// service says to publish (served by the stub resolver), for RSA and Ed25519 keys, a parent domain's key, and after
// the signed message went through delivery and came back byte-exact.
import { dkimVerify } from "mailauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestCore, type TestCore } from "../../../test/harness/core.js";
import { stubResolver, type StubZone } from "../../../sidecars/mx/stub-resolver.js";
import { ADMIN, DELIVERY, type DkimKey } from "../index.js";
import { StoreDkimSigner } from "./signer.js";

let unique = 0;
function message(from: string, body = "Hello there.\r\n"): Buffer {
  return Buffer.from(
    `From: Alice <${from}>\r\nTo: bob@remote.test\r\nSubject:   A   subject\r\n` +
      `Date: Tue, 01 Dec 2026 08:00:00 +0000\r\nMessage-ID: <m${process.pid}.${++unique}@test>\r\n\r\n${body}`,
  );
}

/** The zone publishing each key's TXT record as its character-strings. */
const zoneOf = (...keys: DkimKey[]): StubZone =>
  Object.fromEntries(keys.map((k) => [k.dnsName, { TXT: [k.dnsTxtStrings] }]));

async function verify(signed: Buffer, ...keys: DkimKey[]) {
  const { results } = await dkimVerify(signed, { resolver: stubResolver(zoneOf(...keys)) as never });
  return results;
}

describe("Core: the DKIM signer", () => {
  let t: TestCore;
  let signer: StoreDkimSigner;
  beforeAll(async () => {
    t = await openTestCore();
    signer = new StoreDkimSigner(t.store);
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each(["rsa-sha256", "ed25519-sha256"] as const)(
    "signs relaxed/relaxed with a %s key so that the published record verifies it",
    async (algorithm) => {
      const domain = `${algorithm.slice(0, 3)}.signer.example`;
      const key = await t.core.dkim.create(ADMIN, { domain, selector: "sel", algorithm });
      const raw = message(`alice@${domain}`);
      const signed = await signer.sign(raw, domain);
      expect(signed.subarray(signed.length - raw.length)).toEqual(raw);
      const header = signed.subarray(0, signed.length - raw.length).toString();
      expect(header).toMatch(/^DKIM-Signature: /);
      expect(header).toMatch(/c=relaxed\/relaxed/);
      expect(header).toMatch(new RegExp(`a=${algorithm}`));
      const [result] = await verify(signed, key);
      expect(result).toMatchObject({
        signingDomain: domain,
        selector: "sel",
        status: { result: "pass", aligned: domain },
      });
      // The check is real. A changed body: mailauth says "neutral" with the reason (RFC 8601 §2.7.1 leaves it to the
      // verifier); a changed signed header: "fail".
      const body = Buffer.from(signed.toString().replace("Hello there.", "Hello therE."));
      expect((await verify(body, key))[0].status).toMatchObject({
        result: "neutral",
        comment: "body hash did not verify",
      });
      const subject = Buffer.from(signed.toString().replace("A   subject", "A subjects"));
      expect((await verify(subject, key))[0].status.result).toBe("fail");
    },
  );

  it("signs a subdomain's mail with the nearest parent domain's key", async () => {
    const parent = await t.core.dkim.create(ADMIN, {
      domain: "parent.example",
      selector: "p",
      algorithm: "ed25519-sha256",
    });
    const mail = await t.core.dkim.create(ADMIN, {
      domain: "mail.parent.example",
      selector: "m",
      algorithm: "ed25519-sha256",
    });
    const news = await signer.sign(message("n@news.parent.example"), "News.Parent.Example");
    expect((await verify(news, parent, mail))[0]).toMatchObject({
      signingDomain: "parent.example",
      status: { result: "pass", aligned: "parent.example" },
    });
    const deep = await signer.sign(message("x@a.b.mail.parent.example"), "a.b.mail.parent.example");
    expect((await verify(deep, parent, mail))[0]).toMatchObject({
      signingDomain: "mail.parent.example",
      status: { result: "pass" },
    });
  });

  it("writes the signature with a bare-LF message's own line ends, and it verifies before and after CRLF conversion", async () => {
    const key = await t.core.dkim.create(ADMIN, { domain: "lf.example", selector: "lf" });
    const raw = Buffer.from("From: a@lf.example\nTo: b@x.test\nSubject: bare\n\nline one\nline two\n");
    const signed = await signer.sign(raw, "lf.example");
    const header = signed.subarray(0, signed.length - raw.length).toString();
    expect(header).toMatch(/^DKIM-Signature: [^\r]*\n$/);
    expect((await verify(signed, key))[0].status.result).toBe("pass");
    expect((await verify(Buffer.from(signed.toString().replace(/\n/g, "\r\n")), key))[0].status.result).toBe(
      "pass",
    );
  });

  it("returns the message unchanged when no key covers the domain", async () => {
    const raw = message("someone@unsigned.example");
    expect(await signer.sign(raw, "unsigned.example")).toBe(raw);
    // A sibling's or a child's key does not cover a domain.
    await t.core.dkim.create(ADMIN, {
      domain: "child.unsigned2.example",
      selector: "c",
      algorithm: "ed25519-sha256",
    });
    expect(await signer.sign(raw, "unsigned2.example")).toBe(raw);
    expect(await signer.sign(raw, "not a domain")).toBe(raw);
  });

  it("signs an IDN domain's mail with the key stored under its A-label", async () => {
    const key = await t.core.dkim.create(ADMIN, {
      domain: "bücher.example",
      selector: "b",
      algorithm: "ed25519-sha256",
    });
    const signed = await signer.sign(message("info@xn--bcher-kva.example"), "Bücher.example");
    expect((await verify(signed, key))[0]).toMatchObject({
      signingDomain: "xn--bcher-kva.example",
      status: { result: "pass" },
    });
  });

  it("produces a signature that still verifies after delivery stores the message and it is read back byte-exact", async () => {
    const key = await t.core.dkim.create(ADMIN, { domain: "roundtrip.example", selector: "rt" });
    const { userId } = await t.addUser("dkim-reader", { addresses: ["reader@roundtrip.example"] });
    // Folded and 8-bit header text, trailing blanks and empty lines at the end: what canonicalization must not lose.
    const raw = Buffer.concat([
      Buffer.from(
        "From: Ålice <alice@roundtrip.example>\r\nTo: reader@roundtrip.example\r\nSubject: folded\r\n  across lines \r\n",
      ),
      Buffer.from("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"),
      Buffer.from("Grüße   aus Köln \r\n\r\n\r\n"),
    ]);
    const signed = await signer.sign(raw, "roundtrip.example");
    const [result] = await t.core.delivery.deliver(DELIVERY, {
      via: "lmtp",
      mailFrom: "alice@roundtrip.example",
      recipients: ["reader@roundtrip.example"],
      raw: signed,
    });
    expect(result.status).toBe("stored");
    const fetched = await t.core.messages.raw({ kind: "user", userId }, result.stored!.messageId);
    expect(fetched).toEqual(signed);
    expect((await verify(fetched, key))[0].status.result).toBe("pass");
  });
});

// Inbound authentication as the MX runs it: mailauth with DNS answered by the stub resolver (no network), for SPF,
// DKIM, DMARC (with its policy's verdict) and ARC, and a sender's claim in our name removed, never trusted.
import { generateKeyPairSync } from "node:crypto";
import { dkimSign } from "mailauth";
import { describe, expect, it } from "vitest";
import { authenticateInbound, type InboundAuthenticationArgs } from "./authenticate.js";
import { stubResolver, type StubZone } from "./stub-resolver.js";

const ME = "mx.eider.test";

function rsaKey() {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
  return {
    pem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    record: `v=DKIM1; k=rsa; p=${publicKey.export({ type: "spki", format: "der" }).toString("base64")}`,
  };
}
const senderKey = rsaKey();
const forwarderKey = rsaKey();
const ourKey = rsaKey();

const ZONE: StubZone = {
  "pass.example": { TXT: ["v=spf1 ip4:192.0.2.1 -all"] },
  "mail.pass.example": { TXT: ["v=spf1 a -all"], A: ["192.0.2.1"] },
  "soft.example": { TXT: ["v=spf1 ip4:192.0.2.1 ~all"] },
  "nospf.example": { MX: [{ exchange: "mx.nospf.example", priority: 10 }] },
  "signed.example": { TXT: ["v=spf1 ip4:192.0.2.1 -all"] },
  "sel._domainkey.signed.example": { TXT: [senderKey.record] },
  "_dmarc.signed.example": { TXT: ["v=DMARC1; p=reject"] },
  "reject.example": { TXT: ["v=spf1 ip4:192.0.2.1 -all"] },
  "_dmarc.reject.example": { TXT: ["v=DMARC1; p=reject; rua=mailto:d@reject.example"] },
  "quarantine.example": { TXT: ["v=spf1 ip4:192.0.2.1 -all"] },
  "_dmarc.quarantine.example": { TXT: ["v=DMARC1; p=quarantine"] },
  "half.example": { TXT: ["v=spf1 ip4:192.0.2.1 -all"] },
  "_dmarc.half.example": { TXT: ["v=DMARC1; p=reject; pct=50"] },
  "_dmarc.parent.example": { TXT: ["v=DMARC1; p=reject; sp=quarantine"] },
  "news.parent.example": { TXT: ["v=spf1 -all"] },
  "arc._domainkey.forwarder.example": { TXT: [forwarderKey.record] },
  "arc._domainkey.eider.test": { TXT: [ourKey.record] },
};
const resolver = stubResolver(ZONE);

let unique = 0;
function message(from: string, extraHeaders = "", body = "Hello.\r\n"): Buffer {
  return Buffer.from(
    `${extraHeaders}From: Sender <${from}>\r\nTo: rcpt@eider.test\r\nSubject: Test ${++unique}\r\n` +
      `Date: Tue, 01 Dec 2026 08:00:00 +0000\r\nMessage-ID: <a${unique}@test>\r\n\r\n${body}`,
  );
}

async function signed(raw: Buffer): Promise<Buffer> {
  const data = { signingDomain: "signed.example", selector: "sel", privateKey: senderKey.pem };
  const { signatures } = await dkimSign(raw, { ...data, signatureData: [data] });
  return Buffer.concat([Buffer.from(signatures), raw]);
}

const run = (over: Partial<InboundAuthenticationArgs> & { raw: Buffer }) =>
  authenticateInbound({
    clientIp: "192.0.2.1",
    helo: "mail.pass.example",
    mailFrom: "someone@pass.example",
    authservId: ME,
    resolver,
    ...over,
  });

describe("MX: inbound authentication (mailauth, stub DNS)", () => {
  it.each([
    ["pass", "someone@pass.example", "192.0.2.1"],
    ["fail", "someone@pass.example", "192.0.2.9"],
    ["softfail", "someone@soft.example", "192.0.2.9"],
    ["none", "someone@nospf.example", "192.0.2.9"],
  ])("SPF %s", async (result, mailFrom, clientIp) => {
    const raw = message(mailFrom);
    const auth = await run({ raw, mailFrom, clientIp });
    const domain = mailFrom.split("@")[1];
    expect(auth.spf).toEqual({ result, domain });
    expect(auth.authenticationResults).toMatch(new RegExp(`^Authentication-Results: ${ME};\\r\\n`));
    expect(auth.authenticationResults).toMatch(new RegExp(`spf=${result} .*smtp\\.mailfrom=${mailFrom}`));
    expect(auth.headers).toMatch(new RegExp(`^Received-SPF: ${result} .*client-ip=${clientIp};\\r\\n`, "m"));
    // What is delivered: our fields on top of the message as it came, byte for byte.
    expect(auth.headers.endsWith(auth.authenticationResults)).toBe(true);
    expect(auth.message).toEqual(Buffer.concat([Buffer.from(auth.headers), raw]));
  });

  it("checks the HELO name for the null reverse-path (RFC 7208 §2.4)", async () => {
    const auth = await run({ raw: message("mailer-daemon@pass.example"), mailFrom: "" });
    expect(auth.spf).toEqual({ result: "pass", domain: "mail.pass.example" });
    expect(auth.authenticationResults).toMatch(/spf=pass .*smtp\.mailfrom=postmaster@mail\.pass\.example/);
  });

  it("passes DKIM with the key in DNS, and not once the message is changed", async () => {
    const raw = await signed(message("alice@signed.example"));
    const auth = await run({ raw, mailFrom: "alice@signed.example" });
    expect(auth.dkim).toEqual([{ domain: "signed.example", selector: "sel", result: "pass", aligned: true }]);
    expect(auth.authenticationResults).toMatch(/dkim=pass header\.i=@signed\.example header\.s=sel/);
    // The body changed in transit: mailauth reports the body hash mismatch as "neutral", with the reason.
    const body = await run({
      raw: Buffer.from(raw.toString().replace("Hello.", "Hello!")),
      mailFrom: "alice@signed.example",
    });
    expect(body.dkim[0].result).toBe("neutral");
    expect(body.authenticationResults).toMatch(/dkim=neutral \(body hash did not verify\)/);
    // A signed header changed: the signature fails.
    const header = await run({
      raw: Buffer.from(raw.toString().replace(/Subject: Test/, "Subject: Tost")),
      mailFrom: "alice@signed.example",
    });
    expect(header.dkim[0].result).toBe("fail");
    // No signature at all.
    expect((await run({ raw: message("x@pass.example") })).authenticationResults).toMatch(/dkim=none/);
  });

  it("passes DMARC on an aligned DKIM signature even when SPF fails", async () => {
    const auth = await run({
      raw: await signed(message("alice@signed.example")),
      mailFrom: "alice@signed.example",
      clientIp: "192.0.2.77",
    });
    expect(auth.spf.result).toBe("fail");
    expect(auth.dmarc).toEqual({
      result: "pass",
      domain: "signed.example",
      policy: "reject",
      pct: 100,
      action: "none",
    });
    expect(auth.authenticationResults).toMatch(/dmarc=pass .*header\.from=signed\.example/);
  });

  it("fails DMARC with p=reject: the verdict is to reject", async () => {
    const auth = await run({
      raw: message("ceo@reject.example"),
      mailFrom: "bounce@elsewhere.example",
      clientIp: "192.0.2.66",
    });
    expect(auth.dmarc).toEqual({
      result: "fail",
      domain: "reject.example",
      policy: "reject",
      pct: 100,
      action: "reject",
    });
    expect(auth.authenticationResults).toMatch(/dmarc=fail \(p=REJECT/);
  });

  it("fails DMARC with p=quarantine: the verdict is to quarantine", async () => {
    const auth = await run({
      raw: message("x@quarantine.example"),
      mailFrom: "x@quarantine.example",
      clientIp: "192.0.2.66",
    });
    expect(auth.dmarc).toMatchObject({ result: "fail", policy: "quarantine", action: "quarantine" });
  });

  it("applies pct: a failing message outside the sample gets the next milder policy", async () => {
    const raw = message("x@half.example");
    const args = { raw, mailFrom: "x@half.example", clientIp: "192.0.2.66" };
    expect((await run({ ...args, random: () => 0.49 })).dmarc).toMatchObject({ pct: 50, action: "reject" });
    expect((await run({ ...args, random: () => 0.5 })).dmarc).toMatchObject({
      pct: 50,
      action: "quarantine",
    });
  });

  it("applies a parent domain's sp= to mail from its subdomain", async () => {
    const auth = await run({
      raw: message("x@news.parent.example"),
      mailFrom: "x@news.parent.example",
      clientIp: "192.0.2.66",
    });
    expect(auth.dmarc).toMatchObject({
      result: "fail",
      domain: "parent.example",
      policy: "quarantine",
      action: "quarantine",
    });
  });

  it.each([
    ["two From fields", "From: Boss <ceo@reject.example>\r\n", "x@pass.example"],
    ["two addresses in one From field", "", "x@pass.example>, <ceo@reject.example"],
  ])(
    "judges each From domain of a message with %s: the forged domain's p=reject stands",
    async (_what, extra, from) => {
      const raw = message(from, extra);
      const auth = await run({ raw, mailFrom: "x@pass.example" });
      expect(auth.spf.result).toBe("pass");
      expect(auth.dmarc).toEqual({
        result: "fail",
        domain: "reject.example",
        policy: "reject",
        pct: 100,
        action: "reject",
      });
      expect(auth.authenticationResults).toMatch(/^ dmarc=fail \(p=REJECT.*header\.from=reject\.example/m);
      expect(auth.authenticationResults).toMatch(/^ dmarc=none .*header\.from=pass\.example/m);
      expect(auth.authenticationResults).toMatch(/\r\n$/);
      expect(auth.message).toEqual(Buffer.concat([Buffer.from(auth.headers), raw]));
    },
  );

  it("says none when the From domain has no DMARC record, whatever SPF says", async () => {
    const auth = await run({
      raw: message("x@soft.example"),
      mailFrom: "x@soft.example",
      clientIp: "192.0.2.66",
    });
    expect(auth.spf.result).toBe("softfail");
    expect(auth.dmarc).toMatchObject({ result: "none", policy: null, action: "none" });
    expect(auth.authenticationResults).toMatch(/dmarc=none/);
  });

  it("validates an ARC chain a forwarder sealed, and seals it again with our key", async () => {
    // Hop 1: the forwarder received the message (DKIM-signed by its author) and sealed it.
    const original = await signed(message("alice@signed.example"));
    const forwarder = await authenticateInbound({
      raw: original,
      clientIp: "192.0.2.1",
      helo: "mail.signed.example",
      mailFrom: "alice@signed.example",
      authservId: "mx.forwarder.example",
      resolver,
      arcSeal: { domain: "forwarder.example", selector: "arc", privateKeyPem: forwarderKey.pem },
    });
    expect(forwarder.sealed).toBe(true);
    expect(forwarder.headers).toMatch(
      /^ARC-Seal: i=1; a=rsa-sha256; t=\d+; cv=none;\s+d=forwarder\.example;\s+s=arc;/,
    );
    // Hop 2, our MX: the forwarder resends from its own server and envelope.
    const hop2 = await run({
      raw: forwarder.message,
      clientIp: "198.51.100.7",
      helo: "mx.forwarder.example",
      mailFrom: "list-bounces@forwarder.example",
      arcSeal: { domain: "eider.test", selector: "arc", privateKeyPem: ourKey.pem },
    });
    expect(hop2.arc).toEqual({ result: "pass", instance: 1 });
    expect(hop2.authenticationResults).toMatch(new RegExp(`^Authentication-Results: ${ME};\\r\\n`));
    expect(hop2.headers.endsWith(hop2.authenticationResults)).toBe(true);
    expect(hop2.authenticationResults).toMatch(/^ arc=pass \(i=1\b/m);
    expect(hop2.sealed).toBe(true);
    expect(hop2.headers).toMatch(/^ARC-Seal: i=2; a=rsa-sha256; t=\d+; cv=pass;\s+d=eider\.test;\s+s=arc;/);
    // Our seal verifies at the next hop: the chain is valid at instance 2.
    const hop3 = await run({
      raw: hop2.message,
      clientIp: "203.0.113.5",
      helo: "next.example",
      mailFrom: "x@next.example",
    });
    expect(hop3.arc).toEqual({ result: "pass", instance: 2 });

    // A chain broken in transit (a header the forwarder's message signature covers was changed) fails; our set then
    // says so with cv=fail, signing only itself (RFC 8617 §5.1.2), and the chain stays failed at the next hop.
    const broken = Buffer.from(
      forwarder.message.toString().replace(/^Subject: Test/m, "Subject: [list] Test"),
    );
    const auth = await run({
      raw: broken,
      arcSeal: { domain: "eider.test", selector: "arc", privateKeyPem: ourKey.pem },
    });
    expect(auth.arc.result).toBe("fail");
    expect(auth.authenticationResults).toMatch(/^ arc=fail/m);
    expect(auth.headers).toMatch(/^ARC-Seal: i=2; a=rsa-sha256; t=\d+; cv=fail;/);
    const after = await run({
      raw: auth.message,
      clientIp: "203.0.113.5",
      helo: "next.example",
      mailFrom: "x@next.example",
    });
    expect(after.arc.result).toBe("fail");
  });

  it("does not trust an Authentication-Results field the sender wrote in our name, and removes it", async () => {
    const forged =
      `Authentication-Results: MX.Eider.Test; dkim=pass header.d=reject.example; spf=pass; dmarc=pass\r\n` +
      `Authentication-Results: (relayed)\r\n ${ME};\r\n dmarc=pass header.from=reject.example\r\n` +
      `Authentication-Results: upstream.example; spf=pass smtp.mailfrom=ceo@reject.example\r\n`;
    const raw = message("ceo@reject.example", forged);
    const auth = await run({ raw, mailFrom: "ceo@reject.example", clientIp: "192.0.2.66" });
    expect(auth.forgedResultsRemoved).toBe(2);
    expect(auth.dmarc.action).toBe("reject");
    expect(auth.authenticationResults).toMatch(/dkim=none/);
    expect(auth.authenticationResults).toMatch(/dmarc=fail/);
    // What is delivered: our fields, then the message with only the other authserv-id's field left of the three.
    const delivered = auth.message.toString();
    expect(delivered.startsWith(auth.headers)).toBe(true);
    expect(delivered.slice(auth.headers.length)).toBe(
      raw
        .toString()
        .replace(/^Authentication-Results: MX[^\n]*\n/m, "")
        .replace(/^Authentication-Results: \(relayed\)\r\n[^\n]*\n[^\n]*\n/m, ""),
    );
    expect(delivered.match(/^Authentication-Results:/gm)).toHaveLength(2);
    expect(delivered).toMatch(/^Authentication-Results: upstream\.example;/m);
  });

  it("refuses arguments that are the caller's mistake", async () => {
    await expect(run({ raw: message("x@pass.example"), authservId: "mx eider" })).rejects.toThrow(
      'The authserv-id "mx eider" is not a host name.',
    );
    await expect(run({ raw: message("x@pass.example"), clientIp: "mail.example" })).rejects.toThrow(
      'The client address "mail.example" is not an IP address.',
    );
    const ed = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    await expect(
      run({
        raw: message("x@pass.example"),
        arcSeal: { domain: "eider.test", selector: "arc", privateKeyPem: ed },
      }),
    ).rejects.toThrow(/seals with RSA only/);
  });
});

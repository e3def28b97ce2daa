// Bad input from the network never makes authentication throw: whatever bytes arrive, the MX gets results (none,
// fail, permerror, neutral) and a well-formed Authentication-Results field to add.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { authenticateInbound } from "./authenticate.js";
import { stubResolver } from "./stub-resolver.js";

const resolver = stubResolver({
  "bad.example": { TXT: ["v=spf1 include:loop.bad.example ip4:300.1.1.1/99 -all"] },
  "loop.bad.example": { TXT: ["v=spf1 include:bad.example -all"] },
  "_dmarc.bad.example": { TXT: ["v=DMARC1; p=bogus; pct=abc; sp="] },
  "s._domainkey.bad.example": { TXT: ["v=DKIM1; k=rsa; p=not base64!!"] },
});

const run = (raw: Buffer, mailFrom = "x@bad.example") =>
  authenticateInbound({
    raw,
    clientIp: "2001:db8::1",
    helo: "",
    mailFrom,
    authservId: "mx.eider.test",
    resolver,
  });

const CASES: Array<[string, Buffer]> = [
  ["an empty message", Buffer.alloc(0)],
  ["a body with no header", Buffer.from("\r\n\r\njust a body\r\n")],
  ["headers and no body", Buffer.from("From: x@bad.example\r\nSubject: x")],
  [
    "binary bytes with a NUL",
    Buffer.concat([Buffer.from("From: x@bad.example\r\n\0\xff\r\n\r\n"), randomBytes(4096)]),
  ],
  ["a From with no address", Buffer.from("From: undisclosed\r\nTo: ;\r\n\r\nhi\r\n")],
  [
    "a DKIM-Signature of garbage tags",
    Buffer.from("DKIM-Signature: v=9; a=md5; d=; s=\x01; b=!!!; bh=\r\nFrom: x@bad.example\r\n\r\nhi\r\n"),
  ],
  [
    "a DKIM-Signature whose key record is not base64",
    Buffer.from(
      "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=bad.example; s=s; h=From; bh=AAAA; b=AAAA\r\n" +
        "From: x@bad.example\r\n\r\nhi\r\n",
    ),
  ],
  [
    "broken ARC headers",
    Buffer.from(
      "ARC-Seal: i=x; cv=maybe\r\nARC-Message-Signature: i=7\r\nARC-Authentication-Results: nonsense\r\n" +
        "From: x@bad.example\r\n\r\nhi\r\n",
    ),
  ],
  [
    "a 100 kB header line",
    Buffer.from(`Subject: ${"a".repeat(100_000)}\r\nFrom: x@bad.example\r\n\r\nhi\r\n`),
  ],
];

describe("MX: inbound authentication of bad input", () => {
  it.each(CASES)("answers %s with results, never an exception", async (_what, raw) => {
    const auth = await run(raw);
    expect(auth.authenticationResults).toMatch(/^Authentication-Results: mx\.eider\.test;\r\n/);
    expect(auth.authenticationResults).toMatch(/\r\n$/);
    expect(["none", "quarantine", "reject"]).toContain(auth.dmarc.action);
  });

  it("survives an SPF include loop and an invalid mechanism as permerror, and a bad DMARC record as no policy", async () => {
    const auth = await run(Buffer.from("From: x@bad.example\r\n\r\nhi\r\n"));
    expect(auth.spf.result).toBe("permerror");
    expect(auth.dmarc.action).toBe("none");
  });
});

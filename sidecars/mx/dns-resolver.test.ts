// The real resolver's bound: against a name server that never answers, authentication ends in temperror, not a hang.
import { createSocket, type Socket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateInbound } from "./authenticate.js";
import { systemDnsResolver } from "./dns-resolver.js";

describe("MX: the system DNS resolver with a bound", () => {
  let silent: Socket;
  let queries = 0;
  beforeAll(async () => {
    silent = createSocket("udp4");
    silent.on("message", () => queries++);
    await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", resolve));
  });
  afterAll(() => silent?.close());

  it("reports temperror for SPF and DMARC when the name server does not answer", async () => {
    const resolver = systemDnsResolver({
      timeoutMs: 100,
      tries: 1,
      servers: [`127.0.0.1:${silent.address().port}`],
    });
    await expect(resolver("example.com", "TXT")).rejects.toMatchObject({ code: "ETIMEOUT" });
    const auth = await authenticateInbound({
      raw: Buffer.from("From: a@sender.example\r\nTo: b@eider.test\r\nSubject: x\r\n\r\nhi\r\n"),
      clientIp: "192.0.2.1",
      helo: "mail.sender.example",
      mailFrom: "a@sender.example",
      authservId: "mx.eider.test",
      resolver,
    });
    expect(auth.spf.result).toBe("temperror");
    expect(auth.dmarc).toMatchObject({ result: "temperror", action: "none" });
    expect(queries).toBeGreaterThan(0);
  });
});

// TLS certificates shared by the sidecars: generated once with the openssl CLI, kept, read from configured
// paths, and reloaded so new connections get the new certificate.
import { createPrivateKey, X509Certificate } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createServer, type Server } from "node:tls";
import { afterAll, describe, expect, it } from "vitest";
import { presentedCertificate } from "../../test/harness/tls.js";
import { trustedNetworks } from "./networks.js";
import { TlsCertificates } from "./tls.js";

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), "eider-tls-"));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("Sidecar TLS certificates", () => {
  it("generates a self-signed certificate for the host name and loopback once, then reuses it", async () => {
    const dataDir = tempDir();
    const first = await TlsCertificates.load({ dataDir, hostname: "mail.example.test" });
    expect(first.generated).toBe(true);
    const cert = new X509Certificate(first.pair().cert);
    expect(cert.subject).toBe("CN=mail.example.test");
    expect(cert.subjectAltName).toContain("DNS:localhost");
    expect(cert.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(cert.checkPrivateKey(createPrivateKey(first.pair().key))).toBe(true);
    const again = await TlsCertificates.load({ dataDir });
    expect(again.generated).toBe(false);
    expect(again.pair().cert.equals(first.pair().cert)).toBe(true);
  });

  it("reads configured paths, refuses half a pair, and swaps the certificate for new connections on reload", async () => {
    const aDir = tempDir();
    const bDir = tempDir();
    const a = await TlsCertificates.load({ dataDir: aDir, hostname: "a.test" });
    const b = await TlsCertificates.load({ dataDir: bDir, hostname: "b.test" });
    const dir = tempDir();
    const files = { certPath: path.join(dir, "c.pem"), keyPath: path.join(dir, "k.pem") };
    const install = (from: TlsCertificates, dataDir: string) => {
      const src = path.join(dataDir, "tls");
      copyFileSync(path.join(src, "self-signed.crt"), files.certPath);
      copyFileSync(path.join(src, "self-signed.key"), files.keyPath);
      expect(readFileSync(files.certPath).equals(from.pair().cert)).toBe(true);
    };
    install(a, aDir);
    await expect(TlsCertificates.load({ dataDir: dir, certPath: files.certPath })).rejects.toThrow(/both/);
    const tls = await TlsCertificates.load({ dataDir: dir, ...files });
    const server: Server = createServer({ ...tls.pair() });
    const stop = tls.onReload((pair) => server.setSecureContext({ ...pair }));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as { port: number }).port;
      const fp = (t: TlsCertificates) => new X509Certificate(t.pair().cert).fingerprint256;
      expect(await presentedCertificate(port)).toBe(fp(a));
      install(b, bDir);
      tls.reload();
      expect(await presentedCertificate(port)).toBe(fp(b));
      expect(new X509Certificate(tls.pair().cert).fingerprint256).toBe(fp(b));
    } finally {
      stop();
      server.close();
    }
  });
});

describe("Sidecar trusted networks", () => {
  it("trusts loopback (v4, v6, v4-mapped) and configured networks only", () => {
    const trusted = trustedNetworks(["10.1.0.0/16", "fd00::/8", "192.0.2.7"]);
    expect(
      ["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1", "10.1.200.3", "fd00::5", "192.0.2.7"].map(
        trusted,
      ),
    ).toEqual(Array(7).fill(true));
    expect(["10.2.0.1", "192.0.2.8", "::ffff:10.2.0.1", "2001:db8::1", "", undefined].map(trusted)).toEqual(
      Array(6).fill(false),
    );
    expect(() => trustedNetworks(["example.com"])).toThrow(/not an address/);
  });
});

// LMTP STARTTLS ([lmtp] starttls = true, off by default): Python's smtplib.LMTP upgrades and verifies the
// certificate generated into the data folder, the session starts over (LHLO again, no STARTTLS offered twice),
// and the delivery is stored with "with LMTPS" in its Received line (RFC 3848).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, startTestEider, type TestEider } from "../../../test/harness/eider.js";
import { holdings } from "../../../test/harness/mailbox.js";
import { TlsCertificates } from "../../shared/tls.js";
import { derSha256, pythonLmtp } from "./clients.js";
import { expectTraceThenData } from "./trace.js";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "eider-lmtp-tls-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe("LMTP STARTTLS", () => {
  let t: TestEider;
  let dataDir: string;
  let cafile: string;

  beforeAll(async () => {
    dataDir = tempDir();
    t = await startTestEider({ dataDir, env: { EIDER_LMTP_STARTTLS: "true" } });
    cafile = path.join(dataDir, "tls", "self-signed.crt");
    await createUser(t.url, "tess", ["tess@example.com"]);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("upgrades with the generated certificate, verified, and delivers over TLS (Received: with LMTPS)", async () => {
    const data = Buffer.from("From: s@remote.test\r\nSubject: over TLS\r\n\r\nsealed\r\n");
    const r = await pythonLmtp(t.eider.lmtp!.port, {
      from: "s@remote.test",
      rcpts: ["tess@example.com"],
      data,
      starttlsCafile: cafile,
    });
    expect(r.tls!.features_before).toHaveProperty("starttls");
    expect(r.features).not.toHaveProperty("starttls"); // not offered again inside TLS
    expect(r.tls!.version).toMatch(/^TLSv1\.[23]$/);
    expect(r.tls!.peer_sha256).toBe(derSha256(readFileSync(cafile)));
    expect(r.data).toEqual([[250, expect.stringMatching(/^2\.\d\.\d /)]]);
    const [stored] = (await holdings(t.url, "tess", "pw-tess-secret")).boxes.INBOX;
    expectTraceThenData(stored, data, "s@remote.test", "tess@example.com", t.eider.lmtp!.port, "LMTPS");
  });

  it("a client that trusts another CA refuses the upgrade and sends nothing", async () => {
    await TlsCertificates.load({ dataDir: tempDir(), hostname: "other.test" });
    const otherCa = path.join(dirs[dirs.length - 1], "tls", "self-signed.crt");
    await expect(
      pythonLmtp(t.eider.lmtp!.port, {
        from: "s@remote.test",
        rcpts: ["tess@example.com"],
        data: Buffer.from("Subject: x\r\n\r\nx\r\n"),
        starttlsCafile: otherCa,
      }),
    ).rejects.toThrow(/CERTIFICATE_VERIFY_FAILED/);
    expect((await holdings(t.url, "tess", "pw-tess-secret")).boxes.INBOX).toHaveLength(1);
  });
});

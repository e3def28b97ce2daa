// `eider serve` with the IMAP sidecar as an operator runs it: a user made with `eider user add`, the banner
// naming both IMAP ports, `--only imap` without the API, and a real client (Python's imaplib) over STARTTLS
// and implicit TLS with the certificate generated into the data folder.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuild } from "../../../test/cli/ensure-build.js";
import { runEider, serveEider } from "../../../test/cli/run-eider.js";
import { freePort } from "../../../test/harness/services.js";

const tempDirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "eider-imap-serve-"));
  tempDirs.push(dir);
  return dir;
};
beforeAll(async () => {
  await ensureBuild();
});
afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function imaplib(args: string[], script: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile("python3", ["-c", script, ...args], { timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

describe("eider serve and the IMAP sidecar", () => {
  it("--only imap serves IMAP (STARTTLS and implicit TLS) without the API", async () => {
    const dataDir = tempDir();
    const env = { EIDER_DATA_DIR: dataDir, EIDER_LOG_LEVEL: "warn", EIDER_HTTP_PORT: "0" };
    expect((await runEider(["user", "add", "ivy", "--password", "a long secret"], env)).code).toBe(0);
    const [port, tlsPort] = [await freePort(), await freePort()];
    const eider = await serveEider(
      { ...env, EIDER_IMAP_PORT: String(port), EIDER_IMAP_TLS_PORT: String(tlsPort) },
      ["--only", "imap"],
    );
    try {
      expect(eider.url).toBe("");
      expect(eider.banner).toContain(`IMAP: 127.0.0.1:${port} (STARTTLS), 127.0.0.1:${tlsPort} (TLS)`);
      expect(eider.banner).not.toContain("LMTP");
      expect(eider.banner).not.toContain("POP3");
      const out = await imaplib(
        [String(port), String(tlsPort), path.join(dataDir, "tls", "self-signed.crt")],
        `
import imaplib, ssl, sys
port, tls_port, cafile = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=cafile)
c = imaplib.IMAP4("127.0.0.1", port)
c.starttls(ssl_context=ctx)
print(c.login("ivy", "a long secret")[0])
print(c.logout()[0])
s = imaplib.IMAP4_SSL("127.0.0.1", tls_port, ssl_context=ctx)
print(s.login("ivy", "a long secret")[0])
print(s.logout()[0])
`,
      );
      expect(out).toBe("OK\nBYE\nOK\nBYE\n");
    } finally {
      expect((await eider.stop()).code).toBe(0);
    }
  });
});

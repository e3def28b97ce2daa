// `eider serve` with the POP3 sidecar as an operator runs it: a user made with `eider user add`, the banner
// naming both POP3 ports, STLS and implicit TLS with the certificate generated into the data folder, SIGHUP
// swapping the certificate new connections get, and `--only pop3` without the API.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { randomBytes, X509Certificate } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { presentedCertificate } from "../../../test/harness/tls.js";
import { ensureBuild } from "../../../test/cli/ensure-build.js";
import { runEider, serveEider } from "../../../test/cli/run-eider.js";
import { freePort } from "../../../test/harness/services.js";
import { TlsCertificates } from "../../shared/tls.js";
import { pythonLmtp } from "../../lmtp/test/clients.js";
import { poplib } from "./poplib.js";

const tempDirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "eider-pop3-serve-"));
  tempDirs.push(dir);
  return dir;
};
beforeAll(async () => {
  await ensureBuild();
});
afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe("eider serve and the POP3 sidecar", () => {
  it("serves POP3 with STLS and implicit TLS out of the box and reloads the certificate on SIGHUP", async () => {
    const dataDir = tempDir();
    const env = { EIDER_DATA_DIR: dataDir, EIDER_LOG_LEVEL: "warn", EIDER_HTTP_PORT: "0" };
    const add = await runEider(["user", "add", "pat", "--password", "a long secret"], env);
    expect(add.code).toBe(0);
    const [port, tlsPort] = [await freePort(), await freePort()];
    const eider = await serveEider({
      ...env,
      EIDER_POP3_PORT: String(port),
      EIDER_POP3_TLS_PORT: String(tlsPort),
    });
    try {
      expect(eider.banner).toContain(`POP3: 127.0.0.1:${port} (STLS), 127.0.0.1:${tlsPort} (TLS)`);
      const cafile = path.join(dataDir, "tls", "self-signed.crt");
      const r = await poplib<number[][]>(
        { host: "127.0.0.1", port, tlsPort, cafile },
        `
        ctx = ssl.create_default_context(cafile=cafile)
        p = poplib.POP3("localhost", port); p.stls(context=ctx); p.user("pat"); p.pass_("a long secret")
        a = list(p.stat()); p.quit()
        p = poplib.POP3_SSL("localhost", tls_port, context=ctx); p.user("pat"); p.pass_("a long secret")
        b = list(p.stat()); p.quit()
        print(json.dumps([a, b]))
      `,
      );
      expect(r).toEqual([
        [0, 0],
        [0, 0],
      ]);
      const before = await presentedCertificate(tlsPort);
      expect(before).toBe(new X509Certificate(readFileSync(cafile)).fingerprint256);
      const other = tempDir();
      const next = await TlsCertificates.load({ dataDir: other, hostname: "next.test" });
      copyFileSync(path.join(other, "tls", "self-signed.key"), path.join(dataDir, "tls", "self-signed.key"));
      copyFileSync(path.join(other, "tls", "self-signed.crt"), cafile);
      eider.kill("SIGHUP");
      const want = new X509Certificate(next.pair().cert).fingerprint256;
      await expect.poll(() => presentedCertificate(tlsPort), { timeout: 10_000 }).toBe(want);
    } finally {
      expect((await eider.stop()).code).toBe(0);
    }
  });

  it("--only pop3 serves POP3 without the API", async () => {
    const dataDir = tempDir();
    const env = { EIDER_DATA_DIR: dataDir, EIDER_LOG_LEVEL: "warn", EIDER_HTTP_PORT: "0" };
    expect((await runEider(["user", "add", "quin", "--password", "a long secret"], env)).code).toBe(0);
    const port = await freePort();
    const eider = await serveEider({ ...env, EIDER_POP3_PORT: String(port) }, ["--only", "pop3"]);
    try {
      expect(eider.url).toBe("");
      expect(eider.banner).not.toContain("LMTP");
      const stat = await poplib<number[]>(
        { host: "127.0.0.1", port, tlsPort: null },
        `
        p = poplib.POP3(host, port); p.user("quin"); p.pass_("a long secret")
        print(json.dumps(list(p.stat())))
      `,
      );
      expect(stat).toEqual([0, 0]);
    } finally {
      expect((await eider.stop()).code).toBe(0);
    }
  });

  it("reads every message delivered over LMTP byte-exact over RETR (the trace lines, then DATA as sent)", async () => {
    const dataDir = tempDir();
    const env = { EIDER_DATA_DIR: dataDir, EIDER_LOG_LEVEL: "warn", EIDER_HTTP_PORT: "0" };
    const add = await runEider(
      ["user", "add", "rita", "--password", "a long secret", "--address", "rita@example.org"],
      env,
    );
    expect(add.code).toBe(0);
    const [lmtpPort, port] = [await freePort(), await freePort()];
    const eider = await serveEider({
      ...env,
      EIDER_LMTP_PORT: String(lmtpPort),
      EIDER_POP3_PORT: String(port),
    });
    const crlf = (lines: string[]) => Buffer.from(lines.join("\r\n"));
    const sent = [
      crlf([
        "From: a@example.net",
        "To: rita@example.org",
        "Subject: dots",
        "",
        ".leading",
        "..two",
        "end",
        "",
      ]),
      crlf([
        "From: b@example.net",
        "To: rita@example.org",
        "Subject: attachment",
        "Content-Type: multipart/mixed; boundary=q",
        "",
        "--q",
        "Content-Type: application/octet-stream",
        "Content-Transfer-Encoding: base64",
        "",
        randomBytes(300_000).toString("base64").replace(/.{76}/g, "$&\r\n"),
        "--q--",
        "",
      ]),
    ];
    try {
      for (const data of sent) {
        const r = await pythonLmtp(lmtpPort, { from: "a@example.net", rcpts: ["rita@example.org"], data });
        expect(r.data[0][0]).toBe(250);
      }
      const got = await poplib<{ list: string[]; retr: string[] }>(
        { host: "127.0.0.1", port, tlsPort: null },
        `
        p = poplib.POP3(host, port); p.user("rita"); p.pass_("a long secret")
        out = dict(list=[l.decode() for l in p.list()[1]], retr=[b64(p.retr(i)[1]) for i in (1, 2)])
        p.quit()
        print(json.dumps(out))
      `,
      );
      got.retr.forEach((b64, i) => {
        const bytes = Buffer.from(b64, "base64");
        expect(got.list[i]).toBe(`${i + 1} ${bytes.length}`);
        expect(bytes.subarray(bytes.length - sent[i].length).equals(sent[i])).toBe(true);
        const trace = bytes.subarray(0, bytes.length - sent[i].length).toString();
        expect(trace).toMatch(
          /^Return-Path: <a@example\.net>\r\nDelivered-To: rita@example\.org\r\nReceived: [^]*\r\n$/,
        );
      });
    } finally {
      expect((await eider.stop()).code).toBe(0);
    }
  });
});

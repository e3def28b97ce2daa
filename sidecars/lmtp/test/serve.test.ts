// `eider serve` with the LMTP sidecar as an operator runs it: the banner says what listens where, `--only lmtp`
// runs no HTTP listener, a taken LMTP port is one line naming [lmtp], SIGTERM lets a DATA in flight finish, and
// SIGHUP reloads the certificates whatever runs (STARTTLS gets the new one; without TLS it is only logged).
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuild } from "../../../test/cli/ensure-build.js";
import { runEider, serveEider } from "../../../test/cli/run-eider.js";
import { createUser, gqlOk, startTestEider } from "../../../test/harness/eider.js";
import { freePort } from "../../../test/harness/services.js";
import { TlsCertificates } from "../../shared/tls.js";
import { derSha256, pythonLmtp, RawLmtp } from "./clients.js";

const tempDirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "eider-lmtp-serve-"));
  tempDirs.push(dir);
  return dir;
};

beforeAll(async () => {
  await ensureBuild();
});
afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

/** `eider serve --only lmtp` over a new data folder holding one user, NAME@example.com, made by the command line. */
async function lmtpOnly(name: string, settings: Record<string, string>) {
  const dataDir = tempDir();
  const env = { EIDER_DATA_DIR: dataDir, EIDER_LOG_LEVEL: "warn", ...settings };
  const add = await runEider(
    ["user", "add", name, "--password", "a long secret", "--address", `${name}@example.com`],
    env,
  );
  expect(add.code).toBe(0);
  const lmtpPort = await freePort();
  const eider = await serveEider({ ...env, EIDER_LMTP_PORT: String(lmtpPort) }, ["--only", "lmtp"]);
  return { eider, lmtpPort, dataDir };
}

describe("eider serve and the LMTP sidecar", () => {
  it("runs LMTP with the API by default and says where both listen", async () => {
    const lmtpPort = await freePort();
    const env = { EIDER_DATA_DIR: tempDir(), EIDER_LOG_LEVEL: "warn", EIDER_HTTP_PORT: "0" };
    const eider = await serveEider({ ...env, EIDER_LMTP_PORT: String(lmtpPort) });
    try {
      expect(eider.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(eider.banner).toContain(`LMTP (local delivery): 127.0.0.1:${lmtpPort}`);
      const c = await RawLmtp.connect(lmtpPort);
      expect((await c.send("LHLO mx.test\r\n"))[0]).toMatch(/^250[ -]/);
      c.end();
    } finally {
      expect((await eider.stop()).code).toBe(0);
    }
  });

  it("--only lmtp delivers without an HTTP listener", async () => {
    const [lmtpPort, httpPort] = [await freePort(), await freePort()];
    const env = {
      EIDER_DATA_DIR: tempDir(),
      EIDER_LOG_LEVEL: "warn",
      EIDER_HTTP_PORT: String(httpPort),
      EIDER_LMTP_PORT: String(lmtpPort),
    };
    // A user made by the command line (which opens the store directly), then served by the LMTP part alone.
    const add = await runEider(
      ["user", "add", "dora", "--password", "a long secret", "--address", "dora@example.com"],
      env,
    );
    expect(add.code).toBe(0);
    const eider = await serveEider(env, ["--only", "lmtp"]);
    try {
      expect(eider.url).toBe("");
      expect(eider.banner).toContain(`LMTP (local delivery): 127.0.0.1:${lmtpPort}`);
      expect(eider.banner).not.toContain("GraphQL");
      expect(await refused(httpPort)).toBe(true);
      const r = await pythonLmtp(lmtpPort, {
        from: "s@remote.test",
        rcpts: ["dora@example.com", "nobody@example.com"],
        data: Buffer.from("Subject: only lmtp\r\n\r\nhi\r\n"),
      });
      expect(r.rcpt.map(([code]) => code)).toEqual([250, 550]);
      expect(r.data.map(([code]) => code)).toEqual([250]);
    } finally {
      expect((await eider.stop()).code).toBe(0);
    }
  });

  it("--only takes the part names and nothing else", async () => {
    const run = await runEider(["serve", "--only", "smtp"], { EIDER_DATA_DIR: tempDir() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--only takes http, lmtp, pop3, imap, mx, submission (comma-separated), not "smtp".');
  });

  it("a taken LMTP port is one line naming the [lmtp] options", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const run = await runEider(["serve"], {
        EIDER_DATA_DIR: tempDir(),
        EIDER_HTTP_PORT: "0",
        EIDER_LMTP_PORT: String(port),
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `Cannot listen on 127.0.0.1:${port}: port ${port} is already in use (another Eider?); set EIDER_LMTP_PORT (or EIDER_LMTP_HOST), or [lmtp] port / host in a --config file.\n`,
      );
    } finally {
      blocker.close();
    }
  });

  it("a stop lets the DATA in flight finish and get its reply, then closes the connection", async () => {
    const dataDir = tempDir();
    const t = await startTestEider({ dataDir });
    const port = t.eider.lmtp!.port;
    await createUser(t.url, "erin", ["erin@example.com"]);
    const idle = await RawLmtp.connect(port);
    const c = await RawLmtp.connect(port);
    await c.send("LHLO mx.test\r\nMAIL FROM:<s@remote.test>\r\nRCPT TO:<erin@example.com>\r\nDATA\r\n", 4);
    await c.write("Subject: in flight\r\n\r\nfirst half\r\n");
    const stopped = t.stop();
    // The idle connection is told at once; new connections are refused.
    expect((await idle.read(1))[0]).toMatch(/^421 4\.3\.2 /);
    await idle.closed;
    expect(await refused(port)).toBe(true);
    const replies = await c.send("second half\r\n.\r\n", 1);
    expect(replies[0]).toMatch(/^250 /);
    await c.closed;
    await stopped;
    // It was stored before the store closed: the server started again over the same folder has it.
    const again = await startTestEider({ dataDir });
    try {
      const login = await gqlOk(
        again.url,
        `mutation { login(username: "erin", password: "pw-erin-secret") { token } }`,
      );
      const boxes = await gqlOk(again.url, `{ mailboxes { path total } }`, {}, login.login.token);
      expect(boxes.mailboxes.find((b: { path: string }) => b.path === "INBOX").total).toBe(1);
    } finally {
      await again.stop();
    }
  });

  it("--only lmtp survives SIGHUP (Node's default would end it) and logs that there is nothing to reload", async () => {
    const { eider, lmtpPort } = await lmtpOnly("gil", { EIDER_LOG_LEVEL: "info" });
    try {
      eider.kill("SIGHUP");
      await expect.poll(() => eider.output(), { timeout: 10_000 }).toContain("nothing to reload");
      const r = await pythonLmtp(lmtpPort, {
        from: "s@remote.test",
        rcpts: ["gil@example.com"],
        data: Buffer.from("Subject: after the hangup\r\n\r\nstill here\r\n"),
      });
      expect(r.data.map(([code]) => code)).toEqual([250]);
    } finally {
      const run = await eider.stop();
      expect([run.code, run.signal]).toEqual([0, null]);
    }
  });

  it("--only lmtp with [lmtp] starttls: SIGHUP swaps the certificate STARTTLS presents", async () => {
    const { eider, lmtpPort, dataDir } = await lmtpOnly("hal", { EIDER_LMTP_STARTTLS: "true" });
    const cafile = path.join(dataDir, "tls", "self-signed.crt");
    /** The certificate an upgrade presents, if it verifies against cafile as it is now; "" if not. */
    const presented = () =>
      pythonLmtp(lmtpPort, {
        from: "s@remote.test",
        rcpts: ["hal@example.com"],
        data: Buffer.from("Subject: tls\r\n\r\nx\r\n"),
        starttlsCafile: cafile,
      }).then(
        (r) => r.tls!.peer_sha256,
        () => "",
      );
    try {
      expect(eider.banner).toContain(`LMTP (local delivery): 127.0.0.1:${lmtpPort} (STARTTLS)`);
      expect(await presented()).toBe(derSha256(readFileSync(cafile)));
      const other = tempDir();
      const next = await TlsCertificates.load({ dataDir: other, hostname: "localhost" });
      copyFileSync(path.join(other, "tls", "self-signed.key"), path.join(dataDir, "tls", "self-signed.key"));
      copyFileSync(path.join(other, "tls", "self-signed.crt"), cafile);
      eider.kill("SIGHUP");
      await expect.poll(presented, { timeout: 10_000 }).toBe(derSha256(next.pair().cert));
    } finally {
      expect((await eider.stop()).code).toBe(0);
    }
  });
});

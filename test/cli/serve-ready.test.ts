// `/health` is what scripts and load balancers wait for: once it answers, every part of the process must take
// connections (the API used to listen first, and a fuzz run that waited for /health met refused LMTP ports).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../harness/services.js";
import { EIDER_BIN, ensureBuild, REPO } from "./ensure-build.js";

const dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-serve-ready-"));
beforeAll(async () => {
  await ensureBuild();
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The first line the port sends, or the connection error. */
function greeting(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.setTimeout(10_000, () => socket.destroy(new Error("no greeting")));
    socket.once("data", (d: Buffer) => {
      socket.destroy();
      resolve(d.toString("latin1").split("\r\n")[0]);
    });
    socket.once("error", (err: NodeJS.ErrnoException) => resolve(`error: ${err.code ?? err.message}`));
  });
}

describe("eider serve: ready when /health answers", () => {
  it("LMTP, POP3, POP3S and IMAP all take connections the moment /health first answers 200", async () => {
    const [http, lmtp, pop3, pop3s, imap] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const child = spawn(process.execPath, [EIDER_BIN, "serve"], {
      cwd: REPO,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        EIDER_DATA_DIR: dataDir,
        EIDER_LOG_LEVEL: "warn",
        EIDER_HTTP_PORT: String(http),
        EIDER_LMTP_PORT: String(lmtp),
        EIDER_POP3_PORT: String(pop3),
        EIDER_POP3_TLS_PORT: String(pop3s),
        EIDER_IMAP_PORT: String(imap),
        EIDER_IMAP_TLS_PORT: "0",
        EIDER_SUBMISSION_PORT: "0",
        EIDER_SUBMISSION_TLS_PORT: "0",
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    try {
      // Polled without a pause worth the name, so the first 200 is seen as soon as the API listens.
      for (;;) {
        expect(child.exitCode, stderr).toBeNull();
        const ok = await fetch(`http://127.0.0.1:${http}/health`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ok) break;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const [l, p, i] = await Promise.all([greeting(lmtp), greeting(pop3), greeting(imap)]);
      expect(l).toMatch(/^220 /);
      expect(p).toMatch(/^\+OK/);
      expect(i).toMatch(/^\* OK \[CAPABILITY IMAP4rev1 /);
      const tls = await new Promise<string>((resolve) => {
        const socket = net.connect(pop3s, "127.0.0.1", () => {
          socket.destroy();
          resolve("connected");
        });
        socket.once("error", (err: NodeJS.ErrnoException) => resolve(`error: ${err.code}`));
      });
      expect(tls).toBe("connected");
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
  });
});

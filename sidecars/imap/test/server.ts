// The Eider the IMAP client tests talk to: users made with `eider user add` in a fresh data folder, then the
// server started in this process on free ports (IMAP with STARTTLS, LMTP to deliver with), and the CA file
// of the certificate it generated, for the clients that verify it.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "vitest";
import { ensureBuild } from "../../../test/cli/ensure-build.js";
import { runEider } from "../../../test/cli/run-eider.js";
import { startTestEider, type TestEider } from "../../../test/harness/eider.js";
import { pythonLmtp } from "../../lmtp/test/clients.js";

export const PASSWORD = "a long secret";

export interface ImapTestServer {
  t: TestEider;
  dataDir: string;
  imapPort: number;
  cafile: string;
  /** A folder removed at stop(). */
  tempDir(prefix: string): string;
  /** Delivers over LMTP as an MTA would; resolves once the 250 came. */
  deliver(username: string, data: Buffer): Promise<void>;
  stop(): Promise<void>;
}

export const addressOf = (username: string) => `${username}@example.org`;

export async function startImapTestServer(
  usernames: string[],
  env: Record<string, string> = {},
): Promise<ImapTestServer> {
  await ensureBuild();
  const dirs: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  const dataDir = tempDir("eider-imap-clients-");
  for (const name of usernames) {
    const add = await runEider(["user", "add", name, "--password", PASSWORD, "--address", addressOf(name)], {
      EIDER_DATA_DIR: dataDir,
      EIDER_LOG_LEVEL: "warn",
    });
    expect(add.code, add.stderr).toBe(0);
  }
  const t = await startTestEider({ dataDir, env });
  const lmtpPort = t.eider.lmtp!.port;
  return {
    t,
    dataDir,
    imapPort: t.eider.imap!.port,
    cafile: path.join(dataDir, "tls", "self-signed.crt"),
    tempDir,
    async deliver(username, data) {
      const r = await pythonLmtp(lmtpPort, {
        from: "sender@example.net",
        rcpts: [addressOf(username)],
        data,
        mailOptions: ["BODY=8BITMIME"],
      });
      expect(r.data).toEqual([[250, expect.any(String)]]);
    },
    async stop() {
      await t.stop();
      dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
    },
  };
}

/** A small message with CRLF line ends and a Message-ID of its own. */
export function message(id: string, subject: string, body = `Body of ${id}.`): Buffer {
  return Buffer.from(
    [
      "From: Sender <sender@example.net>",
      "To: someone@example.org",
      `Subject: ${subject}`,
      `Message-ID: <${id}@example.net>`,
      "Date: Tue, 01 Dec 2026 10:00:00 +0000",
      "",
      body,
      "",
    ].join("\r\n"),
  );
}

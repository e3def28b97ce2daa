// The generated admin token survives a failed first start: `eider serve` prints it at every start until a
// request has used it, `eider admin-token` shows it and `--rotate` replaces it. A taken port is one line.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, gql } from "../harness/eider.js";
import { ensureBuild } from "./ensure-build.js";
import { runEider, serveEider } from "./run-eider.js";

const USERS = `{ users { id } }`;
const tempDirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "eider-cli-token-"));
  tempDirs.push(dir);
  return dir;
};

beforeAll(async () => {
  await ensureBuild();
});
afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe("CLI: the admin token and a taken port", () => {
  it("a taken port is one line naming it and the option to change it (exit 1); the token is shown on the next start until used", async () => {
    const dataDir = tempDir();
    const tokenFile = path.join(dataDir, "admin-token");
    const env = { EIDER_DATA_DIR: dataDir, EIDER_LOG_LEVEL: "warn" };
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    let failed;
    try {
      failed = await runEider(["serve"], { ...env, EIDER_HTTP_PORT: String(port) });
    } finally {
      blocker.close();
    }
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(
      `Cannot listen on 127.0.0.1:${port}: port ${port} is already in use (another Eider?); set EIDER_HTTP_PORT (or EIDER_HTTP_HOST), or [http] port / host in a --config file.\n`,
    );
    expect(failed.stdout).not.toMatch(/^\s+at /m);

    // The failed start generated the token; the next start prints it, and so does the one after while unused.
    const token = readFileSync(tokenFile, "utf8").trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    const shows = `  Admin token: ${token}\n    (kept in ${tokenFile}; printed at every start until a request uses it;`;
    const first = await serveEider({ ...env, EIDER_HTTP_PORT: "0" });
    expect(first.banner).toContain(shows);
    expect((await first.stop()).code).toBe(0);
    const second = await serveEider({ ...env, EIDER_HTTP_PORT: "0" });
    expect(second.banner).toContain(shows);
    // An anonymous or wrong token is not a use of it.
    expect(errorCode(await gql(second.url, USERS, {}, "not-the-token"))).toBe("UNAUTHENTICATED");
    expect(errorCode(await gql(second.url, USERS))).toBe("FORBIDDEN");
    expect((await gql(second.url, USERS, {}, token)).errors).toBeUndefined();
    expect((await second.stop()).code).toBe(0);

    // Used once: later starts say where it is, not what it is.
    const third = await serveEider({ ...env, EIDER_HTTP_PORT: "0" });
    expect(third.banner).not.toContain(token);
    expect(third.banner).toContain(`  Admin token: in ${tokenFile} (eider admin-token shows it`);
    expect((await third.stop()).code).toBe(0);

    const shown = await runEider(["admin-token"], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toBe(`${token}\n`);
  });

  it("admin-token --rotate replaces the token: the next start prints and accepts the new one and refuses the old", async () => {
    const dataDir = tempDir();
    const env = { EIDER_DATA_DIR: dataDir, EIDER_LOG_LEVEL: "warn" };
    const created = await runEider(["admin-token"], env);
    expect(created.code).toBe(0);
    expect(created.stderr).toBe(`(generated just now into ${path.join(dataDir, "admin-token")})\n`);
    const old = created.stdout.trim();
    const before = await serveEider({ ...env, EIDER_HTTP_PORT: "0" });
    expect((await gql(before.url, USERS, {}, old)).errors).toBeUndefined(); // used: no longer printed
    expect((await before.stop()).code).toBe(0);

    const rotated = await runEider(["admin-token", "--rotate"], env);
    expect(rotated.code).toBe(0);
    const fresh = rotated.stdout.trim();
    expect(fresh).toMatch(/^\S{32,}$/);
    expect(fresh).not.toBe(old);
    expect(rotated.stderr).toMatch(/accepts the old one until it restarts/);
    expect(readFileSync(path.join(dataDir, "admin-token"), "utf8").trim()).toBe(fresh);

    const after = await serveEider({ ...env, EIDER_HTTP_PORT: "0" });
    expect(after.banner).toContain(`  Admin token: ${fresh}\n`); // a new token is unused, so printed again
    expect(errorCode(await gql(after.url, USERS, {}, old))).toBe("UNAUTHENTICATED");
    expect((await gql(after.url, USERS, {}, fresh)).errors).toBeUndefined();
    expect((await after.stop()).code).toBe(0);
  });

  it("a token set by the configuration is shown, not rotated, and serve does not print it", async () => {
    const env = { EIDER_DATA_DIR: tempDir(), EIDER_ADMIN_TOKEN: "configured-admin-token-0123456789" };
    const shown = await runEider(["admin-token"], env);
    expect(shown.stdout).toBe("configured-admin-token-0123456789\n");
    const rotate = await runEider(["admin-token", "--rotate"], env);
    expect(rotate.code).toBe(1);
    expect(rotate.stderr).toBe(
      "The admin token is set by the configuration (admin_token or EIDER_ADMIN_TOKEN); change it there.\n",
    );
    const serving = await serveEider({ ...env, EIDER_HTTP_PORT: "0", EIDER_LOG_LEVEL: "warn" });
    expect(serving.banner).not.toContain("configured-admin-token");
    expect(serving.banner).toContain("Admin token: the one set by admin_token / EIDER_ADMIN_TOKEN.");
    const stopped = await serving.stop();
    expect(stopped.code, JSON.stringify(stopped)).toBe(0);
  });
});

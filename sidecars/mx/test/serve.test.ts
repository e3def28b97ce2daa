// `eider serve` with [mx] enabled, as its own process: Haraka runs as its child in its process group, takes mail
// on the configured port, and stops when Eider stops.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureFreshBuild } from "../../../bin/fresh-build.js";
import {
  createUser,
  gqlOk,
  spawnEider,
  type SpawnedEider,
  type TestUser,
} from "../../../test/harness/eider.js";
import { freePort } from "../../../test/harness/services.js";
import { smtplibSend } from "./harness.js";

const psField = (pid: number, field: string) =>
  execFileSync("ps", ["-o", `${field}=`, "-p", String(pid)], { encoding: "utf8" }).trim();

describe("eider serve with the MX", () => {
  let e: SpawnedEider;
  let mxPort: number;
  let grace: TestUser;

  beforeAll(async () => {
    await ensureFreshBuild();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-mx-serve-"));
    const zone = path.join(dataDir, "zone.json");
    writeFileSync(zone, "{}");
    mxPort = await freePort();
    e = await spawnEider({
      dataDir,
      env: {
        EIDER_MX_ENABLED: "true",
        EIDER_MX_PORT: String(mxPort),
        EIDER_MX_SERVER_NAME: "mx.eider.test",
        EIDER_MX_DNS_ZONE_FILE: zone,
      },
    });
    grace = await createUser(e.url, "grace", ["grace@eider.test"]);
  }, 120_000);
  afterAll(async () => {
    if (e?.child.exitCode === null) await e.stop();
  });

  it("runs Haraka as a child in Eider's process group, takes mail on [mx] port, and stops it with Eider", async () => {
    const children = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(e.child.pid)], {
      encoding: "utf8",
    })
      .split("\n")
      .filter((l) => l.includes("haraka"));
    expect(children).toHaveLength(1);
    const haraka = Number(children[0].trim().split(/\s+/)[0]);
    expect(psField(haraka, "pgid")).toBe(psField(e.child.pid!, "pgid"));

    const data = Buffer.from(
      "From: a@remote.test\r\nSubject: via serve\r\nMessage-ID: <serve@remote.test>\r\n\r\nhi\r\n",
    );
    const r = await smtplibSend(mxPort, {
      from: "a@remote.test",
      rcpts: ["grace@eider.test", "nobody@eider.test"],
      data,
    });
    expect(r.rcpt.map(([code]) => code)).toEqual([250, 550]);
    expect(r.data?.[0]).toBe(250);
    const inbox = await gqlOk(
      e.url,
      `query($id: ID!) { mailbox(id: $id) { messages(first: 5) { edges { node { subject } } } } }`,
      { id: grace.inbox },
      grace.token,
    );
    expect(inbox.mailbox.messages.edges.map((x: { node: { subject: string } }) => x.node.subject)).toEqual([
      "via serve",
    ]);

    expect(await e.stop()).toBe(0);
    // Eider's stop waits for Haraka to exit.
    expect(() => process.kill(haraka, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
  });

  it("takes Haraka down when Eider is killed with SIGKILL (no stop of its own)", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-mx-kill-"));
    const killed = await spawnEider({
      dataDir,
      env: {
        EIDER_MX_ENABLED: "true",
        EIDER_MX_PORT: String(await freePort()),
        EIDER_MX_SERVER_NAME: "mx.eider.test",
      },
    });
    const [line] = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(killed.child.pid)], {
      encoding: "utf8",
    })
      .split("\n")
      .filter((l) => l.includes("haraka"));
    const haraka = Number(line.trim().split(/\s+/)[0]);
    killed.child.kill("SIGKILL");
    await killed.stop();
    // Haraka notices its parent is gone within its watch's period; wait for that, not for a fixed time.
    const deadline = Date.now() + 20_000;
    let alive = true;
    while (alive && Date.now() < deadline) {
      try {
        process.kill(haraka, 0);
        await new Promise((r) => setTimeout(r, 100));
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
  }, 60_000);
});

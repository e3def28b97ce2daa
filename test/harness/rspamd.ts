// A real Rspamd (Debian's) for tests, in the foreground without systemd (see shared/stack.md): its own config
// folder with free ports for every worker, DNS pointed at a port that never answers with a short timeout (no
// network here; rules that would wait on DNS give up at once), console logging. Skipped with the reason when
// rspamd is not installed or does not start.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./services.js";

export interface RunningRspamd {
  url: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 90_000;

/** Starts Rspamd; resolves with its normal worker's URL, or with the reason it cannot run here. */
export async function startRspamd(): Promise<RunningRspamd | { skip: string }> {
  if (spawnSync("rspamd", ["--version"]).status !== 0)
    return { skip: "rspamd is not installed (scripts/install-test-deps.sh installs it)" };
  const user = spawnSync("id", ["-u", "_rspamd"], { encoding: "utf8" });
  const group = spawnSync("id", ["-g", "_rspamd"], { encoding: "utf8" });
  if (user.status !== 0) return { skip: "the _rspamd user does not exist" };
  const dir = mkdtempSync(path.join(os.tmpdir(), "eider-rspamd-"));
  const [normal, controller, proxy, fuzzy] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const files: Record<string, string> = {
    "conf/override.d/worker-normal.inc": `bind_socket = "127.0.0.1:${normal}"; count = 1;\n`,
    "conf/override.d/worker-controller.inc": `bind_socket = "127.0.0.1:${controller}"; count = 1;\n`,
    "conf/override.d/worker-proxy.inc": `bind_socket = "127.0.0.1:${proxy}"; count = 1;\n`,
    "conf/override.d/worker-fuzzy.inc": `bind_socket = "127.0.0.1:${fuzzy}"; count = 0; enabled = false;\n`,
    "conf/override.d/logging.inc": `type = "console"; level = "error";\n`,
    "conf/local.d/options.inc": `dns { timeout = 0.1s; retransmits = 1; nameserver = ["127.0.0.1:9"]; }\n`,
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  for (const sub of ["db", "run", "log"]) mkdirSync(path.join(dir, sub));
  // Rspamd drops to _rspamd, which must write its folders.
  const uid = Number(user.stdout.trim());
  const gid = Number(group.stdout.trim());
  for (const sub of ["", "db", "run", "log"]) chownSync(path.join(dir, sub), uid, gid);
  const child: ChildProcess = spawn(
    "rspamd",
    [
      "-f",
      "-u",
      "_rspamd",
      "-g",
      "_rspamd",
      "-c",
      "/etc/rspamd/rspamd.conf",
      "--var",
      `LOCAL_CONFDIR=${dir}/conf`,
      "--var",
      `DBDIR=${dir}/db`,
      "--var",
      `RUNDIR=${dir}/run`,
      "--var",
      `LOGDIR=${dir}/log`,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${normal}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  // Ready when the normal worker answers /ping (its first start compiles rules: about 15 s).
  const deadline = Date.now() + START_TIMEOUT_MS;
  let gone = false;
  void exited.then(() => (gone = true));
  while (Date.now() < deadline && !gone) {
    const pong = await fetch(`${url}/ping`).then(
      (r) => r.ok,
      () => false,
    );
    if (pong) return { url, stop };
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  return {
    skip: `rspamd did not start: ${stderr.trim().split("\n").slice(-3).join(" | ") || "no answer on /ping"}`,
  };
}

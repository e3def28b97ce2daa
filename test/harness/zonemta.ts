// A real ZoneMTA (npm zone-mta 3.10) with the Eider plugin, for tests: its queue on the test FerretDB, its locks
// and counters on the test Redis, its one sending zone relaying to a host and port the test names (an
// smtp-server sink standing in for the recipients' MX). One sending instance only: ZoneMTA claims queue entries
// with findOneAndUpdate, which FerretDB does not make atomic, so two senders on one queue deliver some mail twice
// (stack.md); a real MongoDB has no such flaw.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { parse } from "smol-toml";
import { ensureBuild } from "../cli/ensure-build.js";
import { freePort } from "./services.js";

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const ZONEMTA_DIR = path.join(REPO, "node_modules/zone-mta");
const READY_TIMEOUT_MS = 60_000;

export interface ZoneMtaOptions {
  /** The MongoDB-protocol server; ZoneMTA's queue goes in a database of its own there. */
  mongodbUrl: string;
  redisUrl: string;
  /** The `EIDER_*` settings the plugin's core reads: the same store, bus and outbox login as the Eider under test. */
  eiderEnv: Record<string, string>;
  /** Where the sending zone delivers every message (the test's MX). */
  relayTo: { host: string; port: number };
  /** The feeder's port; default a free one. */
  port?: number;
  /** The feeder's size limit; default 10 MB. */
  maxSize?: number;
}

export interface TestZoneMta {
  /** The feeder port (SMTP with AUTH, cleartext: loopback only). */
  host: string;
  port: number;
  /** ZoneMTA's log so far (its own lines and the plugin's). */
  output(): string;
  stop(): Promise<void>;
}

/** Why ZoneMTA cannot run here, or undefined when it can. */
export function zoneMtaSkipReason(): string | undefined {
  if (!existsSync(path.join(ZONEMTA_DIR, "app.js"))) return "the zone-mta package is not installed";
  return undefined;
}

export async function startZoneMta(o: ZoneMtaOptions): Promise<TestZoneMta> {
  // ZoneMTA loads the plugin from dist/, so the build must be current.
  await ensureBuild();
  const dir = mkdtempSync(path.join(os.tmpdir(), "eider-zonemta-"));
  const [port, apiPort, queuePort] = [o.port ?? (await freePort()), await freePort(), await freePort()];
  const database = `zonemta_${path.basename(dir).replace(/[^A-Za-z0-9]/g, "_")}`;
  const mongo = new URL(o.mongodbUrl);
  mongo.pathname = `/${database}`;
  // The config README tells operators to use, with this test's stores, ports and MX in place of the real ones.
  const shipped = parse(readFileSync(path.join(REPO, "contrib/zonemta.toml"), "utf8")) as Table;
  const config = merge(shipped, {
    dbs: { mongo: mongo.toString(), sender: database, redis: redisWithDb(o.redisUrl, 7) },
    // The shipped path is relative to node_modules/zone-mta; this checkout's node_modules may be a link elsewhere.
    pluginsPath: path.join(REPO, "dist/sidecars/zonemta"),
    plugins: { "core/email-bounce": false }, // no bounce mail: nothing here receives it
    smtpInterfaces: { feeder: { port, processes: 1, maxSize: o.maxSize ?? 10 * 1024 * 1024 } },
    api: { port: apiPort },
    queueServer: { port: queuePort },
    dns: { caching: false },
    mtaSts: { enabled: false },
    zones: {
      default: { host: o.relayTo.host, port: o.relayTo.port, processes: 1, connections: 1 },
      bounces: { disabled: true },
    },
  });
  const file = path.join(dir, "zonemta.json");
  writeFileSync(file, JSON.stringify(config, null, 2));
  const child = spawn(process.execPath, ["app.js", `--config=${file}`], {
    cwd: ZONEMTA_DIR, // its built-in plugins load from ./plugins/core of the folder it starts in
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...o.eiderEnv },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group: stop() ends the receiver and sender processes it forks too
  });
  let log = "";
  const keep = (d: Buffer) => (log = (log + d.toString()).slice(-200_000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    await stopGroup(child, exited);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(
      () => /Eider core open/.test(log) && /Starting sending for default/.test(log),
      () => child.exitCode !== null,
      () =>
        `ZoneMTA did not start (${child.exitCode === null ? "timed out" : `exit ${child.exitCode}`}):\n${log.slice(-4000)}`,
    );
    await waitForGreeting(port);
  } catch (err) {
    await stop();
    throw err;
  }
  return { host: "127.0.0.1", port, output: () => log, stop };
}

type Table = Record<string, unknown>;

/** `over` laid on `base`, table by table. */
function merge(base: Table, over: Table): Table {
  const out: Table = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const under = out[key];
    out[key] = isTable(value) && isTable(under) ? merge(under, value) : value;
  }
  return out;
}

const isTable = (v: unknown): v is Table => typeof v === "object" && v !== null && !Array.isArray(v);

function redisWithDb(url: string, db: number): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function stopGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, s);
    } catch {
      // the group is gone already
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
  signal("SIGKILL"); // a receiver or sender that outlived its master
}

async function waitUntil(ready: () => boolean, failed: () => boolean, why: () => string): Promise<void> {
  const t0 = Date.now();
  while (!ready()) {
    if (failed() || Date.now() - t0 > READY_TIMEOUT_MS) throw new Error(why());
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves once the feeder answers with its 220 greeting (the receiver process took the connection). */
async function waitForGreeting(port: number): Promise<void> {
  const greeting = () =>
    new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.setTimeout(2_000, () => socket.destroy());
      socket.once("data", (d) => {
        socket.end("QUIT\r\n");
        resolve(d.toString().startsWith("220"));
      });
      socket.once("error", () => resolve(false));
      socket.once("close", () => resolve(false));
    });
  const t0 = Date.now();
  while (!(await greeting())) {
    if (Date.now() - t0 > READY_TIMEOUT_MS) throw new Error(`ZoneMTA's feeder on ${port} never greeted`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// The cost of IMAP SELECT on a large INBOX inside one process: the sidecar's SelectedView.open (the core's
// open, the store's read, the view) plus what the SELECT answer computes, timed `runs` times with wall and
// CPU time, median printed. The mailbox is filled once into DATA_DIR (bench/lib/fill.ts) and kept for reruns.
//   npx tsx bench/imap/select-cost.ts DATA_DIR [messages=100000] [runs=15]
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { ADMIN } from "../../src/core/index.js";
import { openCore } from "../../src/main.js";
import { SelectedView } from "../../sidecars/imap/selected.js";
import { configFor } from "../lib/eider-process.js";
import { fillMailbox } from "../lib/fill.js";

const USER = "big";
const [dataDir, total = "100000", runsArg = "15"] = process.argv.slice(2);
if (!dataDir) throw new Error("Usage: select-cost.ts DATA_DIR [messages] [runs]");
const setup = { dataDir };
if (!existsSync(`${dataDir}/filled`)) {
  const fill = await fillMailbox(setup, USER, Number(total), 200);
  console.log(`filled ${fill.messages} in ${fill.seconds} s`);
  (await import("node:fs")).writeFileSync(`${dataDir}/filled`, "");
}
const { core } = await openCore(configFor(setup));
const user = await core.users.findByName(ADMIN, USER);
const principal = { kind: "user", userId: user.id } as const;
const wall: number[] = [];
const cpu: number[] = [];
let exists = 0;
for (let i = 0; i < Number(runsArg); i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const { view } = await SelectedView.open(core, principal, "INBOX", { readOnly: true });
  exists = view.uids().length;
  view.knownKeywords();
  wall.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
  await view.close();
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1].toFixed(1);
console.log(
  `SELECT INBOX (${exists} EXISTS), ${wall.length} runs: wall median ${med(wall)} ms (first ${wall[0].toFixed(1)}), ` +
    `CPU median ${med(cpu)} ms (first ${cpu[0].toFixed(1)}); load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
);
await core.close();

// MX delivery rate: the corpus messages over SMTP through Haraka with the Eider plugin (SPF/DKIM/DMARC with DNS
// from a zone file, no Rspamd) into Eider's store, 4 connections, one recipient per message, the same client as
// the LMTP benchmark; beside it, in the same run, Eider's LMTP alone and Dovecot's LMTP alone (the floor: the MX
// adds a second SMTP hop, a parse and the checks). The CPU time counts Eider's whole process tree (Haraka is its
// child).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { corpusMessages } from "../support/corpus.js";
import { freePort } from "../support/services.js";
import { dovecotMissing, startDovecot } from "./lib/dovecot.js";
import { addUser, spawnEider, type StoreSetup } from "./lib/eider-process.js";
import { attempt, type Outcome } from "./lib/outcome.js";
import { waitForPorts } from "./lib/ports.js";
import { treeCpuSeconds } from "./lib/proc.js";
import { dataBytes } from "./lib/reply-reader.js";
import { progress } from "./lib/stats.js";
import { deliverAll, type LmtpRun } from "./lmtp.js";

export interface MxResult {
  messages: number;
  connections: number;
  mx: Outcome<LmtpRun>;
  eiderLmtp: Outcome<LmtpRun>;
  dovecotLmtp: Outcome<LmtpRun> | { skipped: string };
}

const CONNECTIONS = 4;
const DOMAIN = "bench.example";

export async function benchMx(messages: number, setup: StoreSetup): Promise<MxResult> {
  const data = corpusMessages(messages).map(dataBytes);
  progress(`  mx: ${messages} corpus messages, ${CONNECTIONS} connections`);
  for (const u of ["mx", "lmtp"]) addUser(setup, u, "bench-password-1", [`${u}@${DOMAIN}`]);
  // The bench sender's domain answers from the zone: no look-up waits on a network that is not there.
  const zone = path.join(setup.dataDir, "mx-zone.json");
  writeFileSync(zone, JSON.stringify({ "bench.example": { TXT: ["v=spf1 ip4:127.0.0.1 -all"] } }));
  const [mxPort, lmtpPort] = [await freePort(), await freePort()];
  const eider = await spawnEider({
    ...setup,
    env: {
      ...setup.env,
      EIDER_MX_ENABLED: "true",
      EIDER_MX_PORT: String(mxPort),
      EIDER_MX_DNS_ZONE_FILE: zone,
      EIDER_MX_SERVER_NAME: "mx.bench.example",
      // The bench sends far more than a recipient's 60 a minute from one address.
      EIDER_MX_RECIPIENT_MESSAGES: "0",
      EIDER_MX_CLIENT_MESSAGES: "0",
      EIDER_LMTP_PORT: String(lmtpPort),
      EIDER_POP3_ENABLED: "false",
      EIDER_IMAP_ENABLED: "false",
    },
  });
  const cpu = () => treeCpuSeconds(eider.pid);
  let result: MxResult;
  try {
    await waitForPorts([mxPort, lmtpPort]);
    const mx = await attempt("Eider MX", () =>
      deliverAll(mxPort, `mx@${DOMAIN}`, data, CONNECTIONS, cpu, "EHLO"),
    );
    progress(`    Haraka + Eider plugin: ${line(mx)}`);
    const eiderLmtp = await attempt("Eider LMTP", () =>
      deliverAll(lmtpPort, `lmtp@${DOMAIN}`, data, CONNECTIONS, cpu),
    );
    progress(`    Eider LMTP alone: ${line(eiderLmtp)}`);
    result = { messages, connections: CONNECTIONS, mx, eiderLmtp, dovecotLmtp: { skipped: "" } };
  } finally {
    await eider.stop();
  }
  const missing = dovecotMissing();
  if (missing) {
    result.dovecotLmtp = { skipped: missing };
    return result;
  }
  const dv = await startDovecot([{ name: "mx", password: "bench-password-1" }]);
  try {
    result.dovecotLmtp = await attempt("Dovecot LMTP", () =>
      deliverAll(dv.lmtpPort, `mx@${DOMAIN}`, data, CONNECTIONS, () => treeCpuSeconds(dv.pid)),
    );
    progress(`    Dovecot LMTP alone: ${line(result.dovecotLmtp as Outcome<LmtpRun>)}`);
  } finally {
    await dv.stop();
  }
  return result;
}

function line(run: Outcome<LmtpRun>): string {
  return "error" in run
    ? run.error
    : `${run.messagesPerSecond} msg/s, p50 ${run.latency.p50Ms} ms, p99 ${run.latency.p99Ms} ms, CPU ${run.cpuMsPerMessage} ms/msg`;
}

/** The README row: the three rates side by side. */
export function mxTable(r: MxResult): string {
  const cell = (run: Outcome<LmtpRun> | { skipped: string }) =>
    "skipped" in run
      ? `skipped (${run.skipped})`
      : "error" in run
        ? `failed (${run.error})`
        : `${run.messagesPerSecond} msg/s (p50 ${run.latency.p50Ms} ms, CPU ${run.cpuMsPerMessage} ms/msg)`;
  return [
    `| ${r.messages} corpus messages, ${r.connections} connections | messages/s |`,
    "|---|---|",
    `| Haraka + Eider plugin (SMTP -> LMTP -> store) | ${cell(r.mx)} |`,
    `| Eider LMTP alone | ${cell(r.eiderLmtp)} |`,
    `| Dovecot LMTP alone | ${cell(r.dovecotLmtp)} |`,
  ].join("\n");
}

// LMTP and POP3 side by side with Debian's Dovecot (maildir, mail_fsync = always) in the same run, the same
// message bytes and the same client code for both:
// - LMTP delivery of the corpus messages with 1 and 4 connections, each in `rounds` rounds that alternate
//   which server goes first (the machine is shared: the spread between rounds is the noise);
// - POP3 RETR of the first round's 1-connection maildrop over one session, every message checked;
// - memory for 1,000 idle POP3 sessions, just connected and logged in (Eider: the process's RSS; Dovecot: the
//   PSS of all its processes, one login and one pop3 process per session), each on its default settings.
// Eider on FerretDB + Redis gets the same LMTP measurement in one round (it measures FerretDB).
import { corpusMessages } from "../support/corpus.js";
import { dovecotMissing, startDovecot, type RunningDovecot } from "./lib/dovecot.js";
import { addUser, spawnEider, type EiderProcess, type StoreSetup } from "./lib/eider-process.js";
import { pssMB, rssMB, treeCpuSeconds } from "./lib/proc.js";
import { freePort } from "../support/services.js";
import { canonical, dataBytes } from "./lib/reply-reader.js";
import { waitForPorts } from "./lib/ports.js";
import { progress } from "./lib/stats.js";
import { attempt, type Outcome } from "./lib/outcome.js";
import { deliverAll, type LmtpRun } from "./lmtp.js";
import { idleSessions, retrieveAll, type IdleSessionsResult, type RetrieveResult } from "./pop3.js";

export interface VersusSizes {
  messages: number;
  rounds: number;
  idleSessions: number;
  /** Messages for Eider on FerretDB (one round). */
  clusterMessages: number;
}

export interface ServerColumn {
  label: string;
  /** Every run, in the order run: round by round, 1 then 4 connections. */
  lmtp: Outcome<LmtpRun[]>;
  retrieve?: Outcome<RetrieveResult>;
  idle?: Outcome<IdleSessionsResult>;
}

export interface VersusDovecotResult {
  messages: number;
  megabytes: number;
  rounds: number;
  embedded: ServerColumn;
  dovecot: ServerColumn | { label: string; skipped: string };
  ferretdb?: ServerColumn | { label: string; skipped: string };
}

export const CONNECTIONS = [1, 4];
const PASSWORD = "bench-password-1";
const DOMAIN = "bench.example";
const userName = (round: number, connections: number) => `r${round}c${connections}`;

/** One server under test: where its LMTP and POP3 listen. */
interface Target {
  label: string;
  lmtpPort: number;
  pop3Port: number;
  /** The CPU seconds its processes have used. */
  cpuSeconds: () => number;
}

export async function benchVersusDovecot(
  sizes: VersusSizes,
  embeddedSetup: StoreSetup,
  clusterSetup: StoreSetup | { skipped: string },
): Promise<VersusDovecotResult> {
  const corpus = corpusMessages(sizes.messages);
  const data = corpus.map(dataBytes);
  const stored = corpus.map(canonical);
  const megabytes = Math.round(data.reduce((n, d) => n + d.length, 0) / 1e4) / 100;
  const users = Array.from({ length: sizes.rounds }, (_, r) => CONNECTIONS.map((c) => userName(r, c))).flat();

  const embedded: ServerColumn = { label: "Eider, embedded store", lmtp: [] };
  const missing = dovecotMissing();
  let dovecot: VersusDovecotResult["dovecot"] = { label: "Dovecot", skipped: missing ?? "" };
  if (missing) progress(`  SKIPPED Dovecot: ${missing}`);

  progress(`  lmtp/pop3: ${sizes.messages} corpus messages (${megabytes} MB), ${sizes.rounds} round(s)`);
  for (const u of users) addUser(embeddedSetup, u, PASSWORD, [`${u}@${DOMAIN}`]);
  const eider = await spawnEiderWithMail(embeddedSetup, {
    EIDER_POP3_LISTING_SIZE: String(sizes.messages),
  });
  let dv: RunningDovecot | null = null;
  try {
    if (!missing) {
      dv = await startDovecot(users.map((name) => ({ name, password: PASSWORD })));
      dovecot = { label: `Dovecot ${dv.version.split(" ")[0]} (maildir, fsync always)`, lmtp: [] };
    }
    const targets: Array<[ServerColumn, Target]> = [
      [embedded, { ...eider, label: embedded.label, cpuSeconds: () => treeCpuSeconds(eider.pid) }],
    ];
    if (dv && "lmtp" in dovecot) {
      const d = dv;
      targets.push([dovecot, { ...d, label: dovecot.label, cpuSeconds: () => treeCpuSeconds(d.pid) }]);
    }

    for (let round = 0; round < sizes.rounds; round++)
      for (const connections of CONNECTIONS) {
        // Alternate which server goes first, so a drift in the machine's speed falls on both.
        const order = (round + connections) % 2 === 0 ? targets : [...targets].reverse();
        for (const [column, target] of order) {
          const run = await attempt(`${target.label} LMTP`, () =>
            deliverAll(
              target.lmtpPort,
              `${userName(round, connections)}@${DOMAIN}`,
              data,
              connections,
              target.cpuSeconds,
            ),
          );
          if ("error" in run) column.lmtp = run;
          else if (Array.isArray(column.lmtp)) column.lmtp.push(run);
          progress(
            `    ${target.label}, ${connections} connection(s): ${"error" in run ? run.error : `${run.messagesPerSecond} msg/s, p50 ${run.latency.p50Ms} ms, p99 ${run.latency.p99Ms} ms, CPU ${run.cpuMsPerMessage} ms/msg`}`,
          );
        }
      }

    for (const [column, target] of targets) {
      column.retrieve = await attempt(`${target.label} RETR`, () =>
        retrieveAll(target.pop3Port, userName(0, 1), PASSWORD, stored),
      );
      progress(`    ${target.label}, POP3 RETR of the maildrop: ${JSON.stringify(column.retrieve)}`);
    }
    if (dv && "lmtp" in dovecot) {
      const d = dv;
      dovecot.idle = await attempt("Dovecot idle sessions", () =>
        idleSessions(d.pop3Port, userName(0, 4), PASSWORD, sizes.idleSessions, () => pssMB(d.processes())),
      );
      progress(`    ${dovecot.label}, idle POP3 sessions: ${JSON.stringify(dovecot.idle)}`);
    }
  } finally {
    await Promise.all([eider.stop(), dv?.stop()]);
  }

  // Idle sessions on Eider's default settings (a listing of the newest 250), room for the sessions made.
  const idleEider = await spawnEiderWithMail(embeddedSetup, {
    EIDER_POP3_MAX_CONNECTIONS: String(sizes.idleSessions + 100),
  });
  try {
    embedded.idle = await attempt("Eider idle sessions", () =>
      idleSessions(idleEider.pop3Port, userName(0, 4), PASSWORD, sizes.idleSessions, () =>
        rssMB(idleEider.pid),
      ),
    );
    progress(`    ${embedded.label}, idle POP3 sessions: ${JSON.stringify(embedded.idle)}`);
  } finally {
    await idleEider.stop();
  }

  const result: VersusDovecotResult = {
    messages: sizes.messages,
    megabytes,
    rounds: sizes.rounds,
    embedded,
    dovecot,
  };
  result.ferretdb =
    "skipped" in clusterSetup
      ? { label: "Eider, FerretDB + Redis", skipped: clusterSetup.skipped }
      : await clusterColumn(clusterSetup, corpus.slice(0, sizes.clusterMessages));
  return result;
}

/** Eider on FerretDB + Redis: LMTP with 1 and 4 connections, one round. */
async function clusterColumn(setup: StoreSetup, corpus: Buffer[]): Promise<ServerColumn> {
  const column: ServerColumn = { label: "Eider, FerretDB + Redis", lmtp: [] };
  const data = corpus.map(dataBytes);
  for (const c of CONNECTIONS) addUser(setup, userName(0, c), PASSWORD, [`${userName(0, c)}@${DOMAIN}`]);
  const eider = await spawnEiderWithMail(setup, {});
  try {
    const runs: LmtpRun[] = [];
    for (const connections of CONNECTIONS) {
      const run = await attempt(`${column.label} LMTP`, () =>
        deliverAll(eider.lmtpPort, `${userName(0, connections)}@${DOMAIN}`, data, connections, () =>
          treeCpuSeconds(eider.pid),
        ),
      );
      if ("error" in run) {
        column.lmtp = run;
        return column;
      }
      runs.push(run);
      progress(
        `    ${column.label}, ${connections} connection(s): ${run.messagesPerSecond} msg/s, p50 ${run.latency.p50Ms} ms, p99 ${run.latency.p99Ms} ms (${corpus.length} msgs)`,
      );
    }
    // No RETR here: on FerretDB's SQLite handler 100 RETRs and their QUIT ran past 8 minutes (2026-12-01).
    column.lmtp = runs;
  } finally {
    await eider.stop();
  }
  return column;
}

/** An Eider child with its LMTP and POP3 listeners on ports known here (elsewhere they take any free port). */
async function spawnEiderWithMail(
  setup: StoreSetup,
  env: Record<string, string>,
): Promise<EiderProcess & { lmtpPort: number; pop3Port: number }> {
  const [lmtpPort, pop3Port] = [await freePort(), await freePort()];
  const eider = await spawnEider({
    ...setup,
    env: {
      ...setup.env,
      ...env,
      EIDER_LMTP_PORT: String(lmtpPort),
      EIDER_POP3_PORT: String(pop3Port),
      EIDER_IMAP_PORT: "0",
      EIDER_IMAP_TLS_PORT: "0",
      EIDER_SUBMISSION_PORT: "0",
      EIDER_SUBMISSION_TLS_PORT: "0",
    },
  });
  try {
    await waitForPorts([lmtpPort, pop3Port]);
  } catch (err) {
    await eider.stop();
    throw err;
  }
  return { ...eider, lmtpPort, pop3Port };
}

// IMAP side by side with Debian's Dovecot (maildir) in the same run, the same messages and the same raw client
// for both (lib/imap-client.ts; imap/ holds each measurement):
// - FETCH 1:* (BODY.PEEK[]) of a 2,000-corpus-message INBOX delivered over LMTP, every message checked;
// - a mixed-command stress (each client loops a whole session), commands/s; Dovecot twice: with {PLAIN}
//   passwords (its cheapest login) and with BLF-CRYPT (cost 10, about the time of Eider's scrypt check);
// - SELECT, UID SEARCH TEXT and UID SORT (REVERSE DATE) on a 100,000-message INBOX (Eider's filled through the
//   core before the server starts, Dovecot's maildir written directly);
// - push latency, LMTP 250 to the IDLE session's EXISTS;
// - memory for 1,000 sessions in IDLE (Eider: the process's RSS, in a fresh process; Dovecot: the summed PSS
//   of its processes, and their summed RSS).
// Eider on FerretDB + Redis gets FETCH of fewer messages and the push latency across two processes (it measures
// FerretDB, not MongoDB).
import { execFileSync } from "node:child_process";
import { corpusMessages } from "../support/corpus.js";
import { freePort } from "../support/services.js";
import { bigMailboxQueries, type BigMailboxResult } from "./imap/big-mailbox.js";
import { fetchAll, type FetchResult } from "./imap/fetch.js";
import { idleMemory, type IdleMemoryResult } from "./imap/idle-memory.js";
import { notificationLatency, type NotifyResult } from "./imap/notify.js";
import { stress, type StressResult } from "./imap/stress.js";
import { dovecotMissing, startDovecot, type DovecotUser, type RunningDovecot } from "./lib/dovecot.js";
import { addUser, spawnEider, type EiderProcess, type StoreSetup } from "./lib/eider-process.js";
import { fillMailbox } from "./lib/fill.js";
import { PASSWORD as FILL_PASSWORD } from "./lib/graphql.js";
import { writeMaildir } from "./lib/maildir.js";
import { waitForPorts } from "./lib/ports.js";
import { pssMB, rssMB, rssSumMB, treeCpuSeconds } from "./lib/proc.js";
import { canonical, dataBytes } from "./lib/reply-reader.js";
import { progress } from "./lib/stats.js";
import { attempt, type Outcome } from "./lib/outcome.js";
import { deliverAll } from "./lmtp.js";
import path from "node:path";

export interface ImapSizes {
  fetchMessages: number;
  fetchRepeats: number;
  stressClients: number;
  stressLoops: number;
  /** Corpus messages in each stress client's INBOX (the loop keeps the count). */
  stressMailbox: number;
  bigMailbox: number;
  /** Distinct generated messages in the big mailbox; the rest are copies. */
  bigSeed: number;
  bigRepeats: number;
  notifications: number;
  idleSessions: number;
  idleUsers: number;
  clusterMessages: number;
  clusterNotifications: number;
}

type Skipped = { label: string; skipped: string };

export interface ImapColumn {
  label: string;
  /** Why the server could not be started for the measurements on the shared users (each is then missing). */
  failed?: string;
  fetch?: Outcome<FetchResult>;
  stress?: Outcome<StressResult>;
  /** Dovecot only: the stress with BLF-CRYPT passwords. */
  stressHashed?: Outcome<StressResult>;
  bigMailbox?: Outcome<BigMailboxResult>;
  notify?: Outcome<NotifyResult>;
  /** FerretDB + Redis only: the IDLE session on a second Eider process. */
  crossProcess?: boolean;
  idle?: Outcome<IdleMemoryResult>;
}

export interface ImapResult {
  sizes: ImapSizes;
  /** The fetched corpus, as delivered. */
  fetchMegabytes: number;
  embedded: ImapColumn;
  dovecot: ImapColumn | Skipped;
  ferretdb: ImapColumn | Skipped;
}

const PASSWORD = "bench-password-1";
const DOMAIN = "bench.example";
/** bcrypt's cost for Dovecot's hashed users: about the 60-100 ms of Eider's scrypt (N=2^15) on this machine. */
const BCRYPT_COST = 10;
const FETCH_USER = "imapfetch";
const NOTIFY_USER = "imapnotify";
const BIG_USER = "imapbig";
const stressUser = (i: number) => `imapstress${i}`;
const hashedUser = (i: number) => `imaphashed${i}`;
const idleUser = (i: number) => `imapidle${i}`;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** One server under test. */
interface Target {
  label: string;
  imapPort: number;
  lmtpPort: number;
  cpuSeconds: () => number;
}

export async function benchImap(
  sizes: ImapSizes,
  setup: (measurement: string) => StoreSetup,
  clusterSetup: ((measurement: string) => StoreSetup) | { skipped: string },
): Promise<ImapResult> {
  const corpus = corpusMessages(sizes.fetchMessages);
  const fetchData = corpus.map(dataBytes);
  const fetchStored = corpus.map(canonical);
  const fetchMegabytes = Math.round(fetchData.reduce((n, d) => n + d.length, 0) / 1e4) / 100;
  const embedded: ImapColumn = { label: "Eider, embedded store" };
  const missing = dovecotMissing();
  let dovecot: ImapColumn | Skipped = { label: "Dovecot", skipped: missing ?? "" };
  if (missing) progress(`  SKIPPED Dovecot: ${missing}`);

  const stressUsers = range(sizes.stressClients).map(stressUser);
  const idleUsers = range(sizes.idleUsers).map(idleUser);
  const users = [FETCH_USER, NOTIFY_USER, ...stressUsers, ...idleUsers];
  const eiderSetup = setup("imap");
  progress(`  imap: ${users.length} users (eider user add)`);
  for (const u of users) addUser(eiderSetup, u, PASSWORD, [`${u}@${DOMAIN}`]);

  const started = await attempt("Eider start", () => spawnEiderWithImap(eiderSetup));
  const eider = "error" in started ? null : started;
  if ("error" in started) embedded.failed = started.error;
  let dv: RunningDovecot | null = null;
  try {
    const targets: Array<[ImapColumn, Target]> = [];
    if (eider)
      targets.push([
        embedded,
        { ...eider, label: embedded.label, cpuSeconds: () => treeCpuSeconds(eider.pid) },
      ]);
    if (!missing) {
      const hash = execFileSync(
        "doveadm",
        ["pw", "-s", "BLF-CRYPT", "-r", String(BCRYPT_COST), "-p", PASSWORD],
        { encoding: "utf8" },
      ).trim();
      const dovecotUsers: DovecotUser[] = [
        ...users.map((name) => ({ name, password: PASSWORD })),
        ...range(sizes.stressClients).map((i) => ({ name: hashedUser(i), password: PASSWORD, stored: hash })),
      ];
      dv = await startDovecot(dovecotUsers);
      const d = dv;
      dovecot = { label: `Dovecot ${d.version.split(" ")[0]} (maildir)` };
      targets.push([dovecot, { ...d, label: dovecot.label, cpuSeconds: () => treeCpuSeconds(d.pid) }]);
    }

    progress(`  FETCH 1:* (BODY.PEEK[]): ${sizes.fetchMessages} corpus messages (${fetchMegabytes} MB)`);
    for (const [column, t] of targets) {
      column.fetch = await attempt(`${t.label} FETCH`, async () => {
        // One connection: message n of the INBOX is then corpus message n.
        await deliverAll(t.lmtpPort, `${FETCH_USER}@${DOMAIN}`, fetchData, 1, t.cpuSeconds);
        return fetchAll(t.imapPort, FETCH_USER, PASSWORD, fetchStored, sizes.fetchRepeats);
      });
      progress(`    ${t.label}: ${JSON.stringify(column.fetch)}`);
    }

    progress(`  stress: ${sizes.stressClients} clients x ${sizes.stressLoops} sessions`);
    const seed = fetchData.slice(0, sizes.stressMailbox);
    const appended = fetchStored[fetchStored.length - 1];
    for (const [column, t] of targets) {
      const runs: Array<[keyof ImapColumn & ("stress" | "stressHashed"), string[]]> = [
        ["stress", stressUsers],
      ];
      if (column === dovecot) runs.push(["stressHashed", range(sizes.stressClients).map(hashedUser)]);
      for (const [key, names] of runs) {
        column[key] = await attempt(`${t.label} stress`, async () => {
          for (const u of names) await deliverAll(t.lmtpPort, `${u}@${DOMAIN}`, seed, 1, t.cpuSeconds);
          return stress(t.imapPort, names, PASSWORD, appended, sizes.stressLoops, t.cpuSeconds);
        });
        progress(`    ${t.label} (${key}): ${JSON.stringify(column[key])}`);
      }
    }

    progress(`  push latency: ${sizes.notifications} deliveries, LMTP 250 to IDLE EXISTS`);
    const notifyData = fetchData.slice(0, sizes.notifications);
    for (const [column, t] of targets) {
      column.notify = await attempt(`${t.label} push latency`, () =>
        notificationLatency(
          t.imapPort,
          t.lmtpPort,
          NOTIFY_USER,
          PASSWORD,
          `${NOTIFY_USER}@${DOMAIN}`,
          notifyData,
        ),
      );
      progress(`    ${t.label}: ${JSON.stringify(column.notify)}`);
    }

    if (dv && !("skipped" in dovecot)) {
      const d = dv;
      dovecot.idle = await attempt("Dovecot idle sessions", () =>
        idleMemory(d.imapPort, idleUsers, PASSWORD, sizes.idleSessions, () => ({
          pss: pssMB(d.processes()),
          rssSum: rssSumMB(d.processes()),
        })),
      );
      progress(
        `    ${dovecot.label}, ${sizes.idleSessions} sessions in IDLE: ${JSON.stringify(dovecot.idle)}`,
      );
    }
  } finally {
    await Promise.all([eider?.stop(), dv?.stop()]);
  }

  // A fresh process on its default settings, so the heap of the measurements above is not counted.
  embedded.idle = await attempt("Eider idle sessions", async () => {
    const idleEider = await spawnEiderWithImap(eiderSetup);
    try {
      return await idleMemory(idleEider.imapPort, idleUsers, PASSWORD, sizes.idleSessions, () => ({
        rss: rssMB(idleEider.pid),
      }));
    } finally {
      await idleEider.stop();
    }
  });
  progress(`    ${embedded.label}, ${sizes.idleSessions} sessions in IDLE: ${JSON.stringify(embedded.idle)}`);

  progress(`  ${sizes.bigMailbox}-message INBOX: SELECT, UID SEARCH TEXT, UID SORT`);
  embedded.bigMailbox = await attempt("Eider big mailbox", () => eiderBigMailbox(sizes, setup("imapbig")));
  progress(`    ${embedded.label}: ${JSON.stringify(embedded.bigMailbox)}`);
  if (!("skipped" in dovecot)) {
    dovecot.bigMailbox = await attempt("Dovecot big mailbox", () => dovecotBigMailbox(sizes));
    progress(`    ${dovecot.label}: ${JSON.stringify(dovecot.bigMailbox)}`);
  }

  const ferretdb =
    "skipped" in clusterSetup
      ? { label: "Eider, FerretDB + Redis", skipped: clusterSetup.skipped }
      : await attempt("Eider on FerretDB + Redis", () => clusterColumn(sizes, clusterSetup("imap"), corpus));
  if ("error" in ferretdb)
    return {
      sizes,
      fetchMegabytes,
      embedded,
      dovecot,
      ferretdb: { label: "Eider, FerretDB + Redis", failed: ferretdb.error },
    };
  return { sizes, fetchMegabytes, embedded, dovecot, ferretdb };
}

async function eiderBigMailbox(sizes: ImapSizes, s: StoreSetup): Promise<BigMailboxResult> {
  const fill = await fillMailbox(s, BIG_USER, sizes.bigMailbox, sizes.bigSeed);
  const eider = await spawnEiderWithImap(s);
  try {
    return await bigMailboxQueries(
      eider.imapPort,
      BIG_USER,
      FILL_PASSWORD,
      sizes.bigRepeats,
      sizes.bigMailbox,
      `${fill.seed} ingested through the core and copied to ${fill.messages} in ${fill.seconds} s`,
    );
  } finally {
    await eider.stop();
  }
}

async function dovecotBigMailbox(sizes: ImapSizes): Promise<BigMailboxResult> {
  const d = await startDovecot([{ name: BIG_USER, password: FILL_PASSWORD }], { removeInBackground: true });
  try {
    const t0 = performance.now();
    writeMaildir(path.join(d.mailRoot, BIG_USER), sizes.bigMailbox, sizes.bigSeed, d.mailOwner);
    const seconds = Math.round((performance.now() - t0) / 100) / 10;
    return await bigMailboxQueries(
      d.imapPort,
      BIG_USER,
      FILL_PASSWORD,
      sizes.bigRepeats,
      sizes.bigMailbox,
      `maildir files written in ${seconds} s (Dovecot indexes them at the first SELECT)`,
    );
  } finally {
    await d.stop();
  }
}

/** Eider on FerretDB + Redis: FETCH of fewer messages, and push latency with IDLE on a second process. */
async function clusterColumn(sizes: ImapSizes, s: StoreSetup, corpus: Buffer[]): Promise<ImapColumn> {
  const column: ImapColumn = { label: "Eider, FerretDB + Redis", crossProcess: true };
  const messages = corpus.slice(0, sizes.clusterMessages);
  for (const u of [FETCH_USER, NOTIFY_USER]) addUser(s, u, PASSWORD, [`${u}@${DOMAIN}`]);
  const [a, b] = [await spawnEiderWithImap(s), await spawnEiderWithImap(s)];
  try {
    column.fetch = await attempt(`${column.label} FETCH`, async () => {
      await deliverAll(a.lmtpPort, `${FETCH_USER}@${DOMAIN}`, messages.map(dataBytes), 1, () => 0);
      return fetchAll(a.imapPort, FETCH_USER, PASSWORD, messages.map(canonical), sizes.fetchRepeats);
    });
    progress(`    ${column.label}: ${JSON.stringify(column.fetch)}`);
    column.notify = await attempt(`${column.label} push latency`, () =>
      notificationLatency(
        b.imapPort,
        a.lmtpPort,
        NOTIFY_USER,
        PASSWORD,
        `${NOTIFY_USER}@${DOMAIN}`,
        messages.slice(0, sizes.clusterNotifications).map(dataBytes),
      ),
    );
    progress(`    ${column.label}, across two processes: ${JSON.stringify(column.notify)}`);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
  return column;
}

/**
 * An Eider child with its LMTP and IMAP listeners on ports known here. A port taken between freePort() and the
 * child's bind (other processes on the machine pick ports too) makes it exit at start: a few sets are tried.
 */
async function spawnEiderWithImap(
  s: StoreSetup,
): Promise<EiderProcess & { lmtpPort: number; imapPort: number }> {
  for (let tries = 1; ; tries++) {
    const [lmtpPort, imapPort] = [await freePort(), await freePort()];
    let eider: EiderProcess;
    try {
      eider = await spawnEider({
        ...s,
        env: { ...s.env, EIDER_LMTP_PORT: String(lmtpPort), EIDER_IMAP_PORT: String(imapPort) },
      });
    } catch (err) {
      if (tries < 3 && err instanceof Error && /already in use/.test(err.message)) continue;
      throw err;
    }
    try {
      await waitForPorts([lmtpPort, imapPort]);
    } catch (err) {
      await eider.stop();
      throw err;
    }
    return { ...eider, lmtpPort, imapPort };
  }
}

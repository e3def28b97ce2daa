// `npm run bench`: upload rate, page-of-50 list latency and subscription delivery latency, on the embedded
// store and on FerretDB + Redis (which measures FerretDB, not MongoDB). Prints a Markdown table and writes
// bench/results.json. `--quick` runs tiny sizes, to check the benchmark itself.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { benchList, type ListResult } from "./list.js";
import { benchRead, type ReadResult } from "./read.js";
import type { StoreSetup } from "./lib/eider-process.js";
import { REPO } from "../support/repo.js";
import {
  FERRETDB_BIN,
  findOnPath,
  isExecutable,
  startFerretDB,
  startRedis,
  type Service,
} from "../support/services.js";
import { progress, type LatencySummary } from "./lib/stats.js";
import { benchSubscription, type SubscriptionResult } from "./subscription.js";
import { benchUpload, type UploadResult } from "./upload.js";
import { benchVersusDovecot, type VersusDovecotResult, type VersusSizes } from "./versus-dovecot.js";
import { versusTable } from "./versus-table.js";
import { benchImap, type ImapResult, type ImapSizes } from "./imap.js";
import { imapTable } from "./imap/table.js";
import { benchMx, mxTable, type MxResult } from "./mx.js";
import { benchSubmission, submissionTable, type SubmissionResult } from "./submission.js";

interface Sizes {
  /** Corpus messages ingested and read back by the read benchmark (0: not run). */
  read: number;
  uploads: number;
  mailbox: number;
  seed: number;
  pages: number;
  events: number;
}

const QUICK = process.argv.includes("--quick");
/** `--only=read,upload`: just those measurements; the others keep their numbers from bench/results.json. */
const ONLY = process.argv
  .find((a) => a.startsWith("--only="))
  ?.slice("--only=".length)
  .split(",");
const runs = (measurement: string) => !ONLY || ONLY.includes(measurement);
/** The measurements of the table per store configuration. */
const EXISTING = ["upload", "list", "subscription", "read"];
/** `lmtp` and `pop3` run together: POP3 reads what LMTP delivered. */
const RUNS_VERSUS = runs("lmtp") || runs("pop3");
const VERSUS_SIZES: VersusSizes = QUICK
  ? { messages: 100, rounds: 1, idleSessions: 50, clusterMessages: 50 }
  : { messages: 2000, rounds: 2, idleSessions: 1000, clusterMessages: 100 };
const RUNS_IMAP = runs("imap");
/** Messages through Haraka with the Eider plugin (`--only=mx`). */
const RUNS_MX = runs("mx");
const MX_MESSAGES = QUICK ? 100 : 2000;
/** Messages submitted on the submission port and delivered to a sink (`--only=submission`). */
const RUNS_SUBMISSION = runs("submission");
const SUBMISSION_MESSAGES = QUICK ? 100 : 2000;
const IMAP_SIZES: ImapSizes = QUICK
  ? {
      fetchMessages: 100,
      fetchRepeats: 3,
      stressClients: 2,
      stressLoops: 3,
      stressMailbox: 20,
      bigMailbox: 3000,
      bigSeed: 200,
      bigRepeats: 3,
      notifications: 10,
      idleSessions: 50,
      idleUsers: 5,
      clusterMessages: 20,
      clusterNotifications: 10,
    }
  : {
      fetchMessages: 2000,
      fetchRepeats: 5,
      stressClients: 8,
      stressLoops: 25,
      stressMailbox: 50,
      bigMailbox: 100_000,
      bigSeed: 2000,
      // Dovecot's SEARCH TEXT reads every message: about 12 s each on 100,000.
      bigRepeats: 3,
      notifications: 200,
      idleSessions: 1000,
      idleUsers: 25,
      clusterMessages: 100,
      clusterNotifications: 100,
    };
const EMBEDDED_SIZES: Sizes = QUICK
  ? { read: 200, uploads: 100, mailbox: 3000, seed: 200, pages: 50, events: 20 }
  : { read: 2000, uploads: 2000, mailbox: 100_000, seed: 2000, pages: 200, events: 200 };
// FerretDB (SQLite handler) is one to two orders of magnitude slower than the embedded store, and a page costs
// about 0.8 ms per message in the mailbox: smaller samples, printed in the table.
const CLUSTER_SIZES: Sizes = QUICK
  ? { read: 0, uploads: 20, mailbox: 300, seed: 100, pages: 20, events: 10 }
  : { read: 0, uploads: 200, mailbox: 1000, seed: 100, pages: 50, events: 200 };

interface ConfigurationResult {
  name: string;
  label: string;
  skipped?: string;
  upload?: UploadResult | { error: string };
  list?: ListResult | { error: string };
  subscription?: SubscriptionResult | { error: string };
  read?: ReadResult | { error: string };
}

const EMBEDDED_LABEL = "embedded (SQLite + in-process bus)";
const CLUSTER_LABEL = "FerretDB v1 (SQLite handler) + Redis";

async function main(): Promise<void> {
  const started = Date.now();
  const machine = {
    date: new Date().toISOString(),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    commit: gitCommit(),
  };
  console.log(`Eider benchmark, ${machine.date}${QUICK ? " (--quick)" : ""}, commit ${machine.commit}`);
  console.log(
    `Machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGB} GB, Node ${machine.node}, ${machine.os}, load ${machine.loadAverage.join(" ")}`,
  );
  const dirs: string[] = [];
  const tempDir = (name: string) => {
    const d = mkdtempSync(path.join(os.tmpdir(), `eider-bench-${name}-`));
    dirs.push(d);
    return d;
  };

  const results: ConfigurationResult[] = [];
  let versusDovecot: VersusDovecotResult | undefined;
  let imap: ImapResult | undefined;
  let mx: MxResult | undefined;
  let submission: SubmissionResult | { error: string } | undefined;
  try {
    if (EXISTING.some(runs)) {
      progress(`${EMBEDDED_LABEL}`);
      results.push(
        await measure("embedded", EMBEDDED_LABEL, EMBEDDED_SIZES, (m) => ({ dataDir: tempDir(m) }), false),
      );
    }
    const clusterRuns = EXISTING.some((m) => m !== "read" && runs(m));
    if (clusterRuns || RUNS_VERSUS || RUNS_IMAP) {
      const cluster = await startCluster();
      try {
        if (clusterRuns) results.push(await measureCluster(tempDir, cluster));
        if (RUNS_VERSUS) {
          progress("LMTP and POP3, Eider and Dovecot side by side");
          versusDovecot = await benchVersusDovecot(
            VERSUS_SIZES,
            { dataDir: tempDir("lmtp") },
            "skipped" in cluster ? cluster : clusterSetup(cluster, tempDir, "lmtp"),
          );
        }
        if (RUNS_IMAP) {
          progress("IMAP, Eider and Dovecot side by side");
          imap = await benchImap(
            IMAP_SIZES,
            (m) => ({ dataDir: tempDir(m) }),
            "skipped" in cluster ? cluster : (m) => clusterSetup(cluster, tempDir, m),
          );
        }
      } finally {
        if (!("skipped" in cluster)) await Promise.all(cluster.services.map((s) => s.stop()));
      }
    }
    if (RUNS_MX) {
      progress("MX: Haraka with the Eider plugin, against LMTP alone");
      mx = await benchMx(MX_MESSAGES, { dataDir: tempDir("mx") });
    }
    if (RUNS_SUBMISSION) {
      progress("Submission: accepted on the submission port, delivered to a sink");
      submission = await benchSubmission(tempDir("submission"), SUBMISSION_MESSAGES).catch(
        (err: unknown) => ({
          error: String(err),
        }),
      );
    }
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }

  const seconds = Math.round((Date.now() - started) / 1000);
  const loadAverageAtEnd = os.loadavg().map((l) => Math.round(l * 100) / 100);
  if (ONLY) {
    const earlier = mergeEarlier(results);
    versusDovecot ??= earlier.versusDovecot;
    imap ??= earlier.imap;
    mx ??= earlier.mx;
    submission ??= earlier.submission;
  }
  const report = {
    ...machine,
    loadAverageAtEnd,
    seconds,
    quick: QUICK,
    only: ONLY,
    configurations: results,
    versusDovecot,
    imap,
    mx,
    submission,
  };
  writeFileSync(path.join(REPO, "bench", "results.json"), `${JSON.stringify(report, null, 2)}\n`);
  console.log();
  console.log(
    `Eider benchmark, ${machine.date.slice(0, 10)}, commit ${machine.commit}: ${machine.cpus} cores (${machine.cpuModel}), Node ${machine.node}, load average ${machine.loadAverage[0]} at start, ${loadAverageAtEnd[0]} at end`,
  );
  console.log();
  console.log(table(results));
  console.log();
  if (versusDovecot) {
    console.log(versusTable(versusDovecot));
    console.log();
  }
  if (mx) {
    console.log(mxTable(mx));
    console.log();
  }
  if (submission) {
    console.log(submissionTable(submission));
    console.log();
  }
  if (imap) {
    console.log(imapTable(imap));
    console.log();
  }
  console.log(
    `¹ Measures FerretDB v1 on its SQLite handler, one to two orders of magnitude slower than the embedded store; says nothing about MongoDB.`,
  );
  console.log(`Run took ${seconds} s; bench/results.json has every number.`);
}

interface Cluster {
  services: Service[];
  ferretUrl: string;
  redisUrl: string;
}

/** FerretDB and Redis started for the run, or why not (either missing). */
async function startCluster(): Promise<Cluster | { skipped: string }> {
  const redisBin = findOnPath("redis-server");
  const missing = [
    isExecutable(FERRETDB_BIN) ? "" : ".tools/ferretdb (scripts/install-test-deps.sh builds it)",
    redisBin ? "" : "redis-server on PATH",
  ].filter(Boolean);
  if (missing.length > 0) {
    const skipped = `SKIPPED: ${CLUSTER_LABEL}: no ${missing.join(" and no ")}`;
    console.log(skipped);
    return { skipped };
  }
  const [ferret, redis] = await Promise.all([startFerretDB(), startRedis(redisBin!)]);
  return { services: [ferret, redis], ferretUrl: ferret.url, redisUrl: redis.url };
}

/** One measurement's own database and Redis prefix on the cluster's servers. */
function clusterSetup(cluster: Cluster, tempDir: (name: string) => string, m: string): StoreSetup {
  return {
    dataDir: tempDir(m),
    mongodbUrl: cluster.ferretUrl,
    mongodbDatabase: `bench_${m}`,
    redisUrl: cluster.redisUrl,
    redisPrefix: `bench-${m}:`,
  };
}

/** The cluster column, skipped with a line when FerretDB or Redis is missing. */
async function measureCluster(
  tempDir: (name: string) => string,
  cluster: Cluster | { skipped: string },
): Promise<ConfigurationResult> {
  if ("skipped" in cluster) return { name: "ferretdb-redis", label: CLUSTER_LABEL, skipped: cluster.skipped };
  progress(`${CLUSTER_LABEL} (measures FerretDB, not MongoDB)`);
  return measure(
    "ferretdb-redis",
    CLUSTER_LABEL,
    CLUSTER_SIZES,
    (m) => clusterSetup(cluster, tempDir, m),
    true,
  );
}

/** The three measurements, each on fresh data; a failure is recorded and the run goes on. */
async function measure(
  name: string,
  label: string,
  sizes: Sizes,
  setup: (measurement: string) => StoreSetup,
  cluster: boolean,
): Promise<ConfigurationResult> {
  const attempt = async <T>(what: string, run: () => Promise<T>): Promise<T | { error: string }> => {
    try {
      return await run();
    } catch (err) {
      progress(`  ${what} FAILED: ${err instanceof Error ? err.message : String(err)}`);
      return { error: err instanceof Error ? err.message : String(err) };
    }
  };
  const result: ConfigurationResult = { name, label };
  if (runs("upload"))
    result.upload = await attempt("upload", () => benchUpload(setup("upload"), sizes.uploads));
  if (runs("list"))
    result.list = await attempt("list", () =>
      benchList(setup("list"), sizes.mailbox, sizes.seed, sizes.pages),
    );
  if (runs("subscription"))
    result.subscription = await attempt("subscription", () =>
      benchSubscription(setup("subscription"), sizes.events, cluster),
    );
  if (runs("read") && sizes.read > 0)
    result.read = await attempt("read", () => benchRead(setup("read"), sizes.read, sizes.pages));
  return result;
}

/**
 * Under --only, what was not measured keeps the numbers of the last full run in bench/results.json; returns
 * the earlier side-by-sides with Dovecot, for those not run.
 */
function mergeEarlier(results: ConfigurationResult[]): {
  versusDovecot?: VersusDovecotResult;
  imap?: ImapResult;
  mx?: MxResult;
  submission?: SubmissionResult | { error: string };
} {
  const file = path.join(REPO, "bench", "results.json");
  if (!existsSync(file)) return {};
  const earlier = JSON.parse(readFileSync(file, "utf8")) as {
    configurations?: ConfigurationResult[];
    versusDovecot?: VersusDovecotResult;
    imap?: ImapResult;
    mx?: MxResult;
    submission?: SubmissionResult | { error: string };
  };
  for (const old of earlier.configurations ?? [])
    if (!results.some((r) => r.name === old.name)) results.push(old);
  for (const r of results) {
    const old = earlier.configurations?.find((c) => c.name === r.name);
    if (!old) continue;
    for (const key of ["upload", "list", "subscription", "read"] as const)
      if (r[key] === undefined && old[key] !== undefined) Object.assign(r, { [key]: old[key] });
  }
  return {
    versusDovecot: earlier.versusDovecot,
    imap: earlier.imap,
    mx: earlier.mx,
    submission: earlier.submission,
  };
}

function table(results: ConfigurationResult[]): string {
  const ms = (s: LatencySummary) => `${fmt(s.p50Ms)} / ${fmt(s.p99Ms)} ms`;
  const cell = <T extends object>(r: T | { error: string } | undefined, show: (v: T) => string) =>
    !r ? "skipped" : "error" in r ? `failed: ${r.error.slice(0, 60)}` : show(r as T);
  const rows: Array<[string, (r: ConfigurationResult) => string]> = [
    [
      "Upload via GraphQL `uploadMessage`, 4 clients",
      (r) =>
        cell(
          r.upload,
          (u) =>
            `${fmt(u.messagesPerSecond)} msg/s, ${fmt(u.megabytesPerSecond)} MB/s (${fmt(u.messages)} corpus msgs)`,
        ),
    ],
    ["  one upload request, p50 / p99", (r) => cell(r.upload, (u) => ms(u.latency))],
    [
      "List a page of 50, p50 / p99",
      (r) =>
        cell(r.list, (l) => `${ms(l.latency)} (${fmt(l.mailboxSize)}-msg mailbox, ${l.requests} requests)`),
    ],
    [
      "  first pages / deepest quarter, p50",
      (r) => cell(r.list, (l) => `${fmt(l.firstPage.p50Ms)} / ${fmt(l.deepestQuarter.p50Ms)} ms`),
    ],
    [
      "  mailbox fill through the core (setup)",
      (r) =>
        cell(
          r.list,
          (l) =>
            `${fmt(l.fill.seed)} ingested at ${fmt(l.fill.ingestPerSecond)} msg/s, rest copied at ${fmt(l.fill.copyPerSecond)} msg/s`,
        ),
    ],
    [
      "Subscription NEW event after upload, p50 / p99",
      (r) =>
        cell(
          r.subscription,
          (s) =>
            `${ms(s.event)} (${s.uploads} uploads, ${s.crossInstance ? "across 2 processes" : "same process"})`,
        ),
    ],
    ["  the upload mutation alone, p50 / p99", (r) => cell(r.subscription, (s) => ms(s.mutation))],
    [
      "  other process minus uploading process, p50 / p99",
      (r) =>
        cell(r.subscription, (s) => (s.crossInstanceExtra ? ms(s.crossInstanceExtra) : "n/a (one process)")),
    ],
    [
      "Whole mailbox over the API: pages of 50 + raw bytes of each (4 at a time)",
      (r) =>
        cell(
          r.read,
          (x) =>
            `${fmt(x.wholeMailboxApi.seconds)} s (${fmt(x.messages)} corpus msgs, ${fmt(x.megabytes)} MB, every byte checked)`,
        ),
    ],
    [
      "  the same mailbox as one mbox: GET /download/mailbox/<id>/mbox (every message checked)",
      (r) =>
        cell(r.read, (x) =>
          x.wholeMailboxExport
            ? `${fmt(x.wholeMailboxExport.seconds)} s, ${fmt(x.wholeMailboxExport.megabytesPerSecond)} MB/s`
            : "not measured",
        ),
    ],
    [
      "  the same raw bytes through core.messages.rawMessages (the IMAP FETCH 1:* path)",
      (r) =>
        cell(
          r.read,
          (x) => `${fmt(x.wholeMailboxCore.seconds)} s, ${fmt(x.wholeMailboxCore.megabytesPerSecond)} MB/s`,
        ),
    ],
    [
      "Page of 50 with `body { text html attachments }`, p50 / p99",
      (r) => cell(r.read, (x) => `${ms(x.pageWithBodies)} (without bodies: ${ms(x.pageWithoutBodies)})`),
    ],
    [
      "RSS at rest (12 s quiet): after start / after the ingest / after the reads",
      (r) => cell(r.read, (x) => `${x.rssMB.idle} / ${x.rssMB.afterIngest} / ${x.rssMB.afterReads} MB`),
    ],
    [
      "  after 3 messages of 50 MB uploaded and read: at once / 15 s later",
      (r) => cell(r.read, (x) => `${x.rssMB.afterLarge} / ${x.rssMB.afterLargeSettled} MB`),
    ],
  ];
  const header = ["measure", ...results.map((r) => (r.name === "embedded" ? r.label : `${r.label} ¹`))];
  const lines = [
    header,
    header.map(() => "---"),
    ...rows.map(([title, show]) => [
      title.replace(/^ {2}/, "↳ "),
      ...results.map((r) => (r.skipped ? "skipped" : show(r))),
    ]),
  ];
  return lines.map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/** The checked-out commit, with "+dirty" when the tree has changes. */
function gitCommit(): string {
  try {
    const git = (...args: string[]) =>
      execFileSync("git", args, { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return `${git("rev-parse", "--short", "HEAD")}${git("status", "--porcelain", "--untracked-files=no") ? "+dirty" : ""}`;
  } catch {
    return "unknown";
  }
}

function fmt(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString("en-US");
  return n >= 1 || n === 0 ? String(Math.round(n * 10) / 10) : n.toPrecision(2);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

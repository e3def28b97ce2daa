// `npm run fuzz`: mutated LMTP, POP3, IMAP and submission sessions (100,000 per protocol by default) against `eider serve` as its
// own process, then the store checked through the core. Exits non-zero on any crash, held session, changed
// message or acknowledged message not stored byte-exact.
//   npm run fuzz -- --sessions=2000 --protocol=lmtp,imap --seed=7 --concurrency=32 --login-share=0.05
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Protocol } from "./campaign.js";
import { fuzzCampaigns, type FuzzReport } from "./fuzz.js";

const PROTOCOLS: Protocol[] = ["lmtp", "pop3", "imap", "submission"];

function option(name: string): string | undefined {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg?.slice(name.length + 3);
}

async function main(): Promise<number> {
  const seed = Number(option("seed") ?? Math.floor(Math.random() * 2 ** 31));
  const sessions = Number(option("sessions") ?? 100_000);
  const protocol = option("protocol") ?? "all";
  const protocols = (
    protocol === "all" ? PROTOCOLS : protocol === "both" ? ["lmtp", "pop3"] : protocol.split(",")
  ) as Protocol[];
  if (
    !protocols.every((p) => PROTOCOLS.includes(p)) ||
    !Number.isInteger(sessions) ||
    !Number.isInteger(seed)
  ) {
    console.error(
      "usage: npm run fuzz -- [--sessions=N] [--protocol=all|lmtp,pop3,imap,submission] [--seed=N] [--concurrency=N] [--login-share=F]",
    );
    return 2;
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-fuzz-"));
  console.log(`Eider fuzz: ${sessions} sessions per protocol (${protocol}), seed ${seed}, data ${dataDir}`);
  let report: FuzzReport;
  try {
    report = await fuzzCampaigns({
      dataDir,
      seed,
      sessions,
      protocols,
      concurrency: Number(option("concurrency") ?? 64),
      loginShare: Number(option("login-share") ?? 0.05),
      checkEvery: Math.max(100, Math.min(5000, Math.floor(sessions / 10))),
      log: (line) => console.log(line),
    });
  } finally {
    if (!process.argv.includes("--keep")) rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(summary(report));
  return report.failures.length === 0 ? 0 : 1;
}

function summary(r: FuzzReport): string {
  const lines = ["", `Summary (seed ${r.seed})`];
  for (const c of r.campaigns)
    lines.push(
      `  ${c.protocol}: ${c.sessions} sessions in ${c.seconds} s (${Math.round(c.sessions / c.seconds)}/s), ` +
        `crashes ${c.crashed ? 1 : 0}, held ${c.held}, refused ${c.refused}, not ended ${c.notEnded}`,
      `    replies: ${Object.entries(c.replies)
        .sort()
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    );
  const s = r.store;
  if (s)
    lines.push(
      `  store: ${s.unchanged} earlier messages unchanged (${s.seenByPop3} marked \\Seen by a POP3 QUIT), ` +
        `${s.acknowledged} acknowledged 250s stored byte-exact, ${s.newMessages} new messages ` +
        `(${s.storedUnacknowledged} whose client left before reading its 250, each one a session sent; ` +
        `${s.imapNew} appended or copied by IMAP sessions; ${s.submissionSent} Sent copies of submissions)`,
    );
  if (r.errorLines.size > 0)
    lines.push(`  server error log lines: ${JSON.stringify(Object.fromEntries(r.errorLines))}`);
  lines.push(`  server stopped: ${r.stopped ?? "cleanly (exit 0)"}`);
  lines.push(r.failures.length === 0 ? "PASS" : `FAIL\n${r.failures.map((f) => `  - ${f}`).join("\n")}`);
  return lines.join("\n");
}

for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

// The whole fuzz run, shared by `npm run fuzz` and the short seeded run in CI: users made with the CLI, a POP3
// maildrop and an IMAP INBOX filled over LMTP, a snapshot of the store, the campaigns against one server process, its clean stop,
// and the store checked against the snapshot and the 250s the clients read.
import { corpusMessages } from "../../support/corpus.js";
import { SmtpSink } from "../../test/harness/smtp-sink.js";
import type { FuzzSession } from "../../support/fuzz.js";
import { runCampaign, type CampaignResult, type Protocol } from "./campaign.js";
import { play } from "./client.js";
import {
  createUsers,
  fuzzSetup,
  IMAP_USER,
  LMTP_USERS,
  POP3_USER,
  REMOTE_RECIPIENTS,
  startFuzzedEider,
  SUBMISSION_USER,
  UNKNOWN_ADDRESSES,
} from "./eider.js";
import { acknowledged, countFinalReplies, finalReplies } from "./lmtp-replies.js";
import { snapshot, verifyStore, type StoreVerdict } from "./store-check.js";

export interface FuzzOptions {
  dataDir: string;
  seed: number;
  sessions: number;
  protocols: Protocol[];
  concurrency: number;
  /** POP3 and IMAP sessions that log in (each login is a deliberately slow password check). */
  loginShare: number;
  checkEvery: number;
  /** Corpus messages the LMTP sessions deliver. */
  corpusSize?: number;
  log(line: string): void;
}

export interface FuzzReport {
  seed: number;
  campaigns: CampaignResult[];
  store: StoreVerdict | null;
  errorLines: Map<string, number>;
  /** Null when the server stopped cleanly on SIGTERM. */
  stopped: string | null;
  failures: string[];
}

const LIMITS = { greetingWaitMs: 5000, replyWaitMs: 500, halfCloseWaitMs: 10_000, lingerMs: 5000 };
const POP3_MAILDROP = 4;
const IMAP_INBOX = 5;

export async function fuzzCampaigns(o: FuzzOptions): Promise<FuzzReport> {
  const setup = fuzzSetup(o.dataDir);
  const usernames = [
    POP3_USER.username,
    IMAP_USER.username,
    SUBMISSION_USER.username,
    ...LMTP_USERS.map((u) => u.username),
  ];
  await createUsers(setup);
  const messages = corpusMessages(o.corpusSize ?? 300);

  // The maildrop POP3 sessions read, delivered by a plain LMTP session before the snapshot.
  const first = await startFuzzedEider(setup);
  try {
    await deliverPlainly(first.lmtpPort, POP3_USER.address, messages.slice(0, POP3_MAILDROP));
    await deliverPlainly(first.lmtpPort, IMAP_USER.address, messages.slice(0, IMAP_INBOX));
  } finally {
    await first.stop();
  }
  const before = await snapshot(setup, usernames);
  o.log(`  ${before.size} messages in the store before (the POP3 maildrop and the IMAP INBOX)`);

  // The remote side of accepted submissions: a sink on loopback that takes whatever the outbound queue sends.
  const sink = new SmtpSink({ starttls: false });
  const relay = `smtp://127.0.0.1:${await sink.listen()}`;
  const eider = await startFuzzedEider(setup, relay);
  const report: FuzzReport = {
    seed: o.seed,
    campaigns: [],
    store: null,
    errorLines: eider.errorLines,
    stopped: null,
    failures: [],
  };
  try {
    for (const protocol of o.protocols) {
      const result = await runCampaign(eider, {
        protocol,
        sessions: o.sessions,
        seed: o.seed,
        concurrency: o.concurrency,
        checkEvery: o.checkEvery,
        lmtp: { known: LMTP_USERS.flatMap((u) => u.addresses), unknown: UNKNOWN_ADDRESSES, messages },
        pop3: { username: POP3_USER.username, password: POP3_USER.password, loginShare: o.loginShare },
        imap: { username: IMAP_USER.username, password: IMAP_USER.password, loginShare: o.loginShare },
        submission: {
          username: SUBMISSION_USER.username,
          password: SUBMISSION_USER.password,
          address: SUBMISSION_USER.address,
          recipients: REMOTE_RECIPIENTS,
          loginShare: o.loginShare,
        },
        limits: LIMITS,
        settleMs: 10_000,
        log: o.log,
      });
      report.campaigns.push(result);
      report.failures.push(...result.failures.map((f) => `${protocol}: ${f}`));
      if (result.crashed) break;
    }
  } finally {
    report.stopped = await eider.stop();
    await sink.close();
  }
  if (report.stopped && !report.campaigns.some((c) => c.crashed))
    report.failures.push(`the server did not stop cleanly on SIGTERM: ${report.stopped}`);
  if (report.errorLines.size > 0)
    report.failures.push(
      `the server logged errors: ${JSON.stringify(Object.fromEntries(report.errorLines))}`,
    );

  const lmtp = report.campaigns.find((c) => c.protocol === "lmtp") ?? null;
  report.store = await verifyStore(setup, before, usernames, {
    pop3Username: POP3_USER.username,
    imapUsername: IMAP_USER.username,
    lmtp,
    submission: {
      username: SUBMISSION_USER.username,
      campaign: report.campaigns.find((c) => c.protocol === "submission") ?? null,
    },
  });
  report.failures.push(...report.store.failures.map((f) => `store: ${f}`));
  return report;
}

/** An MTA's plain session: each message to one recipient, lockstep, every DATA answered 250. */
async function deliverPlainly(port: number, recipient: string, messages: Buffer[]): Promise<void> {
  const lines = ["LHLO seed.fuzz.example"];
  for (const m of messages) {
    const crlf = m.toString("latin1").replace(/\r?\n/g, "\r\n");
    const stuffed = crlf.replace(/^\./, "..").replace(/\r\n\./g, "\r\n..");
    lines.push(
      "MAIL FROM:<seed@origin.example>",
      `RCPT TO:<${recipient}>`,
      "DATA",
      `${stuffed}${crlf.endsWith("\r\n") ? "" : "\r\n"}.`,
    );
  }
  lines.push("QUIT");
  const session: FuzzSession = {
    steps: lines.map((l) => ({ chunks: [Buffer.from(`${l}\r\n`, "latin1")], awaitReply: true })),
    leave: "wait",
  };
  const played = await play(port, session, countFinalReplies, { ...LIMITS, lingerMs: 5000 });
  const stored = acknowledged(finalReplies(played.replies));
  if (stored.length !== messages.length)
    throw new Error(`the POP3 maildrop delivery got: ${played.replies.toString("latin1").slice(0, 2000)}`);
}

// One fuzz campaign: N mutated sessions of one protocol against a running Eider, `concurrency` at a time, with
// a checkpoint every `checkEvery` sessions (every client gone: did the server close every session, is the
// process the same one). What was delivered is checked afterwards against the store (store-check.ts).
import { prng, type FuzzSession, type Random } from "../../support/fuzz.js";
import { mutatedLmtpSession, type LmtpFuzzTargets } from "../../sidecars/lmtp/test/fuzz.js";
import { mutatedImapSession, type ImapFuzzOptions } from "../../sidecars/imap/test/fuzz.js";
import { countImapAnswers, imapAnswerKinds } from "../../sidecars/imap/test/responses.js";
import { mutatedPop3Session, type Pop3FuzzOptions } from "../../sidecars/pop3/test/fuzz.js";
import { mutatedSubmissionSession, type SubmissionFuzzOptions } from "../../sidecars/submission/test/fuzz.js";
import { play, type PlayLimits } from "./client.js";
import { countSessionSockets } from "./held.js";
import {
  acknowledged,
  countFinalReplies,
  deliverable,
  finalReplies,
  sha256,
  type Acknowledged,
} from "./lmtp-replies.js";

export type Protocol = "lmtp" | "pop3" | "imap" | "submission";

export interface FuzzTarget {
  pid: number;
  httpPort: number;
  lmtpPort: number;
  pop3Port: number;
  imapPort: number;
  submissionPort: number;
  /** Session sockets the process holds with no client connected (measured before any session). */
  baselineSockets: number;
  /** Null while the process runs, else how it ended. */
  exited(): string | null;
}

export interface CampaignOptions {
  protocol: Protocol;
  sessions: number;
  seed: number;
  concurrency: number;
  checkEvery: number;
  lmtp: LmtpFuzzTargets;
  pop3: Pop3FuzzOptions;
  imap: ImapFuzzOptions;
  submission: SubmissionFuzzOptions;
  limits: PlayLimits;
  /** How long a checkpoint waits for the server to let go of closed sessions. */
  settleMs: number;
  log(line: string): void;
}

export interface CampaignResult {
  protocol: Protocol;
  seed: number;
  sessions: number;
  seconds: number;
  /** Final reply lines by code (LMTP "250", "550"...; POP3 "+OK", "-ERR", "-ERR [AUTH]"...; IMAP "OK", "BAD", "NO [TRYCREATE]", "OK login"...). */
  replies: Record<string, number>;
  /** Connections the server did not accept (refused, or reset before any byte). */
  refused: number;
  /** Sessions half-closed by the client that the server did not end within halfCloseWaitMs. */
  notEnded: number;
  /** The most session sockets found held at a checkpoint, every client gone. */
  held: number;
  heldStates: Record<string, number>;
  /** How the server process ended, if it did. */
  crashed: string | null;
  /** LMTP: every 250 "Stored as UID", with the hashes of what that session could have delivered. */
  acknowledged: Array<Acknowledged & { session: number; deliverable: string[] }>;
  /** LMTP: sha256 of every message any session could have delivered -> how many sessions. */
  deliverable: Map<string, number>;
  /** Submission: the 250 "queued as" replies the clients read. */
  queued: number;
  failures: string[];
}

/** The session's own PRNG, so that session i of a seed can be replayed alone. */
export function sessionRandom(seed: number, i: number): Random {
  return prng((seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0);
}

export function sessionFor(
  o: Pick<CampaignOptions, "protocol" | "seed" | "lmtp" | "pop3" | "imap" | "submission">,
  i: number,
): FuzzSession {
  const random = sessionRandom(o.seed, i);
  if (o.protocol === "lmtp") return mutatedLmtpSession(random, o.lmtp, `${o.seed}-${i}`);
  if (o.protocol === "submission") return mutatedSubmissionSession(random, o.submission);
  return o.protocol === "pop3" ? mutatedPop3Session(random, o.pop3) : mutatedImapSession(random, o.imap);
}

const PORTS = {
  lmtp: "lmtpPort",
  pop3: "pop3Port",
  imap: "imapPort",
  submission: "submissionPort",
} as const;
const ANSWERS = {
  lmtp: countFinalReplies,
  pop3: countPop3Statuses,
  imap: countImapAnswers,
  submission: countFinalReplies,
};

export async function runCampaign(target: FuzzTarget, o: CampaignOptions): Promise<CampaignResult> {
  const started = performance.now();
  const port = target[PORTS[o.protocol]];
  const result: CampaignResult = {
    protocol: o.protocol,
    seed: o.seed,
    sessions: 0,
    seconds: 0,
    replies: {},
    refused: 0,
    notEnded: 0,
    held: 0,
    heldStates: {},
    crashed: null,
    acknowledged: [],
    deliverable: new Map(),
    queued: 0,
    failures: [],
  };
  const count = (key: string) => (result.replies[key] = (result.replies[key] ?? 0) + 1);

  const one = async (i: number) => {
    const session = sessionFor(o, i);
    const played = await play(port, session, ANSWERS[o.protocol], o.limits);
    result.sessions++;
    if (played.refused) result.refused++;
    if (played.notEnded) result.notEnded++;
    const sent = Buffer.concat(session.steps.flatMap((s) => s.chunks));
    if (o.protocol === "pop3") {
      for (const status of pop3Statuses(played.replies)) count(status);
      return;
    }
    if (o.protocol === "imap") {
      for (const kind of imapAnswerKinds(played.replies, loginTags(sent))) count(kind);
      return;
    }
    const replies = finalReplies(played.replies);
    for (const r of replies) count(r.code);
    if (o.protocol === "submission") {
      result.queued += replies.filter(
        (r) => r.code === "250" && /^2\.0\.0 Ok: queued as /.test(r.text),
      ).length;
      return;
    }
    const hashes = [...new Set(deliverable(sent).map(sha256))];
    for (const h of hashes) result.deliverable.set(h, (result.deliverable.get(h) ?? 0) + 1);
    for (const a of acknowledged(replies))
      result.acknowledged.push({ ...a, session: i, deliverable: hashes });
  };

  let next = 0;
  while (next < o.sessions && !result.crashed) {
    const end = Math.min(o.sessions, next + o.checkEvery);
    const worker = async () => {
      while (next < end && !target.exited()) await one(next++);
    };
    await Promise.all(Array.from({ length: o.concurrency }, worker));
    result.crashed = target.exited();
    if (result.crashed) break;
    const held = await settledSockets(target, o.settleMs);
    if (held.sessions > result.held) {
      result.held = held.sessions;
      result.heldStates = held.byState;
    }
    const secs = (performance.now() - started) / 1000;
    o.log(
      `  ${o.protocol} ${result.sessions}/${o.sessions} sessions, ${Math.round(result.sessions / secs)}/s, ` +
        `held ${held.sessions}, refused ${result.refused}, not ended ${result.notEnded}, ` +
        `replies ${JSON.stringify(result.replies)}`,
    );
  }
  result.seconds = Math.round((performance.now() - started) / 100) / 10;
  if (result.crashed) result.failures.push(`the server process ended: ${result.crashed}`);
  if (result.held > 0)
    result.failures.push(
      `${result.held} sessions held after their clients went: ${JSON.stringify(result.heldStates)}`,
    );
  if (result.refused > 0) result.failures.push(`${result.refused} connections refused`);
  if (result.notEnded > 0)
    result.failures.push(`${result.notEnded} half-closed sessions not ended by the server`);
  return result;
}

/** Session sockets above the baseline, once they stop going down (or settleMs pass): every client has gone. */
async function settledSockets(target: FuzzTarget, settleMs: number) {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const now = countSessionSockets(target.pid, target.httpPort);
    const held = { sessions: Math.max(0, now.sessions - target.baselineSockets), byState: now.byState };
    if (held.sessions === 0 || Date.now() > deadline) return held;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const POP3_STATUS = /^(\+OK|-ERR)(?: (\[[A-Z/-]+\]))?/;

/** POP3 status lines by kind: "+OK", "+OK Logged in", "-ERR", "-ERR [AUTH]"... (a multi-line answer's lines are skipped). */
export function pop3Statuses(bytes: Buffer): string[] {
  const out: string[] = [];
  for (const line of bytes.toString("latin1").split("\r\n")) {
    const m = POP3_STATUS.exec(line);
    // Logins apart, to show how many sessions reached the TRANSACTION state.
    if (line.startsWith("+OK Logged in")) out.push("+OK Logged in");
    else if (m) out.push(m[2] ? `${m[1]} ${m[2]}` : m[1]);
  }
  return out;
}

function countPop3Statuses(bytes: Buffer): number {
  return pop3Statuses(bytes).length;
}

/** The tags of the lines a server could read as LOGIN or AUTHENTICATE, so that their OK counts as a login. */
function loginTags(sent: Buffer): Set<string> {
  const tags = new Set<string>();
  for (const line of sent.toString("latin1").split("\n")) {
    const m = /^(\S+) (?:LOGIN|AUTHENTICATE) /i.exec(line);
    if (m) tags.add(m[1]);
  }
  return tags;
}

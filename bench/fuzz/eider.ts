// The Eider the fuzz run attacks: `node bin/eider.js serve` as its own process (LMTP, POP3 and IMAP on fixed
// free ports, embedded store), its users made with `eider user add` as an admin would, and the POP3 maildrop
// and the IMAP user's INBOX filled by plain LMTP deliveries before the fuzzing starts.
import { execFile, spawn } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { eiderEnv, type StoreSetup } from "../lib/eider-process.js";
import { REPO } from "../../support/repo.js";
import { freePort } from "../../support/services.js";
import type { FuzzTarget } from "./campaign.js";
import { countSessionSockets } from "./held.js";

const run = promisify(execFile);
const EIDER = path.join(REPO, "bin/eider.js");

export const POP3_USER = { username: "fuzz", password: "a long secret", address: "pop@fuzz.test" };
/** The IMAP sessions' user: its INBOX (filled over LMTP before the run) is what no session may change. */
export const IMAP_USER = { username: "fuzz-i", password: "a long secret", address: "imap@fuzz.test" };
/** LMTP recipients: plain users, one with an alias, one with a small quota (452 soon), one disabled (550 5.2.1). */
export const LMTP_USERS = [
  { username: "fuzz-a", addresses: ["fa@fuzz.test"] },
  { username: "fuzz-b", addresses: ["fb@fuzz.test", "fb.alias@fuzz.test"] },
  { username: "fuzz-q", addresses: ["fq@fuzz.test"], quota: "200000" },
  { username: "fuzz-d", addresses: ["fd@fuzz.test"], disabled: true },
];
/** The submission sessions' user: it writes to remote addresses only, so only its Sent and the queue change. */
export const SUBMISSION_USER = { username: "fuzz-s", password: "a long secret", address: "sub@fuzz.test" };
export const REMOTE_RECIPIENTS = ["someone@remote.fuzz.example", "other@far.fuzz.example"];
export const UNKNOWN_ADDRESSES = ["nobody@fuzz.test", "fa@elsewhere.test", "postmaster@fuzz.test"];

/**
 * The settings of the fuzzed server: a PASS line mutated into a wrong password must not lock the user or the
 * client out, and every copy is stored (the corpus repeats its Message-IDs; suppressed copies would leave the
 * byte-exact check little to check).
 */
export function fuzzSetup(dataDir: string): StoreSetup {
  return {
    dataDir,
    env: {
      EIDER_LIMITS_LOGIN_ATTEMPTS: "100000000",
      EIDER_LIMITS_LOGIN_ATTEMPTS_PER_IP: "100000000",
      EIDER_DELIVERY_DUPLICATE_WINDOW_SECONDS: "0",
      EIDER_LOG_LEVEL: "error",
    },
  };
}

/** `eider user add` (and `user disable`) for every fuzz user, in the data folder, before any server runs. */
export async function createUsers(setup: StoreSetup): Promise<void> {
  const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...eiderEnv(setup, 0) };
  const eider = (...args: string[]) => run(process.execPath, [EIDER, ...args], { env, cwd: REPO });
  for (const u of [POP3_USER, IMAP_USER, SUBMISSION_USER])
    await eider("user", "add", u.username, "--password", u.password, "--address", u.address);
  for (const u of LMTP_USERS) {
    const addresses = u.addresses.flatMap((a) => ["--address", a]);
    await eider(
      "user",
      "add",
      u.username,
      "--password",
      POP3_USER.password,
      ...addresses,
      ...(u.quota ? ["--quota", u.quota] : []),
    );
    if (u.disabled) await eider("user", "disable", u.username);
  }
}

export interface FuzzedEider extends FuzzTarget {
  /** pino lines at level error or worse, by message. */
  errorLines: Map<string, number>;
  /** SIGTERM, then the exit: null when it stopped cleanly, else how it ended. */
  stop(): Promise<string | null>;
}

/** `relay`: the smarthost the outbound queue hands accepted submissions to (a sink on loopback). */
export async function startFuzzedEider(setup: StoreSetup, relay?: string): Promise<FuzzedEider> {
  const [httpPort, lmtpPort, pop3Port, imapPort, submissionPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    ...eiderEnv(setup, httpPort),
    EIDER_LMTP_PORT: String(lmtpPort),
    EIDER_POP3_PORT: String(pop3Port),
    EIDER_POP3_TLS_PORT: "0",
    EIDER_IMAP_PORT: String(imapPort),
    EIDER_IMAP_TLS_PORT: "0",
    EIDER_SUBMISSION_PORT: String(submissionPort),
    EIDER_SUBMISSION_TLS_PORT: "0",
    ...(relay ? { EIDER_OUTBOUND_MODE: "smarthost", EIDER_OUTBOUND_RELAY: relay } : {}),
  };
  const child = spawn(process.execPath, [EIDER, "serve"], {
    cwd: REPO,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  // A fuzz run stopped by a signal takes its server with it (run.ts exits on SIGINT/SIGTERM).
  const orphaned = () => child.kill("SIGKILL");
  process.once("exit", orphaned);
  let ended: string | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      ended = signal ? `killed by ${signal}` : `exit code ${code}`;
      process.off("exit", orphaned);
      resolve();
    }),
  );
  const errorLines = new Map<string, number>();
  let output = "";
  let partial = "";
  child.stdout!.on("data", (d: Buffer) => {
    const lines = (partial + d.toString()).split("\n");
    partial = lines.pop()!;
    for (const line of lines) {
      if (output.length < 20_000 && !line.startsWith("{")) output += line + "\n";
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
        if ((entry.level ?? 0) >= 50) {
          const key = `${entry.msg ?? ""}${entry.err?.message ? `: ${entry.err.message}` : ""}`;
          errorLines.set(key, (errorLines.get(key) ?? 0) + 1);
        }
      } catch {
        // the start banner is plain text
      }
    }
  });
  child.stderr!.on("data", (d: Buffer) => {
    if (output.length < 20_000) output += d.toString();
  });
  // The banner, not /health: /health answers as soon as the API listens, before the sidecars do.
  for (let waited = 0; !output.includes("Eider is running"); waited += 50) {
    if (ended) throw new Error(`eider ended (${ended}) before it was ready:\n${output}`);
    if (waited > 30_000) throw new Error(`eider did not start within 30 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = child.pid!;
  return {
    pid,
    httpPort,
    lmtpPort,
    pop3Port,
    imapPort,
    submissionPort,
    baselineSockets: countSessionSockets(pid, httpPort).sessions,
    errorLines,
    exited: () => ended,
    async stop() {
      if (ended) return ended;
      child.kill("SIGTERM");
      await exited;
      return ended === "exit code 0" ? null : ended;
    },
  };
}

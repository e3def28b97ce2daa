// Drives mbsync (Debian's isync) against an IMAP server: a config with one IMAP account (cleartext from
// loopback, or STARTTLS verified against a CA file), a Maildir near store and one channel syncing INBOX both
// ways. mbsync prints its progress counters only to a terminal, so it runs under `script` (a pseudo-terminal)
// and the last counter line is read: added, flag-updated and trashed messages on the far (IMAP) and near side.
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface MbsyncAccount {
  port: number;
  user: string;
  password: string;
  /** STARTTLS with this CA file; cleartext (SSLType None) without it. */
  cafile?: string;
  /** A folder of its own: the Maildir and the config go in it. */
  home: string;
}

export interface SideCounters {
  added: number;
  flagged: number;
  trashed: number;
}

export interface MbsyncRun {
  code: number | null;
  far: SideCounters;
  near: SideCounters;
  /** Everything it printed (the pseudo-terminal's bytes, carriage returns as newlines). */
  output: string;
}

/** The Maildir mbsync keeps INBOX in. */
export const maildirOf = (home: string): string => path.join(home, "Maildir", "INBOX");

export function writeMbsyncConfig(a: MbsyncAccount): string {
  const tls = a.cafile ? ["SSLType STARTTLS", `CertificateFile ${a.cafile}`] : ["SSLType None"];
  const lines = [
    "IMAPAccount eider",
    "Host localhost",
    `Port ${a.port}`,
    `User ${a.user}`,
    `Pass "${a.password}"`,
    ...tls,
    // LOGIN, not AUTHENTICATE PLAIN: mbsync refuses SASL PLAIN over a cleartext connection.
    "AuthMechs LOGIN",
    "",
    "IMAPStore remote",
    "Account eider",
    "",
    "MaildirStore local",
    `Path ${path.join(a.home, "Maildir")}/`,
    `Inbox ${maildirOf(a.home)}`,
    "",
    "Channel inbox",
    "Far :remote:INBOX",
    "Near :local:INBOX",
    "Create Both",
    "Expunge Both",
    "SyncState *",
    "Sync All",
    "",
  ];
  mkdirSync(path.join(a.home, "Maildir"), { recursive: true });
  const file = path.join(a.home, "mbsyncrc");
  writeFileSync(file, lines.join("\n"), { mode: 0o600 });
  return file;
}

const COUNTERS =
  /C: \d+\/\d+ +B: \d+\/\d+ +F: \+(\d+)\/\d+ \*(\d+)\/\d+ #(\d+)\/\d+ +N: \+(\d+)\/\d+ \*(\d+)\/\d+ #(\d+)\/\d+/g;

export function mbsync(account: MbsyncAccount): Promise<MbsyncRun> {
  const config = writeMbsyncConfig(account);
  return new Promise((resolve, reject) => {
    execFile(
      "script",
      ["-qec", `mbsync -V -c '${config}' inbox`, "/dev/null"],
      { timeout: 30_000, env: { ...process.env, TERM: "dumb" } },
      (error, stdout) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        if (error && code === null) return reject(error);
        const output = stdout.replace(/\r\n?/g, "\n");
        const last = [...output.matchAll(COUNTERS)].pop();
        const n = (i: number) => Number(last?.[i] ?? NaN);
        resolve({
          code,
          far: { added: n(1), flagged: n(2), trashed: n(3) },
          near: { added: n(4), flagged: n(5), trashed: n(6) },
          output,
        });
      },
    );
  });
}

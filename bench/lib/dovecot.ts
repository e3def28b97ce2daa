// Debian's Dovecot 2.3 (dovecot-lmtpd, dovecot-pop3d, dovecot-imapd; scripts/install-bench-deps.sh) as the
// benchmarks' yardstick: a private dovecot.conf in a temp folder (its own base_dir, maildir under the folder,
// mail_fsync = always, a passwd-file for the users, LMTP, POP3 and IMAP on free loopback ports, no SSL),
// started in the foreground and stopped after the measurement. It never touches a system Dovecot.
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { canConnect } from "./ports.js";
import { descendants } from "./proc.js";
import { findOnPath, freePort, isExecutable, startProcess, waitFor } from "../../support/services.js";

export interface DovecotUser {
  name: string;
  password: string;
  /** The passwd-file's stored form of the password (`{SCHEME}...`); `{PLAIN}password` when absent. */
  stored?: string;
}

export interface RunningDovecot {
  version: string;
  lmtpPort: number;
  pop3Port: number;
  imapPort: number;
  /** Where the users' maildirs are: `${mailRoot}/NAME` is NAME's INBOX (written directly to fill one fast). */
  mailRoot: string;
  /** The user and group the mail processes run as (the owner a written maildir needs). */
  mailOwner: { uid: number; gid: number };
  /** The master process; the login, LMTP and POP3 processes are its children. */
  pid: number;
  /** Pids of the master and every process under it, now. */
  processes(): number[];
  stop(): Promise<void>;
}

/** Why Dovecot cannot run here, or null when it can. */
export function dovecotMissing(): string | null {
  return dovecotBin()
    ? null
    : "no dovecot (scripts/install-bench-deps.sh installs Debian's dovecot-lmtpd, dovecot-pop3d and dovecot-imapd)";
}

/** sbin is not on every PATH. */
function dovecotBin(): string | undefined {
  return findOnPath("dovecot") ?? (isExecutable("/usr/sbin/dovecot") ? "/usr/sbin/dovecot" : undefined);
}

/**
 * Starts Dovecot for `users`. With `removeInBackground`, stopping leaves the folder's removal to a detached
 * `rm -rf` (100,000 maildir files take minutes to delete on this disk, and the run need not wait for it).
 */
export async function startDovecot(
  users: DovecotUser[],
  options: { removeInBackground?: boolean } = {},
): Promise<RunningDovecot> {
  const bin = dovecotBin();
  if (!bin) throw new Error(dovecotMissing()!);
  const dir = mkdtempSync(path.join(os.tmpdir(), "eider-bench-dovecot-"));
  const [lmtpPort, pop3Port, imapPort] = [await freePort(), await freePort(), await freePort()];
  // Dovecot refuses mail access as uid 0 and login processes as root: under root, everything it runs as a user
  // is `nobody`, and the folder is opened for it to traverse; otherwise the current user throughout.
  const root = process.getuid?.() === 0;
  const user = root ? "nobody" : os.userInfo().username;
  const group = root ? "nogroup" : groupName(process.getgid?.() ?? 0);
  const mail = path.join(dir, "mail");
  mkdirSync(mail);
  if (root) {
    chmodSync(dir, 0o711);
    chownSync(mail, uidOf(user), gidOf(group));
  }
  writeFileSync(
    path.join(dir, "passwd"),
    users.map((u) => `${u.name}:${u.stored ?? `{PLAIN}${u.password}`}::::::\n`).join(""),
    { mode: 0o644 },
  );
  const conf = path.join(dir, "dovecot.conf");
  writeFileSync(conf, config(dir, user, group, { lmtpPort, pop3Port, imapPort }, users.length));
  const s = startProcess("dovecot", bin, () => ["-F", "-c", conf]);
  const stop = async () => {
    await s.stop();
    if (options.removeInBackground) spawn("rm", ["-rf", dir], { detached: true, stdio: "ignore" }).unref();
    else rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      s,
      async () =>
        (await canConnect(lmtpPort)) && (await canConnect(pop3Port)) && (await canConnect(imapPort)),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  const version = execFileSync(bin, ["--version"], { encoding: "utf8" }).trim();
  return {
    version,
    lmtpPort,
    pop3Port,
    imapPort,
    mailRoot: mail,
    mailOwner: root
      ? { uid: uidOf(user), gid: gidOf(group) }
      : { uid: process.getuid!(), gid: process.getgid!() },
    pid: s.child.pid!,
    processes: () => descendants(s.child.pid!),
    stop,
  };
}

function config(
  dir: string,
  user: string,
  group: string,
  ports: { lmtpPort: number; pop3Port: number; imapPort: number },
  users: number,
): string {
  const { lmtpPort, pop3Port, imapPort } = ports;
  return `# Written by Eider's benchmark for one run; removed after it.
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = lmtp pop3 imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
default_internal_user = ${user}
default_internal_group = ${group}
default_login_user = ${user}
# The idle-session measurements open 1,000 POP3 or IMAP sessions: a login and a pop3/imap process each here.
default_process_limit = 1200
default_client_limit = 2400
# ... all as one user from one address (the default allows 10).
mail_max_userip_connections = 2000
mail_location = maildir:${dir}/mail/%n
# Durable: every delivered message is fsynced before its 250 (Dovecot's default is "optimized").
mail_fsync = always
# The recipient's address is user@domain; the passwd-file holds the user part.
passdb {
  driver = passwd-file
  args = username_format=%n ${dir}/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%n ${dir}/passwd
  default_fields = uid=${user} gid=${group} home=${dir}/mail/%n
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${lmtpPort}
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = ${pop3Port}
  }
  inet_listener pop3s {
    port = 0
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
# ${users} users
`;
}

function uidOf(name: string): number {
  return Number(execFileSync("id", ["-u", name], { encoding: "utf8" }).trim());
}

function gidOf(name: string): number {
  return Number(execFileSync("getent", ["group", name], { encoding: "utf8" }).split(":")[2]);
}

function groupName(gid: number): string {
  return execFileSync("getent", ["group", String(gid)], { encoding: "utf8" }).split(":")[0];
}

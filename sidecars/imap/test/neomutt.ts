// Drives neomutt reading one message over IMAP. neomutt has no batch mode for reading (-B only sends, and
// without a terminal it starts nothing), so it runs its real interface under `script` (a pseudo-terminal),
// with keys pushed from the command line: limit the index to one Message-ID, pipe that message to a file, quit.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface NeomuttRead {
  port: number;
  user: string;
  password: string;
  /** The Message-ID to read, without angle brackets. */
  messageId: string;
  /** A folder of its own for the config and the piped message. */
  home: string;
}

export interface NeomuttResult {
  code: number | null;
  /** What neomutt piped out (the message as it fetched it), or null when it piped nothing. */
  message: Buffer | null;
  /** The terminal's bytes, for a failure message. */
  screen: string;
}

export function neomuttRead(o: NeomuttRead): Promise<NeomuttResult> {
  mkdirSync(o.home, { recursive: true });
  const rc = path.join(o.home, "neomuttrc");
  const out = path.join(o.home, "message.eml");
  writeFileSync(
    rc,
    [
      `set imap_user = "${o.user}"`,
      `set imap_pass = "${o.password}"`,
      // Cleartext from loopback; no cache, so every byte comes from the server in this run.
      "set ssl_starttls = no",
      "set ssl_force_tls = no",
      "set header_cache = ''",
      "set message_cachedir = ''",
      "set wait_key = no",
      "set pipe_decode = no",
      "set mail_check_stats = no",
      // Without a folder neomutt first asks whether to create ~/Mail, and the pushed keys answer that prompt.
      `set folder = "imap://localhost:${o.port}/"`,
      'set spoolfile = "+INBOX"',
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  const keys = `<limit>~i ${o.messageId.replace(/[.$]/g, "\\\\$&")}<enter><pipe-message>cat > ${out}<enter><quit>`;
  const command = `neomutt -n -R -F '${rc}' -f 'imap://localhost:${o.port}/INBOX' -e 'push "${keys}"'`;
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", command, "/dev/null"], {
      stdio: ["ignore", "pipe", "ignore"],
      env: { ...process.env, TERM: "xterm", HOME: o.home },
    });
    let screen = "";
    child.stdout.on("data", (d: Buffer) => (screen += d.toString("latin1")));
    const limit = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(limit);
      resolve({ code, message: existsSync(out) ? readFileSync(out) : null, screen });
    });
  });
}

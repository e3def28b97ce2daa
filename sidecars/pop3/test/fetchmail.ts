// fetchmail (Debian's) as the tests run it: one poll of a POP3 server with a run-control file written for it,
// each message handed to an MDA that writes it to its own numbered file, so a test reads exactly what
// fetchmail delivered, in order. HOME is the run's folder, so its UIDL memory (.fetchids) is the run's own.
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface FetchmailPoll {
  port: number;
  user: string;
  password: string;
  /** Leave the messages on the server (and remember their UIDLs so the next run skips them). */
  keep: boolean;
  /** STLS with the certificate checked against this CA file; absent: cleartext (STARTTLS off). */
  cafile?: string;
}

export interface FetchmailRun {
  /** 0: mail was retrieved; 1: there was none (fetchmail(1), EXIT CODES). */
  code: number | null;
  /** Its verbose log: every POP3 command and reply. */
  transcript: string;
  /** What the MDA was given by this run, one message per entry, in delivery order. */
  messages: Buffer[];
}

/** Runs fetchmail once. `home` is reused across runs that should share the UIDL memory. */
export async function fetchmail(home: string, poll: FetchmailPoll): Promise<FetchmailRun> {
  const out = path.join(home, "out");
  mkdirSync(out, { recursive: true });
  const before = readdirSync(out).length;
  const mda = path.join(home, "mda.sh");
  writeFileSync(mda, `#!/bin/sh\nn=$(ls "${out}" | wc -l)\nexec cat > "${out}/$(printf %06d "$n")"\n`, {
    mode: 0o755,
  });
  const tls = poll.cafile
    ? `sslproto 'TLS1.2+' sslcertck sslcertfile '${poll.cafile}'`
    : "sslproto '' no sslcertck";
  // no rewrite / no stripcr: hand the message over as the server sent it (CR LF kept, addresses untouched).
  const rc = path.join(home, "fetchmailrc");
  writeFileSync(
    rc,
    [
      "set no syslog",
      `poll ${poll.cafile ? "localhost" : "127.0.0.1"} protocol POP3 port ${poll.port} uidl`,
      `  user "${poll.user}" password "${poll.password}"`,
      `  options no rewrite no stripcr ${poll.keep ? "keep" : "no keep"} ${tls}`,
      `  mda "${mda}"`,
      "",
    ].join("\n"),
  );
  chmodSync(rc, 0o600); // fetchmail refuses a run-control file others may read
  const { code, transcript } = await new Promise<{ code: number | null; transcript: string }>(
    (resolve, reject) => {
      const child = spawn(
        "fetchmail",
        ["--verbose", "--fetchmailrc", rc, "--pidfile", path.join(home, "fetchmail.pid")],
        { env: { PATH: process.env.PATH ?? "", HOME: home }, stdio: ["ignore", "pipe", "pipe"] },
      );
      let transcript = "";
      child.stdout.on("data", (d: Buffer) => (transcript += d.toString()));
      child.stderr.on("data", (d: Buffer) => (transcript += d.toString()));
      child.once("error", reject);
      child.once("close", (code) => resolve({ code, transcript }));
    },
  );
  const files = readdirSync(out).sort().slice(before);
  return { code, transcript, messages: files.map((f) => readFileSync(path.join(out, f))) };
}

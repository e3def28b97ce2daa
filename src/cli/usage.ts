// What `eider --help`, `eider help COMMAND` and `eider COMMAND --help` print.

export const USAGE = `Usage: eider <command> [options]

Commands:
  serve                 run the API and the sidecars (LMTP) in this process
  user add|list|passwd|disable|enable|delete
                        manage users (eider user --help)
  dkim add|list|show|delete
                        DKIM signing keys per domain and their DNS records (eider dkim --help)
  admin-token           print the admin token; --rotate replaces it
  import mbox|maildir   bring existing mail in (eider import --help)
  doctor                check config, store, bus and blob references; --fix repairs

Every command takes --config=FILE (a TOML file merged over config/default.toml) and --help.
Exit status: 0 on success, 1 when the command failed, 2 for a usage mistake.`;

const USER = `Usage:
  eider user add NAME --password P [--address A]... [--quota BYTES] [--json]
      create a user with its special-use mailboxes (INBOX, Drafts, Sent Mail, ...) and print
      what was created; --json prints it as one JSON object. --quota takes bytes, or a number with
      K, M or G (1024-based); 0 or none means unlimited. Passwords need at least 8 characters.
  eider user list [--json]
      every user: id, name, state, bytes used / quota
  eider user passwd NAME --password P
      set a new password
  eider user disable NAME | eider user enable NAME
      refuse (or allow again) logins; a disabled user's tokens stop working at once
  eider user delete NAME [--yes]
      delete the user, its mailboxes and messages; asks first on a terminal, and without a terminal
      refuses unless --yes is given`;

const SUBCOMMANDS: Record<string, string> = {
  serve: `Usage: eider serve [--config=FILE] [--only=PART[,PART]]

Runs the GraphQL API (HTTP and WebSocket at /graphql), downloads, uploads, /health and /metrics in
this process until SIGINT or SIGTERM. Listens on http.host:http.port (127.0.0.1:8080 by default; change
it with EIDER_HTTP_PORT / EIDER_HTTP_HOST or [http] in a --config file). Prints the generated admin
token on every start until a request has used it.

Also runs the LMTP sidecar on lmtp.host:lmtp.port (127.0.0.1:2424; [lmtp] enabled = false turns it off)
the POP3 sidecar on 127.0.0.1:1110 (STLS) and 1995 (TLS) ([pop3] enabled = false turns it off), and
the IMAP sidecar on 127.0.0.1:1143 (STARTTLS) and 1993 (TLS) ([imap] enabled = false turns it off), and
SMTP submission on 127.0.0.1:1587 (STARTTLS) and 1465 (TLS) ([submission] enabled = false turns it off).
--only=lmtp (or --only=http, --only=pop3, --only=imap, --only=submission, or several: --only=http,lmtp) runs just those parts, for
example one LMTP process per box against a shared MongoDB and Redis. SIGHUP reloads TLS certificates.`,
  user: USER,
  dkim: `Usage:
  eider dkim add DOMAIN --selector S [--algorithm rsa|ed25519] [--import KEY.pem] [--replace] [--json]
      generate the domain's signing key (RSA 2048 unless ed25519), or import an unencrypted PEM private key
      (RSA 1024-4096 bits or Ed25519), and print the TXT record to publish. A domain with a key keeps it
      unless --replace (a rotation: publish the new selector's record before mail signed with it leaves).
  eider dkim list [--json]
      every domain's key: domain, selector, algorithm, when it was made
  eider dkim show DOMAIN [--json]
      the key and its TXT record
  eider dkim delete DOMAIN [--yes]
      delete the key (the domain's mail goes out unsigned); asks first on a terminal, and without a
      terminal refuses unless --yes is given

Outgoing mail is signed with the key of its From domain, else of the nearest parent domain that has one.`,
  "admin-token": `Usage: eider admin-token [--rotate]

Prints the admin token (generated into DATA_DIR/admin-token unless admin_token / EIDER_ADMIN_TOKEN
sets it). --rotate writes a new one and prints it. A running Eider keeps accepting the old token
until it restarts; restart it to make the old one invalid. A token set by the configuration is
changed there, not rotated.`,
  import: `Usage: eider import mbox FILE --user NAME [--mailbox PATH]
       eider import maildir DIR --user NAME [--mailbox PATH]

Imports every message of an mbox file (mboxrd: ">From " lines lose one ">") or a Maildir (new/ and cur/,
flags from the ":2," suffix) into the user's mailbox (INBOX by default; created when missing), byte for
byte, through the same delivery path as LMTP. Run it again after an interruption: messages the mailbox
already holds (same Message-ID and size) are skipped. Maildir++ subfolders (.Sent, ...) are imported one
at a time with --mailbox. Shows a progress bar on a terminal, then a summary; exit status 1 when any
message could not be stored (each is listed), for example over quota.`,
  doctor: `Usage: eider doctor [--fix]

Checks the config, the store and the bus, and that blob reference counts, quota totals and every
user's special-use mailboxes are as they must be. Exit status 1 when something is wrong; --fix
recounts, creates what is missing and removes unreferenced blobs.`,
};

/** What a usage mistake in `command` ends with: a pointer to its help, or the overview. */
export function usageHint(command: string | undefined): string {
  return command && SUBCOMMANDS[command] ? `Run "eider ${command} --help" for its usage.` : USAGE;
}

/** The help for a command (or the overview when there is none for it). */
export function usageOf(command: string | undefined): string {
  return (command && SUBCOMMANDS[command]) || USAGE;
}

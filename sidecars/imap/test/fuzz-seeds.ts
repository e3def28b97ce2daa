// The sessions the IMAP fuzz run mutates: the command lines two real clients sent, recorded through a
// logging proxy (imapflow 2.10 running a full session, a QRESYNC reconnect; Python 3.11's imaplib), with the
// user's name and password as placeholders, plus the commands of the extensions CAPABILITY lists that neither
// client sent (RFC examples). Tags are the clients' own: imapflow counts in hex, imaplib uses a prefix.

/** One command: its line, and a literal when it has one (`{n}` waits for `+`, `{n+}` does not, RFC 7888). */
export interface SeedCommand {
  line: string;
  literal?: { bytes: Buffer; sync: boolean; after: string };
  /** The base64 line AUTHENTICATE PLAIN sends after the server's `+`. */
  sasl?: string;
  /** IDLE: the line ending it. */
  done?: string;
  /** A LOGIN or AUTHENTICATE: kept only in sessions that log in. */
  login?: boolean;
}

export interface SeedCredentials {
  username: string;
  password: string;
}

const MESSAGE = Buffer.from(
  "From: a@example.net\r\nTo: tess@example.org\r\nSubject: hello\r\nMessage-ID: <1@x>\r\n\r\nbody line\r\n",
);
const PY_MESSAGE = Buffer.from("From: p@example.net\r\nSubject: py\r\n\r\nfrom python\r\n");
const IMAPFLOW_ID =
  'ID ("name" "imapflow" "version" "1.7.8" "vendor" "Postal Systems" "support-url" "https://github.com/postalsys/imapflow/issues")';

/**
 * The mailbox a session may open read-write: `SELECT INBOX` of the recordings becomes `EXAMINE INBOX` or
 * `SELECT Scratch`, so that what the fuzz run checks (the INBOX's messages) can only change through a bug.
 */
export const SCRATCH = "Scratch";

const plain = ({ username, password }: SeedCredentials) =>
  Buffer.from(`\0${username}\0${password}`).toString("base64");

/** imapflow's session: connect, list, status, append, open, fetch, search, store, copy, move, idle, expunge, mailboxes, logout. */
export function imapflowSeed(c: SeedCredentials, open: string): SeedCommand[] {
  return [
    { line: `1 ${IMAPFLOW_ID}` },
    { line: "2 AUTHENTICATE PLAIN", sasl: plain(c), login: true },
    { line: `3 ${IMAPFLOW_ID}` },
    { line: "4 NAMESPACE" },
    { line: "5 ENABLE CONDSTORE QRESYNC" },
    { line: '6 LIST "" "*" RETURN (SPECIAL-USE CHILDREN SUBSCRIBED)' },
    { line: "7 STATUS INBOX (MESSAGES UIDNEXT UNSEEN HIGHESTMODSEQ)" },
    { line: `7a CREATE ${SCRATCH}` },
    {
      line: `8 APPEND ${SCRATCH} (\\Seen) {${MESSAGE.length}+}`,
      literal: { bytes: MESSAGE, sync: false, after: "" },
    },
    { line: `9 APPEND INBOX {${MESSAGE.length}+}`, literal: { bytes: MESSAGE, sync: false, after: "" } },
    { line: `A ${open}` },
    { line: "B FETCH 1:* (UID FLAGS BODYSTRUCTURE ENVELOPE INTERNALDATE RFC822.SIZE BODY.PEEK[] MODSEQ)" },
    { line: "C FETCH 2 (BODY.PEEK[] MODSEQ UID BODY.PEEK[HEADER.FIELDS (subject)])" },
    { line: "D UID FETCH 1 (UID BODYSTRUCTURE MODSEQ)" },
    { line: "E UID FETCH 1 (UID RFC822.SIZE MODSEQ BODY.PEEK[HEADER] BODY.PEEK[TEXT]<0.65536>)" },
    { line: "F UID SEARCH UNSEEN" },
    { line: "10 SEARCH SUBJECT hello YOUNGER 218262479" },
    { line: "11 UID STORE 1:* +FLAGS (\\Flagged)" },
    { line: "12 STORE 1 -FLAGS (\\Seen)" },
    { line: "13 UID COPY 1 Trash" },
    { line: "14 UID MOVE 2 Sent" },
    { line: "15 IDLE", done: "DONE" },
    { line: "16 NOOP" },
    { line: "17 UID STORE 1 +FLAGS (\\Deleted)" },
    { line: "18 UID EXPUNGE 1" },
    { line: "19 CREATE Archive" },
    { line: "1A SUBSCRIBE Archive" },
    { line: "1B RENAME Archive Old" },
    { line: "1C DELETE Old" },
    { line: "1D LOGOUT" },
  ];
}

/** imapflow reconnecting with QRESYNC (RFC 7162 §3.2.5) after changes made while it was away. */
export function imapflowResyncSeed(c: SeedCredentials, open: string): SeedCommand[] {
  return [
    { line: `1 ${IMAPFLOW_ID}` },
    { line: "2 AUTHENTICATE PLAIN", sasl: plain(c), login: true },
    { line: "4 NAMESPACE" },
    { line: "5 ENABLE CONDSTORE QRESYNC" },
    { line: '6 LIST "" "INBOX" RETURN (SPECIAL-USE CHILDREN SUBSCRIBED)' },
    { line: '7 LSUB "" "INBOX"' },
    { line: `8 ${open} (QRESYNC (1796099278 8 1:20 (1,5,9 1,5,9)))` },
    { line: "9 LOGOUT" },
  ];
}

/** imaplib's session: capability, login, list, append (a synchronising literal), open, search, fetch, store, status, close. */
export function imaplibSeed(c: SeedCredentials, open: string): SeedCommand[] {
  return [
    { line: "OINE0 CAPABILITY" },
    { line: "OINE1 CAPABILITY" },
    { line: `OINE2 LOGIN ${c.username} "${c.password}"`, login: true },
    { line: 'OINE3 LIST "" *' },
    {
      line: `OINE4 APPEND INBOX (\\Draft) "01-Dec-2026 04:28:04 +0000" {${PY_MESSAGE.length}}`,
      literal: { bytes: PY_MESSAGE, sync: true, after: "" },
    },
    { line: `OINE5 ${open}` },
    { line: "OINE6 SEARCH ALL" },
    { line: "OINE7 UID SEARCH UNSEEN" },
    { line: "OINE8 SEARCH CHARSET UTF-8 SUBJECT py" },
    { line: "OINE9 FETCH 1:* (FLAGS INTERNALDATE RFC822.SIZE)" },
    { line: "OINE10 FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)] BODY[TEXT])" },
    { line: "OINE11 UID FETCH 1:* (RFC822)" },
    { line: "OINE12 STORE 1 +FLAGS (\\Answered $Label1)" },
    { line: "OINE13 UID STORE 1 -FLAGS.SILENT (\\Answered)" },
    { line: "OINE14 STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)" },
    { line: "OINE15 NOOP" },
    { line: "OINE16 CLOSE" },
    { line: "OINE17 LOGOUT" },
  ];
}

/** Commands of the advertised extensions no recorded client sent, each as its RFC writes it. */
export const EXTENSION_COMMANDS: string[] = [
  "X1 UID SORT (REVERSE DATE) UTF-8 ALL",
  "X2 UID THREAD REFERENCES UTF-8 ALL",
  "X3 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000",
  "X4 UID SEARCH RETURN (MIN MAX COUNT ALL) UNDELETED",
  "X5 SEARCH OLDER 3600 TEXT word",
  "X6 GETQUOTAROOT INBOX",
  'X7 GETQUOTA ""',
  'X8 LIST "" % RETURN (STATUS (MESSAGES UNSEEN SIZE))',
  'X9 LIST (SUBSCRIBED SPECIAL-USE) "" "*"',
  "XA CREATE Drafts (USE (\\Drafts))",
  "XB FETCH 1:3 (BODY[1.2.HEADER]<0.10> BODY.PEEK[1.MIME] BODY.PEEK[2.1.TEXT])",
  "XC UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)",
  "XD STORE 1:2 (UNCHANGEDSINCE 1) +FLAGS.SILENT ($Junk)",
  "XE UNSELECT",
  "XF CHECK",
  "XG EXPUNGE",
  "XH ENABLE UTF8=ACCEPT",
  'XI STATUS "&AOQ-bc" (MESSAGES)',
  "XJ NAMESPACE",
  "XK COMPRESS DEFLATE",
  "XL STARTTLS",
  "XM UID COPY 1:* Trash",
  "XN MOVE 1 Archive",
  "XO EXAMINE Trash",
  'XP LSUB "" *',
  "XQ SUBSCRIBE INBOX",
  "XR UNSUBSCRIBE Nope",
];

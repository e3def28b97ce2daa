// Mutated IMAP sessions for the fuzz test, seeded from real clients' sessions (fuzz-seeds.ts), mutated at
// byte, token and literal level, written in lockstep (each command waits for its answer, a synchronising literal
// for the `+`) or pipelined in random chunks, and left by LOGOUT, half-close or vanishing.
// The INBOX is what the run checks, so no session can open it read-write: after mutation, any line that could
// be read as SELECT or RENAME of a mailbox other than the scratch ones is turned into EXAMINE (a server that
// lets STORE, EXPUNGE or MOVE change an EXAMINEd mailbox, or FETCH set \Seen in one, fails the check).
import {
  below,
  chunked,
  pick,
  randomBytes,
  type FuzzSession,
  type FuzzStep,
  type Random,
} from "../../../support/fuzz.js";
import {
  EXTENSION_COMMANDS,
  imapflowResyncSeed,
  imapflowSeed,
  imaplibSeed,
  SCRATCH,
  type SeedCommand,
  type SeedCredentials,
} from "./fuzz-seeds.js";

export interface ImapFuzzOptions extends SeedCredentials {
  /** The share of sessions that keep their login (a password check is deliberately slow). */
  loginShare: number;
}

/** Mailboxes a session may SELECT or RENAME: none of them is checked. */
const WRITABLE = [SCRATCH, "Trash", "Sent", "Archive", "Old", "Drafts"];

const NASTY = [
  0x00, 0x0a, 0x0d, 0x20, 0x22, 0x28, 0x29, 0x2a, 0x5b, 0x5d, 0x5c, 0x7b, 0x7d, 0x25, 0x7f, 0x80, 0xff, 0xc3,
];
const LITERAL_SIZES = [
  "{4294967295}",
  "{99999999999+}",
  "{0}",
  "{-1}",
  "{1a}",
  "{}",
  "{18446744073709551616}",
  "{70000}",
  "{3}",
];
const SEQUENCE_SETS = [
  "0",
  "*:*",
  "4294967296",
  "1:99999999999",
  "1,,2",
  "*:0",
  "-1",
  "1:",
  ":",
  "1:*,*",
  "4294967295:1",
];
const ODD_ARGUMENTS = [
  "(".repeat(2000),
  ")",
  '"',
  '"\\',
  "\\",
  "NIL",
  "{",
  "[",
  "BODY[",
  "BODY[1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20]",
  "BODY[]<4294967295.4294967295>",
  "BODY[HEADER.FIELDS ()]",
  "&Jjo",
  "Grüße",
  "INBOX.",
  "*",
  "%",
  "~",
];

/** Seeds, the line that opens a mailbox, and whether each command waits for its answer. */
function seedCommands(random: Random, o: ImapFuzzOptions): SeedCommand[] {
  const open = random() < 0.5 ? `SELECT ${SCRATCH}` : "EXAMINE INBOX";
  const kind = random();
  const commands =
    kind < 0.5 ? imapflowSeed(o, open) : kind < 0.65 ? imapflowResyncSeed(o, open) : imaplibSeed(o, open);
  const login = random() < o.loginShare;
  const kept = commands.filter((c) => (c.login ? login : random() < 0.9));
  // Now and then an extension's command, somewhere after the login.
  for (let n = below(random, 4); n > 0; n--)
    kept.splice(1 + below(random, kept.length), 0, { line: pick(random, EXTENSION_COMMANDS) });
  return kept;
}

/** One command as the pieces a client writes: the line, and the literal after a `+` when it must wait. */
interface Piece {
  bytes: Buffer;
  /** The client waits for an answer (tagged, or `+`) before the next piece. */
  awaits: boolean;
}

function piecesOf(c: SeedCommand): Buffer[][] {
  if (c.literal?.sync) return [[Buffer.from(c.line)], [c.literal.bytes, Buffer.from(c.literal.after)]];
  if (c.literal)
    return [[Buffer.from(c.line), Buffer.from("\r\n"), c.literal.bytes, Buffer.from(c.literal.after)]];
  if (c.sasl !== undefined) return [[Buffer.from(c.line)], [Buffer.from(c.sasl)]];
  if (c.done !== undefined) return [[Buffer.from(c.line)], [Buffer.from(c.done)]];
  return [[Buffer.from(c.line)]];
}

function mutate(random: Random, line: Buffer): Buffer {
  const at = below(random, line.length + 1);
  const text = line.toString("latin1");
  switch (below(random, 9)) {
    case 0: // a byte replaced
      return Buffer.concat([line.subarray(0, at), Buffer.from([pick(random, NASTY)]), line.subarray(at + 1)]);
    case 1: // random bytes inserted
      return Buffer.concat([
        line.subarray(0, at),
        randomBytes(random, 1 + below(random, 8)),
        line.subarray(at),
      ]);
    case 2: // cut short
      return line.subarray(0, at);
    case 3: // an overlong argument, now and then past the line cap
      return Buffer.concat([line, Buffer.alloc(random() < 0.05 ? 70_000 : 1000 + below(random, 5000), 0x41)]);
    case 4: // a literal's size changed, or one announced where none was
      return /\{\d+\+?\}/.test(text)
        ? Buffer.from(text.replace(/\{\d+\+?\}/, pick(random, LITERAL_SIZES)), "latin1")
        : Buffer.concat([line, Buffer.from(` ${pick(random, LITERAL_SIZES)}`)]);
    case 5: // a sequence set out of range or malformed
      return Buffer.from(
        text.replace(/(?<= )(\d+(:\d+|:\*)?|1:\*)(?= )/, pick(random, SEQUENCE_SETS)),
        "latin1",
      );
    case 6: // an odd argument inserted at a space
      return Buffer.from(text.replace(/ /, ` ${pick(random, ODD_ARGUMENTS)} `), "latin1");
    case 7: // tag or command name damaged
      return Buffer.concat([randomBytes(random, below(random, 3)), line.subarray(below(random, 4))]);
    default: // case changed
      return Buffer.from(random() < 0.5 ? text.toLowerCase() : text.toUpperCase(), "latin1");
  }
}

export function mutatedImapSession(random: Random, o: ImapFuzzOptions): FuzzSession {
  const pieces: Piece[] = [];
  for (const command of seedCommands(random, o))
    for (const parts of piecesOf(command)) pieces.push({ bytes: Buffer.concat(parts), awaits: true });
  for (let m = below(random, 6); m > 0; m--) {
    const i = below(random, Math.max(pieces.length, 1));
    if (!pieces[i]) break;
    if (random() < 0.15)
      pieces.splice(i, 0, { ...pieces[i] }); // repeated
    else pieces[i] = { ...pieces[i], bytes: mutate(random, pieces[i].bytes) };
  }
  const ending = random() < 0.9 ? "\r\n" : "\n";
  const steps: FuzzStep[] = pieces.map((p) => ({
    chunks: [withoutWritableOpens(Buffer.concat([p.bytes, Buffer.from(ending)]))],
    awaitReply: p.awaits,
  }));
  const leave = pick(random, ["end", "destroy", "wait"] as const);
  if (random() < 0.7) return { steps, leave };
  // Pipelined: everything at once in random chunks, literals without waiting for `+`.
  const bytes = Buffer.concat(steps.flatMap((s) => s.chunks));
  return { steps: [{ chunks: chunked(random, bytes), awaitReply: false }], leave };
}

const OPENS = /select|rename/i;
/** The forms left as they are: `tag SELECT <scratch>` and `tag RENAME <scratch> <name>`. */
const WRITABLE_OPEN = new RegExp(
  `^[^ ]+ (SELECT (${WRITABLE.join("|")})( \\(QRESYNC [^\\r\\n]*\\))?|RENAME (${WRITABLE.join("|")}) [A-Za-z]+)\\r?\\n?$`,
);

/**
 * The bytes with every line (at any LF: a command starts only after one) that mentions SELECT or RENAME made
 * harmless unless it is exactly a writable form: SELECT becomes EXAMINE, RENAME an unknown command. A line in
 * which those words hide behind other bytes (S\0ELECT) becomes NOOP.
 */
export function withoutWritableOpens(bytes: Buffer): Buffer {
  const out: Buffer[] = [];
  for (let start = 0; start < bytes.length;) {
    const nl = bytes.indexOf(0x0a, start);
    const end = nl < 0 ? bytes.length : nl + 1;
    out.push(harmless(bytes.subarray(start, end)));
    start = end;
  }
  return Buffer.concat(out);
}

function harmless(line: Buffer): Buffer {
  const text = line.toString("latin1");
  const letters = text.replace(/[^a-z]/gi, "");
  if (!OPENS.test(letters) || WRITABLE_OPEN.test(text)) return line;
  const renamed = text.replace(/select/gi, "EXAMINE").replace(/rename/gi, "XRENAME");
  if (!OPENS.test(renamed.replace(/examine|xrename/gi, "").replace(/[^a-z]/gi, "")))
    return Buffer.from(renamed, "latin1");
  return Buffer.from(`x NOOP${text.endsWith("\r\n") ? "\r\n" : text.endsWith("\n") ? "\n" : ""}`);
}

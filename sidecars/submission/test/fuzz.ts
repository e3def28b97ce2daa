// Mutated submission sessions for the fuzz test, seeded from a real one (what a mail client sends: EHLO, AUTH PLAIN
// or LOGIN, MAIL FROM with BODY/SIZE, RCPT to remote addresses, DATA with a dot-stuffed message, QUIT), then
// mutated at byte and command level, written pipelined in random chunks, and left by QUIT, half-close or vanishing.
// Recipients are remote only, so an accepted message changes nothing in the store but the sender's Sent and the
// outbound queue.
import { below, chunked, pick, randomBytes, type FuzzSession, type Random } from "../../../support/fuzz.js";

export interface SubmissionFuzzOptions {
  username: string;
  password: string;
  /** The user's own address (MAIL FROM and From). */
  address: string;
  /** Remote recipients (their domains are not this server's). */
  recipients: string[];
  /** Sessions that keep their AUTH line (each is a deliberately slow password check). */
  loginShare: number;
}

const NASTY = [0x00, 0x0a, 0x0d, 0x20, 0x2e, 0x3a, 0x3c, 0x3e, 0x7f, 0x80, 0xff, 0xc3];
const JUNK = [
  "HELO fuzz.example",
  "VRFY postmaster",
  "EXPN staff",
  "HELP",
  "STARTTLS",
  "AUTH CRAM-MD5",
  "AUTH LOGIN",
  "*",
  "BDAT 10 LAST",
  "XCLIENT ADDR=192.0.2.1",
  "PROXY TCP4 192.0.2.1 127.0.0.1 1 2",
  "",
  "DATA",
  ".",
  "MAIL FROM:<>",
  "MAIL FROM:<ceo@elsewhere.example>",
  "MAIL FROM:<x@y> SIZE=99999999999999999999",
  "MAIL FROM:<x@y> RET=FULL ENVID=1",
  "RCPT TO:<a@b> NOTIFY=NEVER",
  "RSET",
  "NOOP",
];

function message(random: Random, o: SubmissionFuzzOptions, to: string): string {
  const body = Array.from({ length: 1 + below(random, 20) }, (_, i) =>
    i % 7 === 3 ? `.dot line ${i}` : `Line ${i} of a fuzzed message.`,
  );
  return [`From: ${o.address}`, `To: ${to}`, "Subject: fuzz", "", ...body].join("\r\n") + "\r\n";
}

/** The lines of a client's session; the message is one item, dot-stuffed, with its terminator. */
function seedSession(random: Random, o: SubmissionFuzzOptions): string[] {
  const lines = ["EHLO client.fuzz.example"];
  if (random() < o.loginShare)
    lines.push(
      random() < 0.7
        ? `AUTH PLAIN ${Buffer.from(`\0${o.username}\0${o.password}`).toString("base64")}`
        : `AUTH LOGIN ${Buffer.from(o.username).toString("base64")}\r\n${Buffer.from(o.password).toString("base64")}`,
    );
  for (let t = 1 + below(random, 2); t > 0; t--) {
    const to = pick(random, o.recipients);
    const text = message(random, o, to);
    lines.push(
      `MAIL FROM:<${o.address}>${random() < 0.5 ? " BODY=8BITMIME" : ""}${random() < 0.3 ? ` SIZE=${text.length}` : ""}`,
      `RCPT TO:<${to}>`,
      "DATA",
      `${text.replace(/^\./gm, "..")}.`,
    );
  }
  lines.push("QUIT");
  return lines;
}

export function mutatedSubmissionSession(random: Random, o: SubmissionFuzzOptions): FuzzSession {
  const lines = seedSession(random, o)
    .filter(() => random() < 0.9)
    .map((l) => Buffer.from(l, "latin1"));
  const mutations = random() < 0.15 ? 0 : 1 + below(random, 5);
  for (let m = 0; m < mutations; m++) {
    const i = below(random, Math.max(lines.length, 1));
    const line = lines[i] ?? Buffer.alloc(0);
    const at = below(random, line.length + 1);
    switch (below(random, 6)) {
      case 0: // a byte replaced
        lines[i] = Buffer.concat([
          line.subarray(0, at),
          Buffer.from([pick(random, NASTY)]),
          line.subarray(at + 1),
        ]);
        break;
      case 1: // random bytes inserted
        lines[i] = Buffer.concat([
          line.subarray(0, at),
          randomBytes(random, 1 + below(random, 8)),
          line.subarray(at),
        ]);
        break;
      case 2: // cut short
        lines[i] = line.subarray(0, at);
        break;
      case 3: // repeated
        lines.splice(i, 0, line);
        break;
      case 4: // an overlong line (past smtp-server's 16 kB now and then)
        lines[i] = Buffer.concat([line, Buffer.alloc(1000 + below(random, 20_000), 0x41)]);
        break;
      default: // a command a client should not send here
        lines.splice(i, 0, Buffer.from(pick(random, JUNK), "latin1"));
    }
  }
  const ending = random() < 0.85 ? "\r\n" : "\n";
  const bytes = Buffer.concat(lines.map((l) => Buffer.concat([l, Buffer.from(ending)])));
  return {
    steps: [{ chunks: chunked(random, bytes), awaitReply: false }],
    leave: pick(random, ["end", "destroy", "wait"] as const),
  };
}

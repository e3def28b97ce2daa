// Mutated LMTP sessions for the fuzz test, seeded from a real one (what Postfix's lmtp client sends: LHLO, MAIL
// FROM with SIZE/BODY/SMTPUTF8, several RCPT including unknown ones, DATA with a dot-stuffed corpus message, a
// second transaction after RSET/NOOP, QUIT), then mutated at byte, token and command level, written pipelined,
// in batches or in lockstep, and left by QUIT, half-close or vanishing (also in the middle of DATA).
import {
  below,
  chunked,
  pick,
  randomBytes,
  type FuzzSession,
  type FuzzStep,
  type Random,
} from "../../../support/fuzz.js";

export interface LmtpFuzzTargets {
  /** Addresses that reach a user (each in its plain form; the mutator adds case, +label and dots). */
  known: string[];
  /** Addresses no user holds: 550 5.1.1. */
  unknown: string[];
  /** Message sources to deliver (corpus messages), any line endings. */
  messages: Buffer[];
}

/** A command line (no line end) or a DATA body (dot-stuffed, with its terminator). */
type Item = { kind: "line"; bytes: Buffer } | { kind: "body"; bytes: Buffer };

const NASTY = [0x00, 0x0a, 0x0d, 0x20, 0x2e, 0x3a, 0x3c, 0x3e, 0x22, 0x5c, 0x7f, 0x80, 0xff, 0xc3];
const JUNK_COMMANDS = [
  "HELO fuzz.example",
  "EHLO fuzz.example",
  "LHLO",
  "VRFY postmaster",
  "EXPN staff",
  "HELP",
  "STARTTLS",
  "AUTH PLAIN AGZ1enoAc2VjcmV0",
  "BDAT 10 LAST",
  "XCLIENT ADDR=192.0.2.1",
  "XFORWARD NAME=spoof.example",
  "TURN",
  "ETRN fuzz.test",
  "",
  " ",
  "\t",
  "DATA",
  ".",
  "MAIL FROM:<>",
  "RSET",
  "NOOP ignored argument",
  "QUIT now",
  "RCPT TO:<postmaster>",
];
const SIZE_VALUES = ["0", "-1", "1e9", "99999999999999999999999", "0x10", "", "12 34", "NaN", "1.5", "٣"];
const ADDRESS_FORMS = [
  "",
  "<>",
  "<<a@fuzz.test>>",
  "a@fuzz.test",
  "<a@fuzz.test",
  "<a@[127.0.0.1]>",
  "<a@fuzz.test.>",
  '<"a b"@fuzz.test>',
  "<@relay.example:a@fuzz.test>",
  "<jörg@bücher.test>",
  "<a@fuzz.test> BODY=8BITMIME",
  "< a@fuzz.test >",
  "<a@@fuzz.test>",
  "<\u0000@fuzz.test>",
];

export function mutatedLmtpSession(random: Random, targets: LmtpFuzzTargets, tag: string): FuzzSession {
  const items = seedSession(random, targets, tag);
  const mutations = random() < 0.15 ? 0 : 1 + below(random, 5);
  for (let m = 0; m < mutations; m++) mutate(random, items, targets);
  const ending = Buffer.from(random() < 0.85 ? "\r\n" : "\n");
  const encoded = items.map((it) => (it.kind === "line" ? Buffer.concat([it.bytes, ending]) : it.bytes));

  let leave = pick(random, ["end", "destroy", "wait"] as const);
  const cutMidData = random() < 0.1 && items.some((it) => it.kind === "body");
  if (cutMidData) {
    // Vanish or half-close in the middle of a message: what follows its first body is never sent.
    const body = items.findIndex((it) => it.kind === "body");
    const bytes = encoded[body];
    encoded.splice(body, encoded.length - body, bytes.subarray(0, below(random, bytes.length)));
    leave = random() < 0.5 ? "destroy" : "end";
  }

  const style = random();
  const steps: FuzzStep[] = [];
  if (style < 0.5) {
    // Pipelined: everything at once, in random chunks (PIPELINING, RFC 2920).
    steps.push({ chunks: chunked(random, Buffer.concat(encoded)), awaitReply: false });
  } else if (style < 0.8) {
    // Lockstep: one command, then its reply, as a client without PIPELINING.
    for (const bytes of encoded) steps.push({ chunks: chunked(random, bytes, 4096), awaitReply: true });
  } else {
    // Batches of a few commands, each waiting for a reply before the next.
    for (let i = 0; i < encoded.length;) {
      const n = 1 + below(random, 4);
      steps.push({ chunks: chunked(random, Buffer.concat(encoded.slice(i, i + n))), awaitReply: true });
      i += n;
    }
  }
  return { steps, leave };
}

function seedSession(random: Random, targets: LmtpFuzzTargets, tag: string): Item[] {
  const line = (text: string): Item => ({ kind: "line", bytes: Buffer.from(text) });
  const items: Item[] = [line("LHLO mta.fuzz.example")];
  const transactions = random() < 0.3 ? 2 : 1;
  for (let t = 0; t < transactions; t++) {
    if (t > 0) items.push(line(pick(random, ["RSET", "NOOP"])));
    const message = Buffer.concat([
      Buffer.from(`X-Fuzz-Session: ${tag}-${t}\r\n`),
      toCrlf(pick(random, targets.messages)),
    ]);
    const params = [`SIZE=${message.length}`];
    if (random() < 0.6) params.push("BODY=8BITMIME");
    if (random() < 0.3) params.push("SMTPUTF8");
    const from = random() < 0.15 ? "<>" : "<sender@origin.example>";
    items.push(line(`MAIL FROM:${from} ${params.join(" ")}`));
    const rcpts = 1 + below(random, 4);
    for (let r = 0; r < rcpts; r++) {
      const address =
        random() < 0.75 ? variant(random, pick(random, targets.known)) : pick(random, targets.unknown);
      items.push(line(`RCPT TO:<${address}>`));
    }
    items.push(line("DATA"), {
      kind: "body",
      bytes: Buffer.concat([dotStuff(message), Buffer.from(".\r\n")]),
    });
  }
  items.push(line("QUIT"));
  return items;
}

/** The same mailbox written as an MTA might: another case, a +label, or as it is. */
function variant(random: Random, address: string): string {
  const [local, domain] = address.split("@");
  switch (below(random, 4)) {
    case 0:
      return address.toUpperCase();
    case 1:
      return `${local}+fuzz${below(random, 100)}@${domain}`;
    default:
      return address;
  }
}

function mutate(random: Random, items: Item[], targets: LmtpFuzzTargets): void {
  const i = below(random, items.length);
  const item = items[i];
  const bytes = item.bytes;
  const at = below(random, bytes.length + 1);
  const replace = (b: Buffer) => (items[i] = { kind: item.kind, bytes: b });
  switch (below(random, 14)) {
    case 0: // a command (or a body) dropped
      items.splice(i, 1);
      break;
    case 1: // repeated
      items.splice(i, 0, item);
      break;
    case 2: // two swapped
      if (i + 1 < items.length) [items[i], items[i + 1]] = [items[i + 1], items[i]];
      break;
    case 3: // a command the server does not take, or one out of order
      items.splice(i, 0, { kind: "line", bytes: Buffer.from(pick(random, JUNK_COMMANDS)) });
      break;
    case 4: // a byte replaced: NUL, bare CR or LF, ':', 8-bit...
      replace(
        Buffer.concat([bytes.subarray(0, at), Buffer.from([pick(random, NASTY)]), bytes.subarray(at + 1)]),
      );
      break;
    case 5: // random bytes inserted
      replace(
        Buffer.concat([
          bytes.subarray(0, at),
          randomBytes(random, 1 + below(random, 16)),
          bytes.subarray(at),
        ]),
      );
      break;
    case 6: // cut short
      replace(bytes.subarray(0, at));
      break;
    case 7: // a long line: over 512 octets, or over the server's command limit
      replace(
        Buffer.concat([
          bytes.subarray(0, at),
          Buffer.alloc(500 + below(random, 40_000), 0x41),
          bytes.subarray(at),
        ]),
      );
      break;
    case 8: // ':' in the command name
      if (item.kind === "line")
        replace(
          Buffer.concat([
            bytes.subarray(0, Math.min(at, 4)),
            Buffer.from(":"),
            bytes.subarray(Math.min(at, 4)),
          ]),
        );
      break;
    case 9: // MAIL FROM parameters: huge, negative or malformed SIZE, unknown BODY, unknown parameters
      items.splice(i, 0, {
        kind: "line",
        bytes: Buffer.from(
          `MAIL FROM:<sender@origin.example> ${pick(random, [
            `SIZE=${pick(random, SIZE_VALUES)}`,
            "BODY=BINARYMIME",
            "BODY=",
            "SMTPUTF8=yes",
            "FOO=bar",
            "RET=HDRS ENVID=x",
            "SIZE=1 SIZE=2",
            "=",
          ])}`,
        ),
      });
      break;
    case 10: // a malformed or unusual address
      items.splice(i, 0, {
        kind: "line",
        bytes: Buffer.from(
          `${pick(random, ["RCPT TO:", "MAIL FROM:", "RCPT TO: ", "RCPT  TO:"])}${pick(random, ADDRESS_FORMS).replace("a@fuzz.test", pick(random, targets.known))}`,
        ),
      });
      break;
    case 11: // the body: a bare LF or CR, a terminator with bare LF, an unstuffed dot line, no terminator
      if (item.kind === "body") replace(mutateBody(random, bytes));
      break;
    case 12: // lower case, as some clients send
      if (item.kind === "line") replace(Buffer.from(bytes.toString("latin1").toLowerCase(), "latin1"));
      break;
    default: // a line of random bytes
      items.splice(i, 0, { kind: "line", bytes: randomBytes(random, below(random, 80)) });
  }
}

function mutateBody(random: Random, body: Buffer): Buffer {
  const end = body.length - 3; // before ".\r\n"
  const at = below(random, Math.max(end, 1));
  const insert = (b: string) => Buffer.concat([body.subarray(0, at), Buffer.from(b), body.subarray(at)]);
  switch (below(random, 7)) {
    case 0:
      return insert("\n");
    case 1:
      return insert("\r");
    case 2:
      return insert("\n.\n"); // a bare-LF "terminator" must not end the message (SMTP smuggling)
    case 3:
      return insert("\r\n.\nMAIL FROM:<smuggled@origin.example>\r\n");
    case 4:
      return insert("\r\n.\r\n"); // an unstuffed lone dot: the message ends early, the rest are commands
    case 5:
      return body.subarray(0, end); // DATA without its end
    default:
      return insert("\r\n..\r\n.x\r\n");
  }
}

/** LF or CRLF line ends to CRLF, as an MTA sends them. */
function toCrlf(message: Buffer): Buffer {
  const text = message.toString("latin1").replace(/\r?\n/g, "\r\n");
  return Buffer.from(text.endsWith("\r\n") ? text : `${text}\r\n`, "latin1");
}

/** RFC 5321 §4.5.2: a line starting with "." gets one more. */
function dotStuff(message: Buffer): Buffer {
  const text = message.toString("latin1");
  return Buffer.from((text.startsWith(".") ? "." : "") + text.replace(/\r\n\./g, "\r\n.."), "latin1");
}

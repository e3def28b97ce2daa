// Mutated POP3 sessions, seeded from a real one, for the fuzz test: each is the bytes a broken or hostile
// client sends, and how it leaves (QUIT as sent, half-close, or vanishing). DELE is never sent with a number
// that exists, so no session may change the maildrop beyond what RETR's \\Seen does at QUIT.
import { chunked, randomBytes, type FuzzSession, type Random } from "../../../support/fuzz.js";
import { parseNumber, parseRequest } from "../protocol/request.js";

export interface Pop3FuzzOptions {
  username: string;
  password: string;
  /**
   * The share of sessions that keep their login lines (USER/PASS, AUTH PLAIN). A password check costs a
   * deliberately slow scrypt (about 0.1 s here), so long runs keep most sessions in AUTHORIZATION state.
   */
  loginShare: number;
}

/** What a mail client sends: CAPA, maybe UTF8, one way of logging in, the listing, a TOP and a RETR, QUIT. */
function seedSession(random: Random, o: Pop3FuzzOptions): string[] {
  const lines = ["CAPA"];
  if (random() < 0.5) lines.push("UTF8");
  if (random() < o.loginShare)
    lines.push(
      ...(random() < 0.6
        ? [`USER ${o.username}`, `PASS ${o.password}`]
        : [`AUTH PLAIN ${Buffer.from(`\0${o.username}\0${o.password}`).toString("base64")}`]),
    );
  lines.push("STAT", "LIST", "LIST 2", "UIDL", "UIDL 1", "TOP 1 3", "RETR 2");
  if (random() < 0.3) lines.push("RSET");
  lines.push("NOOP", "QUIT");
  // STLS, rarely: after its +OK the server waits for a TLS handshake and gets the rest of these lines instead.
  if (random() < 0.05) lines.splice(1 + Math.floor(random() * (lines.length - 1)), 0, "STLS");
  return lines;
}

const NASTY = [0x00, 0x0a, 0x0d, 0x20, 0x2e, 0x3a, 0x2a, 0x3d, 0x7f, 0x80, 0xff, 0xc3];

export function mutatedPop3Session(random: Random, o: Pop3FuzzOptions): FuzzSession {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const lines = seedSession(random, o)
    .filter(() => random() < 0.85)
    .map((l) => Buffer.from(l));
  for (let m = Math.floor(random() * 6); m > 0; m--) {
    const i = Math.floor(random() * Math.max(lines.length, 1));
    const line = lines[i] ?? Buffer.alloc(0);
    const at = Math.floor(random() * (line.length + 1));
    switch (Math.floor(random() * 6)) {
      case 0: // a byte replaced
        lines[i] = Buffer.concat([line.subarray(0, at), Buffer.from([pick(NASTY)]), line.subarray(at + 1)]);
        break;
      case 1: // random bytes inserted
        lines[i] = Buffer.concat([
          line.subarray(0, at),
          randomBytes(random, 1 + Math.floor(random() * 8)),
          line.subarray(at),
        ]);
        break;
      case 2: // cut short
        lines[i] = line.subarray(0, at);
        break;
      case 3: // repeated
        lines.splice(i, 0, line);
        break;
      case 4: // an overlong argument
        lines[i] = Buffer.concat([line, Buffer.alloc(1000 + Math.floor(random() * 5000), 0x41)]);
        break;
      default: // a numeric argument out of range
        lines[i] = Buffer.from(
          `${pick(["LIST", "TOP", "RETR", "DELE", "UIDL"])} ${pick(["0", "-1", "99999999999", "1 -1", "1 99999999", "x"])}`,
        );
    }
  }
  const ending = random() < 0.8 ? "\r\n" : "\n";
  const bytes = withoutDele(Buffer.concat(lines.map((l) => Buffer.concat([l, Buffer.from(ending)]))));
  // Pipelined (RFC 2449), in random chunks.
  return {
    steps: [{ chunks: chunked(random, bytes), awaitReply: false }],
    leave: pick(["end", "destroy", "wait"] as const),
  };
}

/** The bytes with every line the server would read as DELE of an existing number made harmless. */
function withoutDele(bytes: Buffer): Buffer {
  const lines: Buffer[] = [];
  for (let start = 0; start < bytes.length;) {
    const nl = bytes.indexOf(0x0a, start);
    const end = nl < 0 ? bytes.length : nl + 1;
    const line = bytes.subarray(start, end);
    const request = parseRequest(line.toString("utf8").replace(/\r?\n$/, ""));
    const deletes = request.ok && request.command === "DELE" && parseNumber(request.args[0]) !== null;
    lines.push(deletes ? Buffer.from("DELE 0\r\n") : line);
    start = end;
  }
  return Buffer.concat(lines);
}

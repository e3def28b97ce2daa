// Mutated POP3 sessions, seeded from a real one, for the fuzz test: each is the bytes a broken or hostile
// client sends, and how it leaves (QUIT as sent, half-close, or vanishing).
const SEED_SESSION = [
  "CAPA",
  "USER fuzz",
  "PASS a long secret",
  "STAT",
  "LIST",
  "LIST 2",
  "UIDL",
  "UIDL 1",
  "TOP 1 3",
  "RETR 2",
  "RSET",
  "NOOP",
  `AUTH PLAIN ${Buffer.from("\0fuzz\0a long secret").toString("base64")}`,
  "UTF8",
  "STLS",
  "QUIT",
];

const NASTY = [0x00, 0x0a, 0x0d, 0x20, 0x2e, 0x3a, 0x2a, 0x3d, 0x7f, 0x80, 0xff, 0xc3];

/** mulberry32: a small seeded PRNG, so a failing run can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzSession {
  /** The bytes, in the chunks they are written in. */
  chunks: Buffer[];
  leave: "end" | "destroy" | "wait";
}

export function mutatedSession(random: () => number): FuzzSession {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const lines = SEED_SESSION.filter(() => random() < 0.8).map((l) => Buffer.from(l));
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
  const bytes = Buffer.concat(lines.map((l) => Buffer.concat([l, Buffer.from(ending)])));
  const chunks: Buffer[] = [];
  for (let from = 0; from < bytes.length;) {
    const size = 1 + Math.floor(random() * 64);
    chunks.push(bytes.subarray(from, from + size));
    from += size;
  }
  return { chunks, leave: pick(["end", "destroy", "wait"] as const) };
}

function randomBytes(random: () => number, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
}

// What the protocol fuzzers share: a seeded PRNG (mulberry32, so that a failing run can be replayed from its
// seed) and the shape of one mutated session, which bench/fuzz plays against a server.

/** One mutated session: the bytes a broken or hostile client sends, and how it leaves. */
export interface FuzzSession {
  /** Written in order; after a step with `awaitReply` the client waits for the server's next reply first. */
  steps: FuzzStep[];
  /** QUIT or not, "end" half-closes, "destroy" vanishes, "wait" waits briefly for the server to close first. */
  leave: "end" | "destroy" | "wait";
}

export interface FuzzStep {
  /** The bytes, in the chunks they are written in. */
  chunks: Buffer[];
  awaitReply: boolean;
}

export type Random = () => number;

export function prng(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n). */
export const below = (random: Random, n: number): number => Math.floor(random() * n);

export const pick = <T>(random: Random, items: readonly T[]): T => items[below(random, items.length)];

export function randomBytes(random: Random, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => below(random, 256)));
}

/** The bytes cut at random places into chunks of 1..max bytes, as a client's writes would arrive. */
export function chunked(random: Random, bytes: Buffer, max = 64): Buffer[] {
  const chunks: Buffer[] = [];
  for (let from = 0; from < bytes.length;) {
    const size = 1 + below(random, max);
    chunks.push(bytes.subarray(from, from + size));
    from += size;
  }
  return chunks;
}

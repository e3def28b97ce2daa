// `eider import mbox FILE | maildir DIR --user NAME [--mailbox PATH]`: existing mail in, through the core's one
// delivery path, byte-exact, with progress; a second run skips what the first one stored (Message-ID + size).
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { EiderConfig } from "../config/config.js";
import { ADMIN, type ImportOutcome, type ImportSession } from "../core/index.js";
import { openCore } from "../main.js";
import { expectOptions, expectPositional, option, UsageError, type ParsedArgs } from "./args.js";
import { listMaildir, readMaildir } from "./import/maildir.js";
import { readMbox } from "./import/mbox.js";
import { duration, Progress } from "./import/progress.js";

/** Failures listed one by one before the rest are only counted. */
const MAX_FAILURE_LINES = 20;
const READ_CHUNK_BYTES = 1024 * 1024;

interface Source {
  totalBytes: number;
  messages: AsyncIterable<{
    raw: Buffer;
    /** The size of a message too large to read into memory (its bytes were skipped). */
    oversize?: number;
    flags?: string[];
    internalDate?: Date;
    label: string;
  }>;
}

export async function runImport(config: EiderConfig, args: ParsedArgs): Promise<number> {
  expectOptions(args, "import", ["user", "mailbox"]);
  expectPositional(args, "import", 3);
  const [, format, location] = args.positional;
  const username = option(args, "user");
  if (format !== "mbox" && format !== "maildir")
    throw new UsageError(`"import" takes mbox FILE or maildir DIR, not "${format ?? ""}".`);
  if (!location)
    throw new UsageError(`"import ${format}" needs the ${format === "mbox" ? "file" : "folder"} to read.`);
  if (!username) throw new UsageError(`"import" needs --user NAME.`);
  const max = config.limits.maxMessageBytes;
  const source = format === "mbox" ? await mboxSource(location, max) : await maildirSource(location, max);
  const { core } = await openCore(config);
  try {
    const session = await core.delivery.openImport(ADMIN, { username, mailboxPath: option(args, "mailbox") });
    return await importAll(session, source, username, max);
  } finally {
    await core.close();
  }
}

async function mboxSource(file: string, maxMessageBytes: number): Promise<Source> {
  const totalBytes = (await stat(file)).size;
  async function* messages() {
    let n = 0;
    const input = createReadStream(file, { highWaterMark: READ_CHUNK_BYTES });
    for await (const m of readMbox(input, { maxMessageBytes })) {
      n++;
      yield {
        raw: m.raw,
        oversize: m.oversize,
        internalDate: m.internalDate,
        label: `message ${n} of ${file}`,
      };
    }
  }
  return { totalBytes, messages: messages() };
}

async function maildirSource(dir: string, maxMessageBytes: number): Promise<Source> {
  const files = await listMaildir(dir);
  async function* messages() {
    for await (const m of readMaildir(files, { maxMessageBytes })) yield { ...m, label: m.file };
  }
  return { totalBytes: files.reduce((sum, f) => sum + f.size, 0), messages: messages() };
}

async function importAll(
  session: ImportSession,
  source: Source,
  username: string,
  maxMessageBytes: number,
): Promise<number> {
  const progress = new Progress(process.stderr, source.totalBytes);
  const counts = new Map<ImportOutcome["status"], number>();
  let failures = 0;
  for await (const m of source.messages) {
    const outcome: ImportOutcome =
      m.oversize !== undefined
        ? {
            status: "too-large",
            message: `The message has ${m.oversize} bytes; the limit is ${maxMessageBytes}.`,
          }
        : await session.add(m.raw, { flags: m.flags, internalDate: m.internalDate });
    counts.set(outcome.status, (counts.get(outcome.status) ?? 0) + 1);
    if (outcome.status !== "stored" && outcome.status !== "skipped") {
      failures++;
      progress.done();
      if (failures <= MAX_FAILURE_LINES) console.error(`${m.label}: ${outcome.status}: ${outcome.message}`);
      if ("cause" in outcome && outcome.cause && failures <= MAX_FAILURE_LINES) console.error(outcome.cause);
    }
    progress.tick(m.oversize ?? m.raw.length);
  }
  progress.done();
  const seconds = (Date.now() - progress.started) / 1000;
  const stored = counts.get("stored") ?? 0;
  const skipped = counts.get("skipped") ?? 0;
  console.log(
    `Imported into ${username}/${session.mailboxPath}: ${stored} stored, ${skipped} skipped (already there), ` +
      `${failures} failed, of ${progress.count} messages (${(progress.bytes / 1e6).toFixed(1)} MB) in ` +
      `${duration(seconds)} (${seconds > 0 ? Math.round(progress.count / seconds) : progress.count} messages/s, ` +
      `${seconds > 0 ? (progress.bytes / 1e6 / seconds).toFixed(1) : "-"} MB/s).`,
  );
  if (failures > MAX_FAILURE_LINES)
    console.error(`${failures - MAX_FAILURE_LINES} more failures not listed.`);
  return failures > 0 ? 1 : 0;
}

// Reading a Maildir (new/ and cur/; tmp/ holds deliveries in progress and is left alone). Flags come from the
// `:2,` info suffix of each file name (https://cr.yp.to/proto/maildir.html); the internal date is the file's
// modification time, as Dovecot takes it.
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";

export interface MaildirMessage {
  file: string;
  /** Empty when the file is larger than the cap (then `oversize` is its size). */
  raw: Buffer;
  oversize?: number;
  flags: string[];
  internalDate: Date;
}

/** The Maildir flag letters (upper case; lower-case letters are a server's own keywords, not portable). */
const FLAG_LETTERS: Record<string, string> = {
  D: "\\Draft",
  F: "\\Flagged",
  P: "$Forwarded",
  R: "\\Answered",
  S: "\\Seen",
  T: "\\Deleted",
};

/** The flags a Maildir file name carries: `1700000000.M1P2.host:2,FS` -> \Flagged \Seen. */
export function maildirFlags(name: string): string[] {
  const info = name.lastIndexOf(":2,");
  if (info < 0) return [];
  return [...name.slice(info + 3)].flatMap((letter) => (FLAG_LETTERS[letter] ? [FLAG_LETTERS[letter]] : []));
}

/** The message files of a Maildir, new/ then cur/, each sorted by name (the names start with the delivery time). */
export async function listMaildir(dir: string): Promise<Array<{ file: string; size: number }>> {
  const out: Array<{ file: string; size: number }> = [];
  let found = false;
  for (const sub of ["new", "cur"]) {
    let names: string[];
    try {
      names = await readdir(path.join(dir, sub));
      found = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw err;
    }
    for (const name of names.filter((n) => !n.startsWith(".")).sort()) {
      const file = path.join(dir, sub, name);
      const info = await stat(file);
      if (info.isFile()) out.push({ file, size: info.size });
    }
  }
  if (!found) throw new Error(`"${dir}" is not a Maildir: it has neither new/ nor cur/.`);
  return out;
}

/** Reads the listed files one at a time; a file past `maxMessageBytes` is reported by size, not read. */
export async function* readMaildir(
  files: Array<{ file: string }>,
  options: { maxMessageBytes?: number } = {},
): AsyncGenerator<MaildirMessage> {
  const cap = options.maxMessageBytes ?? Infinity;
  for (const { file } of files) {
    const info = await stat(file);
    const flags = maildirFlags(path.basename(file));
    if (info.size > cap)
      yield { file, raw: Buffer.alloc(0), oversize: info.size, flags, internalDate: info.mtime };
    else yield { file, raw: await readFile(file), flags, internalDate: info.mtime };
  }
}

// A large INBOX for Dovecot written straight into its maildir (100,000 LMTP deliveries would take minutes): the
// same generated messages and internal dates as lib/fill.ts gives Eider's (message n is seed message n % seed,
// as the fill's copies are), one file each in cur/, its size in the name (S=) so Dovecot need not stat it, its
// mtime the internal date.
import { execFileSync } from "node:child_process";
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generatedMessage, seedDate } from "./fill.js";

export function writeMaildir(
  inbox: string,
  total: number,
  seed: number,
  owner: { uid: number; gid: number },
): void {
  for (const sub of ["cur", "new", "tmp"]) mkdirSync(path.join(inbox, sub), { recursive: true });
  const messages = Array.from({ length: Math.min(seed, total) }, (_, i) => {
    const date = seedDate(i, seed);
    return { date, bytes: generatedMessage(i, date) };
  });
  const t = Math.floor(Date.now() / 1000);
  for (let n = 0; n < total; n++) {
    const { date, bytes } = messages[n % seed];
    const file = path.join(inbox, "cur", `${t}.M${n}P1.bench,S=${bytes.length}:2,`);
    writeFileSync(file, bytes);
    utimesSync(file, date, date);
  }
  execFileSync("chown", ["-R", `${owner.uid}:${owner.gid}`, inbox]);
}

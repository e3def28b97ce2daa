// `eider import` as an admin runs it: `node bin/eider.js import ...` in a child process on a data folder, then
// every message read back through the core's UID service on the same folder and compared byte for byte.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { ADMIN, type Core, type Principal } from "../../src/core/index.js";
import { openCore } from "../../src/main.js";
import { corpusMessages } from "../../support/corpus.js";
import { ADMIN_TOKEN } from "../harness/eider.js";
import { ensureBuild } from "./ensure-build.js";
import { runEider } from "./run-eider.js";

const CORPUS_COUNT = 300;

/** An mboxrd file: a From line per message, `>*From ` lines quoted with one more `>`, a blank line after each. */
function writeMbox(file: string, messages: Buffer[]): void {
  const parts: Buffer[] = [];
  messages.forEach((m, i) => {
    const date = new Date(Date.UTC(2002, 7, 22, 12, 0, i))
      .toUTCString()
      .replace(/^(\w+), (\d+) (\w+) (\d+) (.*) GMT$/, "$1 $3 $2 $5 $4");
    parts.push(Buffer.from(`From sender${i}@example.net ${date}\n`));
    parts.push(Buffer.from(m.toString("latin1").replace(/^(>*From )/gm, ">$1"), "latin1"));
    parts.push(Buffer.from("\n"));
  });
  writeFileSync(file, Buffer.concat(parts));
}

/** Not on a terminal, stderr holds only plain progress lines (one every few seconds), no failures. */
const onlyProgress = (stderr: string) =>
  stderr
    .split("\n")
    .filter(Boolean)
    .every((line) => /^ *\d+% {2}[\d,]+ messages {2}[\d.]+ MB\/s {2}ETA /.test(line));

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe("CLI: eider import", () => {
  let dataDir: string;
  let env: Record<string, string>;
  let core: Core;
  let bob: Principal;
  const temp: string[] = [];
  const eider = (...args: string[]) => runEider(args, env);

  /** Every message of a mailbox in UID order: flags and the exact bytes. */
  async function mailbox(pathName: string) {
    const box = await core.uidMailboxes.openByPath(bob, pathName);
    const out: Array<{ flags: string[]; raw: Buffer; internalDate: Date }> = [];
    for await (const batch of core.uidMailboxes.fetch(bob, box.mailboxId, [{ from: 1, to: 2 ** 32 - 1 }])) {
      for (const m of batch) {
        const body = await core.uidMailboxes.body(bob, box.mailboxId, m.uid, { part: [] });
        out.push({ flags: m.flags, raw: await bytesOf(body!.stream), internalDate: m.internalDate });
      }
    }
    return out;
  }

  beforeAll(async () => {
    await ensureBuild();
    dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-import-"));
    temp.push(dataDir);
    env = { EIDER_DATA_DIR: dataDir, EIDER_ADMIN_TOKEN: ADMIN_TOKEN };
    const add = await eider(
      "user",
      "add",
      "bob",
      "--password",
      "a long secret",
      "--address",
      "bob@example.org",
    );
    expect(add.code).toBe(0);
    ({ core } = await openCore(loadConfig({ env }), undefined));
    bob = { kind: "user", userId: (await core.users.findByName(ADMIN, "bob")).id };
  });
  afterAll(async () => {
    await core?.close();
    for (const dir of temp) rmSync(dir, { recursive: true, force: true });
  });

  it("imports a real mbox from the corpus byte-exact, in order, and a second run imports nothing", async () => {
    // An mbox cannot say that a message lacked a final line feed (the writer must add one), so those are left out.
    const corpus = corpusMessages(CORPUS_COUNT).filter((m) => m.length > 0 && m[m.length - 1] === 0x0a);
    const crafted = [
      Buffer.from(
        "Subject: quoting\n\nFrom the start of a line\n>From quoted once\n>>From quoted twice\n\nFrom again\n",
      ),
      Buffer.from("Subject: crlf\r\nMessage-ID: <crlf@example.net>\r\n\r\nbody\r\n"),
    ];
    const messages = [...crafted, ...corpus];
    const dir = mkdtempSync(path.join(os.tmpdir(), "eider-mbox-"));
    temp.push(dir);
    const file = path.join(dir, "corpus.mbox");
    writeMbox(file, messages);

    const first = await eider("import", "mbox", file, "--user", "bob");
    expect(onlyProgress(first.stderr)).toBe(true);
    expect(first.code).toBe(0);
    const summary = /(\d+) stored, (\d+) skipped \(already there\), 0 failed, of (\d+) messages/.exec(
      first.stdout,
    );
    expect(summary, first.stdout).not.toBeNull();
    const [stored, skipped, total] = summary!.slice(1).map(Number);
    expect(total).toBe(messages.length);
    expect(stored + skipped).toBe(total);

    // Stored messages, in UID order, are the mbox's messages in file order, byte for byte; what was not stored
    // was a repeat (same Message-ID and size) of an earlier one, so it is skipped, not lost.
    const inbox = await mailbox("INBOX");
    expect(inbox).toHaveLength(stored);
    let j = 0;
    const skippedOnes: Buffer[] = [];
    for (const m of messages) {
      if (j < inbox.length && inbox[j].raw.equals(m)) j++;
      else skippedOnes.push(m);
    }
    expect(j).toBe(stored);
    // Each skipped message repeats one stored before it: the same size and the same Message-ID header (read
    // here with a plain pattern, independently of the importer), so a dedupe that skipped too much would fail.
    const messageIdOf = (raw: Buffer) => {
      const head = raw.subarray(0, Math.max(0, raw.indexOf("\n\n") + 1) || raw.length).toString("latin1");
      return /^message-id:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(head)?.[1].replace(/\s+/g, "") ?? null;
    };
    for (const m of skippedOnes) {
      const id = messageIdOf(m);
      expect(id, `skipped a message without a Message-ID: ${m.subarray(0, 120).toString()}`).not.toBeNull();
      expect(
        inbox.some((s) => s.raw.length === m.length && messageIdOf(s.raw) === id),
        `skipped ${id} (${m.length} bytes), which repeats nothing stored`,
      ).toBe(true);
    }
    expect(inbox[1].internalDate.toISOString()).toBe("2002-08-22T12:00:01.000Z");

    const second = await eider("import", "mbox", file, "--user", "bob");
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(
      `0 stored, ${total} skipped (already there), 0 failed, of ${total} messages`,
    );
    expect(await mailbox("INBOX")).toHaveLength(stored);
  });

  it("imports a Maildir into a new mailbox with the flags of each file name, byte-exact, and only once", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "eider-maildir-"));
    temp.push(dir);
    for (const sub of ["new", "cur", "tmp"]) mkdirSync(path.join(dir, sub));
    const messages = corpusMessages(8);
    const suffixes = [":2,S", ":2,FS", ":2,RS", ":2,", ":2,T", ":2,DS"];
    const expected: Array<{ raw: Buffer; flags: string[] }> = [];
    messages.forEach((raw, i) => {
      const isNew = i >= suffixes.length;
      const name = `${1700000000 + i}.M${i}P42.test${isNew ? "" : suffixes[i]}`;
      const file = path.join(dir, isNew ? "new" : "cur", name);
      writeFileSync(file, raw);
      utimesSync(file, new Date(Date.UTC(2023, 0, 1 + i)), new Date(Date.UTC(2023, 0, 1 + i)));
      expected.push({ raw, flags: [] });
    });
    writeFileSync(path.join(dir, "tmp", "1700000099.M9P9.test"), "Subject: half delivered\n\n");
    // new/ comes first, then cur/, each by name.
    const order = [...expected.slice(suffixes.length), ...expected.slice(0, suffixes.length)];
    const flags = [
      [],
      [],
      ["\\Seen"],
      ["\\Flagged", "\\Seen"],
      ["\\Answered", "\\Seen"],
      [],
      ["\\Deleted"],
      ["\\Draft", "\\Seen"],
    ];

    const run = await eider("import", "maildir", dir, "--user", "bob", "--mailbox", "Old/Archive 2020");
    expect(onlyProgress(run.stderr)).toBe(true);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Imported into bob/Old/Archive 2020: ${order.length} stored, 0 skipped`);
    const box = await mailbox("Old/Archive 2020");
    expect(box.map((m) => m.raw)).toEqual(order.map((m) => m.raw));
    expect(box.map((m) => [...m.flags].sort())).toEqual(flags.map((f) => [...f].sort()));
    expect(box[0].internalDate.toISOString()).toBe("2023-01-07T00:00:00.000Z");

    const again = await eider("import", "maildir", dir, "--user", "bob", "--mailbox", "Old/Archive 2020");
    expect(again.stdout).toContain(`0 stored, ${order.length} skipped`);
    expect(await mailbox("Old/Archive 2020")).toHaveLength(order.length);
  });

  it("lists each message it could not store (over quota) and exits 1, keeping the ones stored", async () => {
    const add = await eider("user", "add", "carol", "--password", "a long secret", "--quota", "120");
    expect(add.code).toBe(0);
    const dir = mkdtempSync(path.join(os.tmpdir(), "eider-mbox-"));
    temp.push(dir);
    const file = path.join(dir, "quota.mbox");
    const small = (n: number) => Buffer.from(`Subject: small ${n}\nMessage-ID: <q${n}@example.net>\n\nhi\n`);
    const big = Buffer.from(`Subject: big\n\n${"x".repeat(200)}\n`);
    writeMbox(file, [small(1), big, small(2)]);
    const run = await eider("import", "mbox", file, "--user", "carol");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`message 2 of ${file}: over-quota:`);
    expect(run.stdout).toContain("2 stored, 0 skipped (already there), 1 failed, of 3 messages");

    // Past the message limit a message is counted and refused without being read into memory.
    const limited = await runEider(["import", "mbox", file, "--user", "bob", "--mailbox", "Limited"], {
      ...env,
      EIDER_LIMITS_MAX_MESSAGE_BYTES: "100",
    });
    expect(limited.code).toBe(1);
    expect(limited.stderr).toContain(
      `message 2 of ${file}: too-large: The message has ${big.length} bytes; the limit is 100.`,
    );
    expect(limited.stdout).toContain("2 stored, 0 skipped (already there), 1 failed, of 3 messages");
  });

  it("says what is wrong, with a non-zero status, for an unknown user, a missing file and bad usage", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "eider-mbox-"));
    temp.push(dir);
    const file = path.join(dir, "one.mbox");
    writeMbox(file, [Buffer.from("Subject: one\n\nbody\n")]);
    const unknownUser = await eider("import", "mbox", file, "--user", "nobody");
    expect(unknownUser.code).toBe(1);
    expect(unknownUser.stderr).toContain('NOT_FOUND: User "nobody" was not found.');
    const missingFile = await eider("import", "mbox", "/nonexistent/file.mbox", "--user", "bob");
    expect(missingFile.code).toBe(1);
    expect(missingFile.stderr).toContain("/nonexistent/file.mbox");
    const notMaildir = await eider("import", "maildir", dir, "--user", "bob");
    expect(notMaildir.code).toBe(1);
    expect(notMaildir.stderr).toContain("is not a Maildir");
    const usage = await eider("import", "tarball", "x", "--user", "bob");
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('"import" takes mbox FILE or maildir DIR, not "tarball".');
    expect(usage.stderr).toContain('Run "eider import --help" for its usage.');
    const noUser = await eider("import", "mbox", file);
    expect(noUser.code).toBe(2);
    expect(noUser.stderr).toContain("needs --user NAME");
  });
});

// Invariant 2: a message acknowledged to a client survives kill -9 of the process; nothing is half stored.
// kill -9 keeps the page cache, so it cannot show a missing fsync: the last case reads the system calls the
// server makes (strace) and checks that what it acknowledges was synced to disk, in the right order, first.
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openEmbeddedStore } from "../../src/storage/embedded/index.js";
import { openMongoStore } from "../../src/storage/mongo/index.js";
import type { Store } from "../../src/storage/ports.js";
import { corpusSample, readCorpusMessage } from "../../support/corpus.js";
import { ensureBuild } from "../cli/ensure-build.js";
import { runEider } from "../cli/run-eider.js";
import { messageWithAttachment } from "../api/fixtures.js";
import {
  ADMIN_TOKEN,
  createUser,
  downloadRaw,
  gqlOk,
  spawnEider,
  upload,
  type SpawnedEider,
  type TestEiderOptions,
  type TestUser,
} from "../harness/eider.js";
import { serviceUrl, skipReason, uniqueDbName } from "../harness/services.js";
import { parseStrace, straceWorks, type Syscall } from "../harness/strace.js";

const mongoUrl = serviceUrl("mongodb");
const redisUrl = serviceUrl("redis");

beforeAll(() => ensureBuild(), 300_000);

/** Corpus messages, every third one followed by one with a fresh 200 kB attachment (a blob being written). */
function mixedMessages(step: number): Buffer[] {
  return corpusSample(step).flatMap((file, i) => [
    readCorpusMessage(file),
    ...(i % 3 === 0 ? [messageWithAttachment(randomBytes(200_000), { subject: `blob ${i}` })] : []),
  ]);
}

/**
 * Uploads the messages on 4 connections and kills the process with SIGKILL once `killAt` were acknowledged,
 * while others are in flight. Returns what was acknowledged (id -> bytes).
 */
async function uploadThenKill(
  eider: SpawnedEider,
  user: TestUser,
  messages: Buffer[],
  killAt: number,
): Promise<Map<string, Buffer>> {
  const acknowledged = new Map<string, Buffer>();
  const worker = async (start: number) => {
    for (let i = start; i < messages.length; i += 4) {
      const raw = messages[i];
      const res = await upload(eider.url, user, raw).catch(() => null);
      if (!res?.data?.uploadMessage) return;
      acknowledged.set(res.data.uploadMessage.id, raw);
      if (acknowledged.size === killAt) eider.child.kill("SIGKILL");
    }
  };
  await Promise.all([0, 1, 2, 3].map(worker));
  await eider.stop();
  return acknowledged;
}

/** After a restart: every acknowledged message byte for byte, every stored one whole, usage the sum of sizes. */
async function expectAllThere(eider: SpawnedEider, username: string, acknowledged: Map<string, Buffer>) {
  const login = await gqlOk(
    eider.url,
    `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`,
    { u: username, p: `pw-${username}-secret` },
  );
  const token = login.login.token;
  for (const [id, raw] of acknowledged) {
    const back = await downloadRaw(eider.url, id, token);
    expect(back.status, `message ${id}`).toBe(200);
    expect(back.body.equals(raw), `message ${id} byte for byte`).toBe(true);
  }
  const state = await gqlOk(
    eider.url,
    `{ me { id storageUsed } all: search(filter: {}, first: 500) { edges { node { id size } } } }`,
    {},
    token,
  );
  const stored = state.all.edges.map((e: any) => e.node);
  expect(stored.length).toBeGreaterThanOrEqual(acknowledged.size);
  for (const m of stored) expect((await downloadRaw(eider.url, m.id, token)).body.length).toBe(m.size);
  expect(state.me.storageUsed).toBe(stored.reduce((s: number, m: any) => s + m.size, 0));
  return state.me.id as string;
}

/** The bytes of a message rebuilt from the store itself: its inline segments and its blobs. */
async function rebuild(store: Store, userId: string, id: string): Promise<Buffer> {
  const content = await store.messages.getContent(userId, id);
  expect(content, `content of ${id}`).not.toBeNull();
  const parts = await Promise.all(
    content!.segments.map((s) => (s.kind === "inline" ? s.data : store.blobs.read(s.hash))),
  );
  return Buffer.concat(parts);
}

/**
 * The crash oracle, with the server stopped: `eider doctor` finds reference counts and quota exact where the
 * store promises it after a crash; otherwise `doctor --fix` repairs them and a second doctor finds them exact.
 */
async function expectDoctorClean(env: Record<string, string>, exactAfterCrash: boolean) {
  const first = await runEider(["doctor"], env);
  if (exactAfterCrash) {
    expect(first.code, first.stdout + first.stderr).toBe(0);
    return;
  }
  const fix = await runEider(["doctor", "--fix"], env);
  expect(fix.code, fix.stdout + fix.stderr).toBe(0);
  const again = await runEider(["doctor"], env);
  expect(again.code, again.stdout + again.stderr).toBe(0);
}

/**
 * The sweep removes what the crash left (blobs put for a message never stored, temp files of blob writes);
 * afterwards nothing is left to
 * fix, and every acknowledged message still rebuilds from the store.
 */
async function expectSweptClean(
  openStore: () => Promise<Store>,
  userId: string,
  acknowledged: Map<string, Buffer>,
) {
  const store = await openStore();
  try {
    await store.repair({ graceMs: 0 });
    expect(await store.repair({ graceMs: 0, dryRun: true })).toMatchObject({
      blobRefsFixed: 0,
      blobsRemoved: 0,
      quotaFixed: 0,
      tempFilesRemoved: 0,
    });
    for (const [id, raw] of acknowledged)
      expect((await rebuild(store, userId, id)).equals(raw), `message ${id} after the sweep`).toBe(true);
  } finally {
    await store.close();
  }
}

// With store.write_thread the server commits on a thread of its own connection: the same guarantee must hold.
const serverSettings: Array<{ label: string; env: Record<string, string> }> = [
  { label: "", env: {} },
  { label: ", changes on the write thread", env: { EIDER_STORE_WRITE_THREAD: "true" } },
];
for (const { label, env } of serverSettings)
  describe(`Invariant 2: acknowledged uploads survive kill -9 (embedded store${label})`, () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-durable-"));
    let eider: SpawnedEider | undefined;
    afterAll(async () => eider?.stop());

    it("keeps every acknowledged message byte for byte, with exact counters and blobs, after the process is killed mid-stream", async () => {
      eider = await spawnEider({ dataDir, env });
      const user = await createUser(eider.url, "durable");
      const acknowledged = await uploadThenKill(eider, user, mixedMessages(50), 40);
      expect(acknowledged.size).toBeGreaterThanOrEqual(40);

      eider = await spawnEider({ dataDir, env });
      const userId = await expectAllThere(eider, "durable", acknowledged);
      await eider.stop();
      // One SQLite transaction per change: a crash leaves no count off.
      await expectDoctorClean({ EIDER_DATA_DIR: dataDir, EIDER_ADMIN_TOKEN: ADMIN_TOKEN }, true);
      await expectSweptClean(() => openEmbeddedStore({ dataDir }), userId, acknowledged);
    }, 180_000);
  });

describe.skipIf(!mongoUrl || !redisUrl)(
  `Invariant 2: acknowledged uploads survive kill -9 (MongoDB protocol: FerretDB + Redis)${mongoUrl && redisUrl ? "" : ` (skipped: ${skipReason("mongodb") ?? skipReason("redis")})`}`,
  () => {
    const options: TestEiderOptions = {
      dataDir: mkdtempSync(path.join(os.tmpdir(), "eider-durable-mongo-")),
      mongodbUrl: mongoUrl,
      mongodbDatabase: uniqueDbName("eider_durable"),
      redisUrl,
      redisPrefix: `${uniqueDbName("durable")}:`,
    };
    let eider: SpawnedEider | undefined;
    afterAll(async () => eider?.stop());

    it("keeps every acknowledged message byte for byte after `eider serve` is killed mid-stream; doctor and the sweep leave nothing to fix", async () => {
      eider = await spawnEider(options);
      const user = await createUser(eider.url, "durable");
      const acknowledged = await uploadThenKill(eider, user, mixedMessages(100), 20);
      expect(acknowledged.size).toBeGreaterThanOrEqual(20);

      // Ordered steps without transactions: a crash may leave a reference or usage too many, and FerretDB
      // loses concurrent updates to the user's usage besides: doctor --fix recounts before usage is compared.
      const dbName = options.mongodbDatabase!;
      await expectDoctorClean(
        {
          EIDER_DATA_DIR: options.dataDir!,
          EIDER_ADMIN_TOKEN: ADMIN_TOKEN,
          EIDER_STORE_MONGODB_URL: mongoUrl!,
          EIDER_STORE_MONGODB_DATABASE: dbName,
          EIDER_STORE_MONGODB_BLOB_DATABASE: `${dbName}_att`,
          EIDER_BUS_REDIS_URL: redisUrl!,
        },
        false,
      );
      eider = await spawnEider(options);
      const userId = await expectAllThere(eider, "durable", acknowledged);
      await eider.stop();
      await expectSweptClean(
        () => openMongoStore({ url: mongoUrl!, dbName, blobDbName: `${dbName}_att` }),
        userId,
        acknowledged,
      );
    }, 300_000);
  },
);

const straceMissing = straceWorks()
  ? undefined
  : "strace is missing or may not trace here; run scripts/install-test-deps.sh";
// Under CI the case runs (and fails) without strace, as suites needing a missing service do.
describe.skipIf(straceMissing !== undefined && process.env.CI !== "true")(
  `Invariant 2: what an upload's answer acknowledges is on disk first (embedded store, strace)${straceMissing ? ` (skipped: ${straceMissing})` : ""}`,
  () => {
    it("fsyncs the blob file before its rename, the blob's folder after it, and the SQLite WAL before the answer", async () => {
      if (straceMissing) throw new Error(straceMissing);
      const dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-fsync-"));
      const traceFile = path.join(dataDir, "strace.txt");
      const eider = await spawnEider({
        dataDir,
        wrapper: [
          "strace",
          ...["-f", "-qq", "-y", "-s", "1024", "-o", traceFile],
          ...["-e", "trace=fsync,fdatasync,rename,renameat,renameat2,pwrite64,write,writev,sendto,sendmsg"],
        ],
      });
      let id: string;
      try {
        const user = await createUser(eider.url, "synced");
        // A fresh attachment large enough to be stored as a blob of its own.
        const res = await upload(eider.url, user, messageWithAttachment(randomBytes(60_000)));
        id = res.data.uploadMessage.id;
      } finally {
        await eider.stop();
      }
      const calls = parseStrace(readFileSync(traceFile, "utf8"));

      // The answer: the first write to a socket that carries the new message's id.
      const answer = calls.find(
        (c) =>
          /^(write|writev|sendto|sendmsg)$/.test(c.name) && c.args.includes(id) && !c.args.includes(dataDir),
      );
      expect(answer, "the upload's answer in the trace").toBeDefined();
      const before = (c: Syscall) => c.end < answer!.start;
      const isSync = (c: Syscall) => c.name === "fsync" || c.name === "fdatasync";

      // The blob: temp file synced, then renamed into blobs/ab/cd/, then that folder synced, all before the answer.
      const renames = calls.filter(
        (c) => c.name.startsWith("rename") && c.args.includes(`${dataDir}/blobs/`),
      );
      expect(renames, "one blob renamed into place").toHaveLength(1);
      const [from, to] = [...renames[0].args.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
      expect(from).toContain(`${dataDir}/blobs/tmp/`);
      const fileSync = calls.find((c) => isSync(c) && c.args.includes(`<${from}>`));
      expect(fileSync, `fsync of ${from}`).toBeDefined();
      expect(fileSync!.end, "the blob file synced before its rename").toBeLessThan(renames[0].start);
      const dirSync = calls.find(
        (c) => isSync(c) && c.args.endsWith(`<${path.dirname(to)}>`) && c.start > renames[0].end,
      );
      expect(dirSync, `fsync of ${path.dirname(to)} after the rename`).toBeDefined();
      expect(before(dirSync!), "the blob's folder synced before the answer").toBe(true);

      // SQLite: every write to the WAL before the answer is synced before the answer (synchronous=FULL), and
      // the change that stores the message (referencing the blob) is written after the blob is durable.
      const wal = `${dataDir}/eider.sqlite-wal>`;
      const walWrites = calls.filter((c) => c.name === "pwrite64" && c.args.includes(wal) && before(c));
      expect(walWrites.length).toBeGreaterThan(0);
      const lastWrite = walWrites[walWrites.length - 1];
      expect(lastWrite.start, "the message's commit comes after the blob is durable").toBeGreaterThan(
        dirSync!.end,
      );
      const walSync = calls.find(
        (c) => isSync(c) && c.args.includes(wal) && c.start > lastWrite.end && before(c),
      );
      expect(walSync, "the WAL synced after its last write and before the answer").toBeDefined();
    }, 120_000);
  },
);

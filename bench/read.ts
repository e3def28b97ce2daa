// The read path and memory, against an Eider child process on the embedded store:
// - RSS idle after start, after ingesting the corpus messages, after reading them all, and after a few 50 MB
//   messages were uploaded and read (right away and once settled);
// - a whole mailbox read over the API (pages of 50 + each message's raw bytes, checked byte for byte);
// - a page of 50 with `body { text html }` next to the same page without bodies;
// - the same mailbox's raw bytes through core.messages.rawMessages in this process (what IMAP FETCH 1:* BODY[]
//   and export use), after the server stopped.
import { createHash } from "node:crypto";
import { readMbox } from "../src/cli/import/mbox.js";
import { corpusMessages } from "../support/corpus.js";
import { openCore } from "../src/main.js";
import { configFor, spawnEider, type StoreSetup } from "./lib/eider-process.js";
import { rssMB } from "./lib/proc.js";
import { inParallel, settle } from "./lib/parallel.js";
import { createUser, gql, type BenchUser } from "./lib/graphql.js";
import { progress, summarize, type LatencySummary } from "./lib/stats.js";

const LARGE_MB = 50;
const CLIENTS = 4;

const PAGE_PLAIN = `query($id: ID!, $after: String) { mailbox(id: $id) { messages(first: 50, after: $after) {
  edges { cursor node { id subject from { address } internalDate flags preview } } pageInfo { endCursor hasNextPage } } } }`;
const PAGE_BODIES = `query($id: ID!, $after: String) { mailbox(id: $id) { messages(first: 50, after: $after) {
  edges { cursor node { id subject from { address } internalDate flags preview body { text html attachments { partId filename } } } }
  pageInfo { endCursor hasNextPage } } } }`;

export interface ReadResult {
  messages: number;
  megabytes: number;
  ingestSeconds: number;
  /** Pages of 50 over GraphQL + GET /download/<id>/raw of each (4 at a time), every byte compared. */
  wholeMailboxApi: { seconds: number; pages: number };
  /** GET /download/mailbox/<id>/mbox: the same mailbox in one streamed response, every message checked. */
  wholeMailboxExport?: { seconds: number; megabytesPerSecond: number };
  /** core.messages.rawMessages over the same data, in this process: the path IMAP FETCH 1:* will take. */
  wholeMailboxCore: { seconds: number; megabytesPerSecond: number };
  pageWithoutBodies: LatencySummary;
  pageWithBodies: LatencySummary;
  rssMB: {
    idle: number;
    afterIngest: number;
    afterReads: number;
    afterLarge: number;
    afterLargeSettled: number;
  };
  large: { messages: number; megabytesEach: number };
}

export async function benchRead(setup: StoreSetup, count: number, pages: number): Promise<ReadResult> {
  const corpus = corpusMessages(count);
  const megabytes = corpus.reduce((sum, m) => sum + m.length, 0) / 1e6;
  const eider = await spawnEider({
    ...setup,
    env: { EIDER_LIMITS_MAX_MESSAGE_BYTES: String(100 * 2 ** 20) },
  });
  let user: BenchUser;
  try {
    await settle();
    const idle = rssMB(eider.pid);
    user = await createUser(eider.url, "reader");
    progress(`  read: ingesting ${count} corpus messages (${megabytes.toFixed(1)} MB) over POST /upload…`);
    const t0 = performance.now();
    // Internal dates in corpus order, so the newest-first listing is the reverse of the upload order.
    await inParallel(corpus, CLIENTS, (raw, i) =>
      post(eider.url, user, raw, new Date(Date.UTC(2024, 0, 1) + i * 60_000)),
    );
    const ingestSeconds = (performance.now() - t0) / 1000;
    await settle();
    const afterIngest = rssMB(eider.pid);

    progress(`  read: the whole mailbox over the API (pages of 50 + raw bytes of each)…`);
    const newestFirst = [...corpus].reverse();
    const t1 = performance.now();
    let read = 0;
    let pageCount = 0;
    for (let after: string | null = null; ;) {
      const data: any = await gql(eider.url, PAGE_PLAIN, { id: user.inbox, after }, user.token);
      const edges = data.mailbox.messages.edges as Array<{ node: { id: string } }>;
      pageCount++;
      await inParallel(edges, CLIENTS, async (edge, k) => {
        const bytes = await download(eider.url, user, edge.node.id);
        if (!bytes.equals(newestFirst[read + k])) throw new Error(`Message ${read + k} came back different.`);
      });
      read += edges.length;
      if (!data.mailbox.messages.pageInfo.hasNextPage) break;
      after = data.mailbox.messages.pageInfo.endCursor;
    }
    const wholeSeconds = (performance.now() - t1) / 1000;
    if (read !== count) throw new Error(`Read ${read} messages, not ${count}.`);

    progress(`  read: the whole mailbox over the API as one mbox (GET /download/mailbox/<id>/mbox)…`);
    const wholeMailboxExport = await exportMailbox(eider.url, user, corpus.slice(0, count));

    progress(`  read: ${pages} pages of 50 with and without bodies at random depths…`);
    const cursors = await allCursors(eider.url, user);
    const plain: number[] = [];
    const bodies: number[] = [];
    for (let i = 0; i < pages; i++) {
      const depth = Math.floor(Math.random() * Math.max(1, count - 50));
      const after = depth === 0 ? null : cursors[depth - 1];
      for (const [query, samples] of [
        [PAGE_PLAIN, plain],
        [PAGE_BODIES, bodies],
      ] as const) {
        const t = performance.now();
        const data: any = await gql(eider.url, query, { id: user.inbox, after }, user.token);
        samples.push(performance.now() - t);
        if (data.mailbox.messages.edges.length === 0) throw new Error(`Empty page at depth ${depth}.`);
      }
    }
    await settle();
    const afterReads = rssMB(eider.pid);

    progress(`  read: 3 messages of ${LARGE_MB} MB uploaded, downloaded and shown…`);
    const large = [
      largeAttachmentMessage(LARGE_MB),
      largeTextMessage(LARGE_MB),
      largeAttachmentMessage(LARGE_MB),
    ];
    for (const raw of large) {
      const stored = await post(eider.url, user, raw, new Date(Date.UTC(2020, 0, 1)));
      const bytes = await download(eider.url, user, stored.id);
      if (!bytes.equals(raw)) throw new Error("A large message came back different.");
      await gql(
        eider.url,
        `query($id: ID!) { message(id: $id) { body { attachments { partId size } } } }`,
        { id: stored.id },
        user.token,
      );
    }
    const afterLarge = rssMB(eider.pid);
    await settle(15_000);
    const afterLargeSettled = rssMB(eider.pid);

    await eider.stop();
    progress(`  read: the same mailbox's raw bytes through core.messages.rawMessages (this process)…`);
    const core = await coreRead(setup, user.id, user.inbox, count);
    return {
      messages: count,
      megabytes: round(megabytes),
      ingestSeconds: round(ingestSeconds),
      wholeMailboxApi: { seconds: round(wholeSeconds), pages: pageCount },
      wholeMailboxExport,
      wholeMailboxCore: core,
      pageWithoutBodies: summarize(plain),
      pageWithBodies: summarize(bodies),
      rssMB: { idle, afterIngest, afterReads, afterLarge, afterLargeSettled },
      large: { messages: large.length, megabytesEach: LARGE_MB },
    };
  } finally {
    await eider.stop();
  }
}

/** Reads the corpus messages (UIDs 1..expected; the large ones came later) through the core, best of 3 runs. */
async function coreRead(setup: StoreSetup, userId: string, inbox: string, expected: number) {
  const { core } = await openCore(configFor(setup));
  try {
    const principal = { kind: "user", userId } as const;
    let best = Infinity;
    let bytes = 0;
    for (let run = 0; run < 3; run++) {
      const t = performance.now();
      let n = 0;
      bytes = 0;
      for await (const m of core.messages.rawMessages(principal, inbox, { toUid: expected })) {
        for await (const chunk of m.chunks()) bytes += chunk.length;
        n++;
      }
      if (n !== expected) throw new Error(`rawMessages gave ${n} messages, not ${expected}.`);
      best = Math.min(best, (performance.now() - t) / 1000);
    }
    return { seconds: round(best), megabytesPerSecond: round(bytes / 1e6 / best) };
  } finally {
    await core.close();
  }
}

async function post(url: string, user: BenchUser, raw: Buffer, date: Date): Promise<{ id: string }> {
  const res = await fetch(`${url}/upload/${user.inbox}?internalDate=${date.toISOString()}`, {
    method: "POST",
    headers: { authorization: `Bearer ${user.token}`, "content-type": "message/rfc822" },
    body: raw,
  });
  if (res.status !== 201) throw new Error(`Upload answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { id: string };
}

/** One GET of the mailbox as mboxrd, read back; each message must be one of those uploaded, each once. */
async function exportMailbox(url: string, user: BenchUser, uploaded: Buffer[]) {
  const digest = (b: Buffer) => createHash("sha1").update(b).digest("hex");
  const expected = new Map<string, number>();
  for (const m of uploaded) expected.set(digest(m), (expected.get(digest(m)) ?? 0) + 1);
  const t = performance.now();
  const res = await fetch(`${url}/download/mailbox/${user.inbox}/mbox`, {
    headers: { authorization: `Bearer ${user.token}` },
  });
  if (res.status !== 200) throw new Error(`The mailbox export answered ${res.status}.`);
  const body = Buffer.from(await res.arrayBuffer());
  let n = 0;
  for await (const m of readMbox([body])) {
    // mbox gives a message that lacked a final line feed one; compare it without.
    const raw = expected.has(digest(m.raw)) ? m.raw : m.raw.subarray(0, m.raw.length - 1);
    const left = expected.get(digest(raw)) ?? 0;
    if (left === 0) throw new Error(`Exported message ${n} was not uploaded (or came twice).`);
    expected.set(digest(raw), left - 1);
    n++;
  }
  const seconds = (performance.now() - t) / 1000;
  if (n !== uploaded.length) throw new Error(`The export held ${n} messages, not ${uploaded.length}.`);
  return { seconds: round(seconds), megabytesPerSecond: round(body.length / 1e6 / seconds) };
}

async function download(url: string, user: BenchUser, id: string): Promise<Buffer> {
  const res = await fetch(`${url}/download/${id}/raw`, {
    headers: { authorization: `Bearer ${user.token}` },
  });
  if (res.status !== 200) throw new Error(`Download answered ${res.status}.`);
  return Buffer.from(await res.arrayBuffer());
}

async function allCursors(url: string, user: BenchUser): Promise<string[]> {
  const cursors: string[] = [];
  const query = `query($id: ID!, $after: String) { mailbox(id: $id) { messages(first: 500, after: $after) { edges { cursor } pageInfo { endCursor hasNextPage } } } }`;
  for (let after: string | null = null; ;) {
    const data: any = await gql(url, query, { id: user.inbox, after }, user.token);
    cursors.push(...data.mailbox.messages.edges.map((e: { cursor: string }) => e.cursor));
    if (!data.mailbox.messages.pageInfo.hasNextPage) return cursors;
    after = data.mailbox.messages.pageInfo.endCursor;
  }
}

/** A message whose one attachment (base64) makes it about `mb` MB. */
function largeAttachmentMessage(mb: number): Buffer {
  const data = Buffer.alloc(Math.floor((mb * 1e6 * 3) / 4));
  for (let i = 0; i < data.length; i += 4096) data.writeUInt32LE((i * 2654435761) >>> 0, i);
  return Buffer.from(
    [
      "Subject: large attachment",
      "Content-Type: multipart/mixed; boundary=big",
      "",
      "--big",
      "Content-Type: text/plain",
      "",
      "A large file.",
      "--big",
      "Content-Type: application/octet-stream; name=big.bin",
      "Content-Transfer-Encoding: base64",
      "",
      data.toString("base64").replace(/.{76}/g, "$&\r\n"),
      "--big--",
      "",
    ].join("\r\n"),
  );
}

/** A message whose plain text body is about `mb` MB. */
function largeTextMessage(mb: number): Buffer {
  const line = "All work and no play makes a large text body; it is read in one piece.\r\n";
  return Buffer.from(
    `Subject: large text\r\nContent-Type: text/plain\r\n\r\n${line.repeat(Math.ceil((mb * 1e6) / line.length))}`,
  );
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

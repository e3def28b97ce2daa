// Fills one mailbox through the core in this process, before a server is started on the same store.
// Each ingest is its own durable commit (and, at the time of writing, recounted the mailbox for its counters
// event), so 100,000 ingests would take minutes: ingest `seed` distinct messages, then copy them in batches
// of 1,000 with core.messages.copy (one change per batch). Copies keep their original's internal date.
import { ADMIN } from "../../src/core/index.js";
import { openCore } from "../../src/main.js";
import { configFor, type StoreSetup } from "./eider-process.js";
import { PASSWORD } from "./graphql.js";
import { progress } from "./stats.js";

const COPY_BATCH = 1000; // the core's MAX_BATCH_IDS
const DAY_MS = 86_400_000;

export interface FillResult {
  messages: number;
  seed: number;
  ingestPerSecond: number;
  copyPerSecond: number;
  seconds: number;
}

/** Creates `username` and fills its INBOX with `total` small messages, `seed` of them distinct. */
export async function fillMailbox(
  setup: StoreSetup,
  username: string,
  total: number,
  seed: number,
): Promise<FillResult> {
  const { core } = await openCore(configFor(setup));
  try {
    const user = await core.users.create(ADMIN, { username, password: PASSWORD });
    const principal = { kind: "user", userId: user.id } as const;
    const inbox = await core.mailboxes.getByPath(principal, "INBOX");
    const t0 = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < seed; i++) {
      const internalDate = seedDate(i, seed);
      const m = await core.messages.upload(
        principal,
        inbox.id,
        generatedMessage(i, internalDate),
        [],
        internalDate,
      );
      ids.push(m.id);
      if ((i + 1) % 1000 === 0) progress(`    ingested ${i + 1}/${seed}`);
    }
    const t1 = performance.now();
    for (let n = seed; n < total;) {
      const batch = ids.slice(0, Math.min(COPY_BATCH, total - n, ids.length));
      n += (await core.messages.copy(principal, batch, inbox.id)).length;
      if (n % 10_000 < batch.length || n === total) progress(`    copied to ${n}/${total}`);
      ids.push(...ids.splice(0, batch.length)); // rotate, so every seed message is copied about equally
    }
    const t2 = performance.now();
    return {
      messages: total,
      seed,
      ingestPerSecond: Math.round(seed / ((t1 - t0) / 1000)),
      copyPerSecond: total > seed ? Math.round((total - seed) / ((t2 - t1) / 1000)) : 0,
      seconds: Math.round((t2 - t0) / 100) / 10,
    };
  } finally {
    await core.close();
  }
}

/** Seed message i's internal date (and Date: header): the seed spread over the past year. */
export function seedDate(i: number, seed: number): Date {
  const start = Math.floor(Date.now() / DAY_MS) * DAY_MS - 365 * DAY_MS;
  return new Date(start + Math.floor((i / seed) * 365 * DAY_MS));
}

/** A small plain-text message (about 1 kB) with its own subject, sender and Message-ID. */
export function generatedMessage(i: number, date: Date): Buffer {
  const body = Array.from(
    { length: 12 },
    (_, k) => `Line ${k} of message ${i}: the quick brown fox jumps over the lazy dog.`,
  ).join("\r\n");
  return Buffer.from(
    [
      `From: Sender ${i % 97} <sender${i % 97}@example.com>`,
      `To: Bench <bench@example.com>`,
      `Subject: Report ${i} for week ${i % 52}`,
      `Date: ${date.toUTCString().replace("GMT", "+0000")}`,
      `Message-ID: <bench-${i}@example.com>`,
      `MIME-Version: 1.0`,
      `Content-Type: text/plain; charset=utf-8`,
      "",
      body,
      "",
    ].join("\r\n"),
  );
}

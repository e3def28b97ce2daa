// Upload rate: corpus messages through the GraphQL `uploadMessage` mutation (base64), N concurrent clients,
// over real HTTP to an Eider child process. Each client is its own user, like deliveries to different mailboxes.
import { corpusMessages } from "../support/corpus.js";
import { spawnEider, type StoreSetup } from "./lib/eider-process.js";
import { createUser, gql } from "./lib/graphql.js";
import { progress, summarize, type LatencySummary } from "./lib/stats.js";

const UPLOAD = `mutation($m: ID!, $r: String!) { uploadMessage(mailboxId: $m, raw: $r) { id uid } }`;
const WARMUP_PER_CLIENT = 5;

export interface UploadResult {
  messages: number;
  clients: number;
  megabytes: number;
  seconds: number;
  messagesPerSecond: number;
  megabytesPerSecond: number;
  latency: LatencySummary;
}

export async function benchUpload(setup: StoreSetup, count: number, clients = 4): Promise<UploadResult> {
  const eider = await spawnEider(setup);
  try {
    const users = await Promise.all(
      Array.from({ length: clients }, (_, i) => createUser(eider.url, `upload${i}`)),
    );
    const all = corpusMessages(count + clients * WARMUP_PER_CLIENT);
    const warmup = all.slice(count);
    const measured = all.slice(0, count);
    // Encode before the clock starts: the client's base64 and JSON are not the server's cost.
    const queues = (messages: Buffer[]) =>
      users.map((u, i) =>
        messages
          .filter((_, k) => k % clients === i)
          .map((raw) =>
            JSON.stringify({ query: UPLOAD, variables: { m: u.inbox, r: raw.toString("base64") } }),
          ),
      );
    await runClients(eider.url, users, queues(warmup));
    progress(
      `  upload: ${count} corpus messages (${(bytes(measured) / 1e6).toFixed(1)} MB), ${clients} clients…`,
    );
    const t0 = performance.now();
    const latencies = await runClients(eider.url, users, queues(measured));
    const seconds = (performance.now() - t0) / 1000;
    const megabytes = bytes(measured) / 1e6;
    return {
      messages: count,
      clients,
      megabytes: round(megabytes),
      seconds: round(seconds),
      messagesPerSecond: round(count / seconds),
      megabytesPerSecond: round(megabytes / seconds),
      latency: summarize(latencies),
    };
  } finally {
    await eider.stop();
  }
}

/** One client per user, each sending its queue one request at a time; returns each request's ms. */
async function runClients(
  url: string,
  users: Array<{ token: string }>,
  queues: string[][],
): Promise<number[]> {
  const latencies: number[] = [];
  const client = async (user: { token: string }, queue: string[]): Promise<void> => {
    for (const body of queue) {
      const t = performance.now();
      await gql(url, { body }, {}, user.token);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(users.map((u, i) => client(u, queues[i])));
  return latencies;
}

function bytes(messages: Buffer[]): number {
  return messages.reduce((sum, m) => sum + m.length, 0);
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

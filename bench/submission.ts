// Submission (RFC 6409): messages/s accepted on the submission port over 4 connections (each 250 "queued as" comes
// only once the message, its Sent copy and its queue entry are durable), and messages/s delivered on to a local
// smtp-server sink standing in for the remote MX (the outbound queue's smarthost), counted until the sink holds
// every one. Eider runs as `eider serve`, the way an admin starts it; the user is made with `eider user add`.
import { SmtpSink } from "../test/harness/smtp-sink.js";
import { freePort } from "../support/services.js";
import { addUser, spawnEider, type StoreSetup } from "./lib/eider-process.js";
import { treeCpuSeconds } from "./lib/proc.js";
import { dataBytes } from "./lib/reply-reader.js";
import { summarize, type LatencySummary } from "./lib/stats.js";
import { SubmissionClient } from "./lib/submission-client.js";

export interface SubmissionResult {
  connections: number;
  messages: number;
  bytesPerMessage: number;
  /** First MAIL FROM to the last 250 "queued as". */
  acceptedSeconds: number;
  acceptedPerSecond: number;
  /** First MAIL FROM to the sink holding every message. */
  deliveredSeconds: number;
  deliveredPerSecond: number;
  /** Per message, MAIL FROM to its 250. */
  latency: LatencySummary;
  /** The server's CPU time per message, submission and delivery to the sink together. */
  cpuMsPerMessage: number;
}

const USER = { name: "sender", password: "bench password 1", address: "sender@bench.example" };
const RECIPIENT = "someone@remote.example";

/** A plain message of about 3 KB from the user, as a mail client writes it. */
function message(i: number): Buffer {
  const body = Array.from(
    { length: 40 },
    (_, l) => `Line ${l} of benchmark message ${i}, some words to fill it out.`,
  );
  return Buffer.from(
    [
      `From: Sender <${USER.address}>`,
      `To: <${RECIPIENT}>`,
      `Subject: Benchmark message ${i}`,
      `Message-ID: <bench-${i}@bench.example>`,
      `Date: ${new Date(Date.UTC(2026, 11, 1, 9, 0, i % 60)).toUTCString().replace("GMT", "+0000")}`,
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "",
      ...body,
      "",
    ].join("\r\n"),
  );
}

export async function benchSubmission(
  dataDir: string,
  messages: number,
  connections = 4,
): Promise<SubmissionResult> {
  // Plain SMTP on loopback, as a smarthost next to the server would be (no STARTTLS to measure here).
  const sink = new SmtpSink({ starttls: false });
  const relay = `smtp://127.0.0.1:${await sink.listen()}`;
  const port = await freePort();
  const setup: StoreSetup = {
    dataDir,
    env: {
      EIDER_SUBMISSION_PORT: String(port),
      EIDER_SUBMISSION_IMPLICIT_TLS: "false",
      EIDER_OUTBOUND_MODE: "smarthost",
      EIDER_OUTBOUND_RELAY: relay,
    },
  };
  addUser(setup, USER.name, USER.password, [USER.address]);
  const eider = await spawnEider(setup);
  try {
    const data = Array.from({ length: messages }, (_, i) => dataBytes(message(i)));
    const clients = await Promise.all(
      Array.from({ length: connections }, () => SubmissionClient.connect(port, USER.name, USER.password)),
    );
    const cpu0 = treeCpuSeconds(eider.pid);
    const times: number[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      clients.map(async (client) => {
        while (next < data.length) {
          const one = data[next++];
          const t = performance.now();
          await client.submit(USER.address, RECIPIENT, one);
          times.push(performance.now() - t);
        }
      }),
    );
    const accepted = (performance.now() - t0) / 1000;
    await deliveredWithin(sink, messages, 300_000);
    const delivered = (performance.now() - t0) / 1000;
    const cpu = treeCpuSeconds(eider.pid) - cpu0;
    await Promise.all(clients.map((c) => c.quit()));
    const round = (n: number, to = 10) => Math.round(n * to) / to;
    return {
      connections,
      messages,
      bytesPerMessage: Math.round(data.reduce((n, d) => n + d.length, 0) / messages),
      acceptedSeconds: round(accepted, 100),
      acceptedPerSecond: round(messages / accepted),
      deliveredSeconds: round(delivered, 100),
      deliveredPerSecond: round(messages / delivered),
      latency: summarize(times),
      cpuMsPerMessage: round((cpu / messages) * 1000, 100),
    };
  } finally {
    await eider.stop();
    await sink.close();
  }
}

/** Waits for the sink to hold `count` messages; a queue that stops delivering fails the run instead of hanging it. */
async function deliveredWithin(sink: SmtpSink, count: number, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the sink got ${sink.received.length} of ${count} messages in ${ms / 1000} s`)),
      ms,
    );
  });
  try {
    await Promise.race([sink.waitForMessages(count), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The README's submission rows. */
export function submissionTable(r: SubmissionResult | { error: string }): string {
  if ("error" in r) return `Submission: failed: ${r.error}`;
  const lines = [
    "| measure (embedded store, 4 connections) | Eider |",
    "| --- | --- |",
    `| submission: accepted, durable 250 "queued as" (${r.messages} messages of ${r.bytesPerMessage} bytes) | ${r.acceptedPerSecond} msg/s (p50 / p99 ${r.latency.p50Ms} / ${r.latency.p99Ms} ms) |`,
    `| submission: delivered on to a local smtp-server sink | ${r.deliveredPerSecond} msg/s (${r.cpuMsPerMessage} ms CPU per message) |`,
  ];
  return lines.join("\n");
}

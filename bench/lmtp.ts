// LMTP delivery rate: the same prepared messages to one recipient over N connections, one message in flight
// per connection, through the bench's own client (the same for Eider and Dovecot). A message's time runs from
// its MAIL FROM to its recipient's 250, which both servers send only once the message is durable.
import { LmtpClient } from "./lib/lmtp-client.js";
import { summarize, type LatencySummary } from "./lib/stats.js";

export interface LmtpRun {
  connections: number;
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  /** Per message, MAIL FROM to the final 250. */
  latency: LatencySummary;
  /**
   * The server's CPU time (all its processes) per message: less bent by other work on a shared machine than the
   * rate, which is what it costs when the CPU is the limit.
   */
  cpuMsPerMessage: number;
}

export const ENVELOPE_FROM = "sender@bench.example";

/**
 * Delivers every message of `data` (prepared with dataBytes) to `recipient` over `connections` connections;
 * `cpuSeconds` reads the CPU time the server has used so far.
 */
export async function deliverAll(
  port: number,
  recipient: string,
  data: Buffer[],
  connections: number,
  cpuSeconds: () => number,
  hello: "LHLO" | "EHLO" = "LHLO",
): Promise<LmtpRun> {
  const clients = await Promise.all(
    Array.from({ length: connections }, () => LmtpClient.connect(port, "127.0.0.1", hello)),
  );
  const cpu0 = cpuSeconds();
  const times: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      while (next < data.length) {
        const message = data[next++];
        const t = performance.now();
        await client.deliver(ENVELOPE_FROM, recipient, message);
        times.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds() - cpu0;
  await Promise.all(clients.map((c) => c.quit()));
  return {
    connections,
    messages: data.length,
    seconds: Math.round(seconds * 100) / 100,
    messagesPerSecond: Math.round((data.length / seconds) * 10) / 10,
    latency: summarize(times),
    cpuMsPerMessage: Math.round((cpu / data.length) * 1e5) / 100,
  };
}

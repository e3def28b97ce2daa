// POP3: RETR of a whole maildrop over one session (every message checked against what was delivered), and
// the memory 1,000 idle sessions hold, just connected and then logged in.
import { Pop3Client } from "./lib/pop3-client.js";
import { inParallel, settle } from "./lib/parallel.js";

export interface RetrieveResult {
  messages: number;
  megabytes: number;
  seconds: number;
}

/**
 * Logs in, RETRs 1..n and QUITs; message i must end with `delivered[i]` (the server adds its trace header
 * lines in front). Throws on the first one that does not.
 */
export async function retrieveAll(
  port: number,
  user: string,
  password: string,
  delivered: Buffer[],
): Promise<RetrieveResult> {
  const t0 = performance.now();
  const client = await Pop3Client.connect(port);
  await client.login(user, password);
  const n = await client.count();
  if (n !== delivered.length) throw new Error(`STAT counted ${n} messages, not ${delivered.length}.`);
  let bytes = 0;
  for (let i = 1; i <= n; i++) {
    const message = await client.retrieve(i);
    bytes += message.length;
    const sent = delivered[i - 1];
    if (message.length < sent.length || !message.subarray(message.length - sent.length).equals(sent))
      throw new Error(`RETR ${i} is not the message delivered as number ${i}.`);
  }
  await client.quit();
  const seconds = (performance.now() - t0) / 1000;
  return { messages: n, megabytes: Math.round(bytes / 1e4) / 100, seconds: Math.round(seconds * 100) / 100 };
}

export interface IdleSessionsResult {
  sessions: number;
  /** Memory (MB) before, with every session connected and greeted, and with every session logged in. */
  beforeMB: number;
  connectedMB: number;
  loggedInMB: number;
}

/**
 * Opens `count` sessions and leaves them idle: first only greeted, then each logged in as `user` (a few logins
 * at a time: password checks are slow on purpose). `memoryMB` reads the server's memory after it settles.
 */
export async function idleSessions(
  port: number,
  user: string,
  password: string,
  count: number,
  memoryMB: () => number,
): Promise<IdleSessionsResult> {
  await settle();
  const beforeMB = memoryMB();
  const clients: Pop3Client[] = [];
  try {
    await inParallel(Array.from({ length: count }), 16, async () => {
      clients.push(await Pop3Client.connect(port));
    });
    await settle();
    const connectedMB = memoryMB();
    await inParallel(clients, 4, (c) => c.login(user, password));
    await settle();
    const loggedInMB = memoryMB();
    return { sessions: count, beforeMB, connectedMB, loggedInMB };
  } finally {
    for (const c of clients) c.close();
  }
}

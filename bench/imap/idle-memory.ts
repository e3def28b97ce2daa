// Memory for many authenticated IMAP sessions in IDLE on their INBOX: the server's memory at rest before, and
// with every session logged in, INBOX selected and IDLE started (read after a quiet spell, so it is what the
// server keeps, not the garbage of the logins). Sessions are spread over several users so that neither server's
// per-user connection limit (Eider's default 50) is what is measured.
import { ImapClient } from "../lib/imap-client.js";
import { inParallel, settle } from "../lib/parallel.js";
import { progress } from "../lib/stats.js";

export interface IdleMemoryResult {
  sessions: number;
  users: number;
  /** MB before and with every session idling, per reading (Eider: rss; Dovecot: pss and rssSum). */
  before: Record<string, number>;
  idling: Record<string, number>;
}

export async function idleMemory(
  port: number,
  users: string[],
  password: string,
  sessions: number,
  memory: () => Record<string, number>,
): Promise<IdleMemoryResult> {
  await settle();
  const before = memory();
  const clients: ImapClient[] = [];
  const t0 = performance.now();
  try {
    // A few logins at a time: Eider's password checks are slow on purpose (scrypt in the thread pool).
    await inParallel(Array.from({ length: sessions }), 4, async (_, i) => {
      const client = await ImapClient.connect(port);
      clients.push(client);
      await client.login(users[i % users.length], password);
      await client.select("INBOX");
      await client.idle(() => {});
    });
    progress(`    ${sessions} sessions in IDLE after ${Math.round((performance.now() - t0) / 1000)} s`);
    await settle();
    return { sessions, users: users.length, before, idling: memory() };
  } finally {
    for (const c of clients) c.close();
  }
}

// The mixed-command stress: N clients, each on its own user, looping a whole session (connect, LOGIN, SELECT,
// FETCH, STORE, SEARCH, APPEND, EXPUNGE, LOGOUT) a fixed number of times. Each loop flags the oldest message
// \Deleted, appends one and expunges the flagged one, so every mailbox keeps its size. Measured: commands per
// second over the whole run (the greeting is not counted as a command), each command's latency and the server's
// CPU time per command.
import { ImapClient } from "../lib/imap-client.js";
import { summarize, type LatencySummary } from "../lib/stats.js";

export interface StressResult {
  clients: number;
  loops: number;
  commands: number;
  seconds: number;
  commandsPerSecond: number;
  /** The server's CPU time (all its processes) per command. */
  cpuMsPerCommand: number;
  /** Per command name, each one's time from its line sent to its tagged OK. */
  latency: Record<string, LatencySummary>;
}

/** The loop's commands after LOGIN and SELECT, and what each sends. */
const STEPS: Array<[string, string]> = [
  ["FETCH", "FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE)"],
  ["STORE", "STORE 1 +FLAGS (\\Deleted)"],
  ["SEARCH", 'UID SEARCH UNDELETED SUBJECT "the"'],
];

export async function stress(
  port: number,
  users: string[],
  password: string,
  append: Buffer,
  loops: number,
  cpuSeconds: () => number,
): Promise<StressResult> {
  const times = new Map<string, number[]>();
  const timed = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const result = await run();
    const list = times.get(name) ?? [];
    list.push(performance.now() - t);
    times.set(name, list);
    return result;
  };
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  await Promise.all(
    users.map(async (user) => {
      for (let loop = 0; loop < loops; loop++) {
        const client = await ImapClient.connect(port);
        try {
          await timed("LOGIN", () => client.login(user, password));
          await timed("SELECT", () => client.select("INBOX"));
          for (const [name, command] of STEPS) await timed(name, () => client.command(command));
          await timed("APPEND", () => client.append("INBOX", "\\Seen", append));
          await timed("EXPUNGE", () => client.command("EXPUNGE"));
          await timed("LOGOUT", () => client.logout());
        } finally {
          client.close();
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds() - cpu0;
  const commands = [...times.values()].reduce((n, l) => n + l.length, 0);
  return {
    clients: users.length,
    loops,
    commands,
    seconds: Math.round(seconds * 100) / 100,
    commandsPerSecond: Math.round((commands / seconds) * 10) / 10,
    cpuMsPerCommand: Math.round((cpu / commands) * 1e5) / 100,
    latency: Object.fromEntries([...times].map(([name, list]) => [name, summarize(list)])),
  };
}

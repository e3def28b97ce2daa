// SELECT, UID SEARCH TEXT and UID SORT (REVERSE DATE) on a large INBOX (100,000 messages in the full run), each
// sent `repeats` times over one session: the first time (cold: nothing of the mailbox read yet since the server
// started) and the median of the others. The same generated messages on both servers (lib/fill.ts's), so the
// answers' counts must agree.
import { ImapClient } from "../lib/imap-client.js";
import { median } from "./fetch.js";

export interface Timed {
  /** Milliseconds of the first run. */
  firstMs: number;
  /** Median milliseconds of the runs after the first. */
  medianMs: number;
  /** What the answer counted (EXISTS, matching UIDs, sorted UIDs). */
  count: number;
}

export interface BigMailboxResult {
  messages: number;
  /** How the mailbox was made and how long that took (setup, not a measurement of the server). */
  fill: string;
  select: Timed;
  /** A phrase in one generated message of 2,000 (and its copies). */
  searchRare: Timed;
  /** A word in every message. */
  searchCommon: Timed;
  sort: Timed;
}

/** In one generated message of the seed (lib/fill.ts writes "Line k of message i: ..."). */
export const RARE_TEXT = "message 123:";
export const COMMON_TEXT = "fox";

export async function bigMailboxQueries(
  port: number,
  user: string,
  password: string,
  repeats: number,
  messages: number,
  fill: string,
): Promise<BigMailboxResult> {
  const client = await ImapClient.connect(port);
  try {
    await client.login(user, password);
    const select = await repeat(repeats, async () => client.select("INBOX"));
    if (select.count !== messages) throw new Error(`SELECT INBOX: ${select.count} EXISTS, not ${messages}.`);
    const search = (text: string) => async () =>
      uids(await client.command(`UID SEARCH TEXT "${text}"`), "SEARCH");
    const searchRare = await repeat(repeats, search(RARE_TEXT));
    const searchCommon = await repeat(repeats, search(COMMON_TEXT));
    if (searchCommon.count !== messages)
      throw new Error(`UID SEARCH TEXT "${COMMON_TEXT}" found ${searchCommon.count}, not all ${messages}.`);
    const sort = await repeat(repeats, async () =>
      uids(await client.command("UID SORT (REVERSE DATE) UTF-8 ALL"), "SORT"),
    );
    if (sort.count !== messages) throw new Error(`UID SORT answered ${sort.count} UIDs, not ${messages}.`);
    await client.logout();
    return { messages, fill, select, searchRare, searchCommon, sort };
  } finally {
    client.close();
  }
}

async function repeat(times: number, run: () => Promise<number>): Promise<Timed> {
  const ms: number[] = [];
  let count = 0;
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    count = await run();
    ms.push(performance.now() - t0);
  }
  const round = (x: number) => Math.round(x * 10) / 10;
  return { firstMs: round(ms[0]), medianMs: round(median(ms.slice(1))), count };
}

/** The number of UIDs in a SEARCH or SORT answer's untagged line(s). */
function uids(result: { untagged: Array<{ text: string }> }, name: string): number {
  let n = 0;
  for (const u of result.untagged)
    if (u.text.toUpperCase().startsWith(`* ${name}`))
      n += u.text
        .slice(name.length + 2)
        .split(" ")
        .filter((w) => /^\d+$/.test(w)).length;
  return n;
}

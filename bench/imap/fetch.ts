// FETCH 1:* (BODY.PEEK[]) of a whole INBOX over one session: seconds from the command to its tagged OK, every
// message checked against what was delivered (the server's trace header lines come first).
import { ImapClient } from "../lib/imap-client.js";

export interface FetchResult {
  messages: number;
  /** BODY[] bytes the server sent (trace headers included), one run. */
  megabytes: number;
  /** Each run's seconds, in order (the first right after SELECT). */
  runs: number[];
  /** The median run. */
  seconds: number;
}

const FETCH_LINE = /^\* (\d+) FETCH \(.*BODY\[\] \{\d+\}/i;

export async function fetchAll(
  port: number,
  user: string,
  password: string,
  delivered: Buffer[],
  repeats: number,
): Promise<FetchResult> {
  const client = await ImapClient.connect(port);
  try {
    await client.login(user, password);
    const exists = await client.select("INBOX");
    if (exists !== delivered.length)
      throw new Error(`SELECT INBOX: ${exists} EXISTS, not ${delivered.length}.`);
    const runs: number[] = [];
    let bytes = 0;
    for (let r = 0; r < repeats; r++) {
      let seen = 0;
      bytes = 0;
      const t0 = performance.now();
      await client.command("FETCH 1:* (BODY.PEEK[])", (response) => {
        const m = FETCH_LINE.exec(response.text);
        if (!m || response.literals.length !== 1) return; // an unsolicited FLAGS or EXISTS, say
        const n = Number(m[1]);
        const body = response.literals[0];
        const sent = delivered[n - 1];
        if (!sent || body.length < sent.length || !body.subarray(body.length - sent.length).equals(sent))
          throw new Error(`FETCH ${n} BODY[] is not the message delivered as number ${n}.`);
        bytes += body.length;
        seen++;
      });
      runs.push(Math.round(performance.now() - t0) / 1000);
      if (seen !== delivered.length)
        throw new Error(`FETCH 1:* answered ${seen} messages, not ${delivered.length}.`);
    }
    await client.logout();
    return {
      messages: delivered.length,
      megabytes: Math.round(bytes / 1e4) / 100,
      runs,
      seconds: median(runs),
    };
  } finally {
    client.close();
  }
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

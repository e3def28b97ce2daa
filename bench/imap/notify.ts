// Push latency: one session IDLEs on a user's INBOX while messages are delivered to that user over LMTP, one
// at a time; for each, the time from the LMTP 250 (the message is durable) to the IDLE session's `* n EXISTS`
// announcing it, and from the end of the message's bytes. Negative when the EXISTS came before the 250.
import { ImapClient } from "../lib/imap-client.js";
import { LmtpClient } from "../lib/lmtp-client.js";
import { summarize, type LatencySummary } from "../lib/stats.js";
import { ENVELOPE_FROM } from "../lmtp.js";

export interface NotifyResult {
  deliveries: number;
  /** LMTP 250 to EXISTS. */
  fromReply: LatencySummary;
  /** The end of the message's bytes (DATA's dot) to EXISTS. */
  fromData: LatencySummary;
}

const EXISTS = /^\* (\d+) EXISTS/i;
/** Longer than any server's delay: a notice later than this is a failure, not a number. */
const WAIT_MS = 30_000;

export async function notificationLatency(
  imapPort: number,
  lmtpPort: number,
  user: string,
  password: string,
  recipient: string,
  data: Buffer[],
): Promise<NotifyResult> {
  const watcher = await ImapClient.connect(imapPort);
  const lmtp = await LmtpClient.connect(lmtpPort);
  try {
    await watcher.login(user, password);
    let exists = await watcher.select("INBOX");
    const arrived: number[] = []; // arrived[k]: when EXISTS first reached the count after delivery k
    const start = exists;
    let wake: (() => void) | null = null;
    const idle = await watcher.idle((r) => {
      const m = EXISTS.exec(r.text);
      if (!m) return;
      const now = performance.now();
      for (let n = exists + 1; n <= Number(m[1]); n++) arrived[n - start - 1] = now;
      exists = Math.max(exists, Number(m[1]));
      wake?.();
    });
    const fromReply: number[] = [];
    const fromData: number[] = [];
    for (let k = 0; k < data.length; k++) {
      const sent = await lmtp.deliver(ENVELOPE_FROM, recipient, data[k]);
      const replied = performance.now();
      await until(
        () => arrived[k] !== undefined,
        (w) => (wake = w),
        `EXISTS for delivery ${k + 1}`,
      );
      fromReply.push(arrived[k] - replied);
      fromData.push(arrived[k] - sent);
    }
    await idle.done();
    await watcher.logout();
    await lmtp.quit();
    return { deliveries: data.length, fromReply: summarize(fromReply), fromData: summarize(fromData) };
  } finally {
    watcher.close();
  }
}

/** Resolves once `done()` holds, re-checked each time the watcher wakes it; throws after WAIT_MS. */
async function until(done: () => boolean, setWake: (w: () => void) => void, what: string): Promise<void> {
  const deadline = performance.now() + WAIT_MS;
  while (!done()) {
    const left = deadline - performance.now();
    if (left <= 0) throw new Error(`No ${what} within ${WAIT_MS / 1000} s.`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, left);
      setWake(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

// Subscription delivery latency: a `mailboxChanged` subscriber over graphql-ws, timed from just before the
// upload mutation is sent to the arrival of its NEW event. With `crossInstance`, two Eider processes share the
// store and bus: the upload goes to one, the measured subscriber listens on the other, and a second subscriber
// on the uploading process shows what crossing instances adds.
import { spawnEider, type EiderProcess, type StoreSetup } from "./lib/eider-process.js";
import { generatedMessage } from "./lib/fill.js";
import { createUser, gql, login, wsClient } from "./lib/graphql.js";
import { progress, summarize, type LatencySummary } from "./lib/stats.js";

const UPLOAD = `mutation($m: ID!, $r: String!) { uploadMessage(mailboxId: $m, raw: $r) { id } }`;
const WATCH = `subscription($m: ID!, $s: String) { mailboxChanged(mailboxId: $m, sinceState: $s) { type messageId modseq } }`;
const WARMUP = 5;
const EVENT_TIMEOUT_MS = 10_000;

export interface SubscriptionResult {
  uploads: number;
  crossInstance: boolean;
  /** From just before the mutation is sent to the NEW event's arrival (on the other process when crossInstance). */
  event: LatencySummary;
  /** The mutation's own round trip, for comparison. */
  mutation: LatencySummary;
  /** crossInstance only: the other process's event arrival minus the uploading process's. */
  crossInstanceExtra?: LatencySummary;
}

export async function benchSubscription(
  setup: StoreSetup,
  uploads: number,
  crossInstance: boolean,
): Promise<SubscriptionResult> {
  const processes: EiderProcess[] = [await spawnEider(setup)];
  if (crossInstance) processes.push(await spawnEider(setup));
  const [writer, reader] = [processes[0], processes[processes.length - 1]];
  const watchers: Watcher[] = [];
  try {
    const user = await createUser(writer.url, "watcher");
    const readerUser = crossInstance ? await login(reader.url, "watcher") : user;
    const { me } = await gql(reader.url, `{ me { state } }`, {}, readerUser.token);
    // sinceState: nothing is missed while the subscription registers; the warm-up proves it is live.
    watchers.push(watchNew(reader.url, readerUser.token, readerUser.inbox, me.state));
    if (crossInstance) watchers.push(watchNew(writer.url, user.token, user.inbox, me.state));

    const events: number[] = [];
    const mutations: number[] = [];
    const extra: number[] = [];
    progress(
      `  subscription: ${uploads} uploads${crossInstance ? " (upload on one process, subscriber on the other)" : ""}…`,
    );
    for (let i = 0; i < WARMUP + uploads; i++) {
      const body = JSON.stringify({
        query: UPLOAD,
        variables: { m: user.inbox, r: generatedMessage(i, new Date()).toString("base64") },
      });
      const t0 = performance.now();
      const { uploadMessage } = await gql(writer.url, { body }, {}, user.token);
      const t1 = performance.now();
      const [there, here] = await Promise.all(watchers.map((w) => w.arrival(uploadMessage.id)));
      if (i < WARMUP) continue;
      mutations.push(t1 - t0);
      events.push(there - t0);
      if (here !== undefined) extra.push(there - here);
    }
    return {
      uploads,
      crossInstance,
      event: summarize(events),
      mutation: summarize(mutations),
      ...(crossInstance ? { crossInstanceExtra: summarize(extra) } : {}),
    };
  } finally {
    await Promise.all(watchers.map((w) => w.close()));
    await Promise.all(processes.map((p) => p.stop()));
  }
}

interface Watcher {
  /** When the NEW event for `messageId` arrived (performance.now()), waiting for it if need be. */
  arrival(messageId: string): Promise<number>;
  close(): Promise<void>;
}

function watchNew(url: string, token: string, mailboxId: string, sinceState: string): Watcher {
  const arrived = new Map<string, number>();
  let wake: (() => void) | null = null;
  let failure: unknown = null;
  const client = wsClient(url, token);
  const dispose = client.subscribe<{ mailboxChanged: { type: string; messageId: string } }>(
    { query: WATCH, variables: { m: mailboxId, s: sinceState } },
    {
      next: ({ data, errors }) => {
        if (errors) failure = errors;
        else if (data?.mailboxChanged.type === "NEW")
          arrived.set(data.mailboxChanged.messageId, performance.now());
        wake?.();
      },
      error: (e) => ((failure = e), wake?.()),
      complete: () => wake?.(),
    },
  );
  return {
    async arrival(messageId) {
      const deadline = performance.now() + EVENT_TIMEOUT_MS;
      while (!arrived.has(messageId)) {
        if (failure) throw new Error(`The subscription failed: ${JSON.stringify(failure)}`);
        if (performance.now() > deadline)
          throw new Error(`No NEW event for ${messageId} within ${EVENT_TIMEOUT_MS} ms.`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 100);
          wake = () => (clearTimeout(timer), resolve());
        });
      }
      return arrived.get(messageId)!;
    },
    async close() {
      dispose();
      await client.dispose();
    },
  };
}

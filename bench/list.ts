// Page-of-50 list latency on a big mailbox: the mailbox is filled through the core first (lib/fill.ts), then an
// Eider child process serves it and the pages are fetched over HTTP, first pages and cursor pages at random depths.
import { spawnEider, type StoreSetup } from "./lib/eider-process.js";
import { fillMailbox, type FillResult } from "./lib/fill.js";
import { gql, login } from "./lib/graphql.js";
import { progress, summarize, type LatencySummary } from "./lib/stats.js";

const PAGE = `query($id: ID!, $after: String) {
  mailbox(id: $id) {
    messages(first: 50, after: $after) {
      edges { node { id subject from { address } internalDate flags } }
      pageInfo { endCursor hasNextPage }
    }
  }
}`;
const CURSORS = `query($id: ID!, $after: String) { mailbox(id: $id) { messages(first: 500, after: $after) { edges { cursor } pageInfo { endCursor hasNextPage } } } }`;
const FIRST_PAGE_SHARE = 0.1;

export interface ListResult {
  mailboxSize: number;
  fill: FillResult;
  requests: number;
  latency: LatencySummary;
  /** The same requests split by depth: first pages, and cursors in the deepest quarter of the mailbox. */
  firstPage: LatencySummary;
  deepestQuarter: LatencySummary;
}

export async function benchList(
  setup: StoreSetup,
  mailboxSize: number,
  seed: number,
  requests = 200,
): Promise<ListResult> {
  progress(`  list: filling a mailbox with ${mailboxSize} messages (${seed} ingested, the rest copied)…`);
  const fill = await fillMailbox(setup, "lister", mailboxSize, seed);
  progress(
    `  list: filled in ${fill.seconds} s (ingest ${fill.ingestPerSecond} msg/s, copy ${fill.copyPerSecond} msg/s)`,
  );
  const eider = await spawnEider(setup);
  try {
    const user = await login(eider.url, "lister");
    const cursors = await allCursors(eider.url, user.token, user.inbox);
    if (cursors.length !== mailboxSize)
      throw new Error(`The mailbox lists ${cursors.length} messages, not ${mailboxSize}.`);
    progress(`  list: ${requests} pages of 50 at random depths…`);
    const samples: Array<{ depth: number; ms: number }> = [];
    for (let i = 0; i < requests; i++) {
      const depth = Math.random() < FIRST_PAGE_SHARE ? 0 : 1 + Math.floor(Math.random() * (mailboxSize - 1));
      const t = performance.now();
      const data = await gql(
        eider.url,
        PAGE,
        { id: user.inbox, after: depth === 0 ? null : cursors[depth - 1] },
        user.token,
      );
      samples.push({ depth, ms: performance.now() - t });
      if (data.mailbox.messages.edges.length === 0) throw new Error(`Empty page at depth ${depth}.`);
    }
    return {
      mailboxSize,
      fill,
      requests,
      latency: summarize(samples.map((s) => s.ms)),
      firstPage: summarize(samples.filter((s) => s.depth === 0).map((s) => s.ms)),
      deepestQuarter: summarize(samples.filter((s) => s.depth >= mailboxSize * 0.75).map((s) => s.ms)),
    };
  } finally {
    await eider.stop();
  }
}

/** Every message's cursor, newest first, read through the API in pages of 500. */
async function allCursors(url: string, token: string, mailboxId: string): Promise<string[]> {
  const cursors: string[] = [];
  let after: string | null = null;
  for (;;) {
    const data: any = await gql(url, CURSORS, { id: mailboxId, after }, token);
    const page = data.mailbox.messages;
    cursors.push(...page.edges.map((e: { cursor: string }) => e.cursor));
    if (!page.pageInfo.hasNextPage) return cursors;
    after = page.pageInfo.endCursor;
  }
}

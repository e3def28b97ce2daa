// The selected view when the bus drops its watch: it watches again from the last modseq it heard (the core
// replays the journal from there), or, when that is refused, ends the session with BYE. A core stand-in hands
// out watches the test controls; everything else of the view is the real thing.
import { describe, expect, it } from "vitest";
import type { Core, MailboxEvent, OpenedUids } from "../../src/core/index.js";
import type { ImapSession } from "./commands/context.js";
import { formatValues, type ImapValue } from "./protocol/values.js";
import { SelectedView } from "./selected.js";

/** A watch the test feeds: `push` an event, `fail` as the bus would. */
class FedWatch implements AsyncIterableIterator<MailboxEvent> {
  private queue: MailboxEvent[] = [];
  private wake: (() => void) | null = null;
  private failure: Error | null = null;
  private ended = false;
  push(e: MailboxEvent) {
    this.queue.push(e);
    this.wake?.();
  }
  fail(err: Error) {
    this.failure = err;
    this.wake?.();
  }
  async next(): Promise<IteratorResult<MailboxEvent>> {
    for (;;) {
      if (this.queue.length > 0) return { value: this.queue.shift()!, done: false };
      if (this.failure) throw this.failure;
      if (this.ended) return { value: undefined, done: true };
      await new Promise<void>((r) => (this.wake = r));
    }
  }
  async return(): Promise<IteratorResult<MailboxEvent>> {
    this.ended = true;
    this.wake?.();
    return { value: undefined, done: true };
  }
  [Symbol.asyncIterator]() {
    return this;
  }
}

const event = (kind: MailboxEvent["kind"], uid: number, modseq: number): MailboxEvent => ({
  kind,
  userId: "u",
  mailboxId: "m",
  messageId: `id${uid}`,
  uid,
  modseq,
  flags: kind === "expunge" ? null : [],
});

function standIn(watches: Array<FedWatch | Error>) {
  const asked: Array<number | undefined> = [];
  const opened: OpenedUids = {
    mailboxId: "m",
    path: "INBOX",
    specialUse: "\\Inbox",
    uidValidity: 7,
    uidNext: 3,
    highestModseq: 10,
    uids: Uint32Array.of(1, 2),
    firstUnseen: 1,
    keywords: [],
  };
  const core = {
    mailboxes: { getByPath: async () => ({ id: "m" }) },
    uidMailboxes: { openUids: async () => opened },
    watch: {
      mailbox: async (_p: unknown, _id: string, o: { sinceState?: number } = {}) => {
        asked.push(o.sinceState);
        const next = watches.shift()!;
        if (next instanceof Error) throw next;
        return next;
      },
    },
  } as unknown as Core;
  return { core, asked };
}

function recorder() {
  const lines: string[] = [];
  const session = {
    enabled: new Set(),
    untagged: (text: string | Buffer) => lines.push(`* ${text.toString()}`),
    untaggedValues: (values: ImapValue[]) => lines.push(`* ${formatValues(values).toString()}`),
    end: () => lines.push("<end>"),
  } as unknown as ImapSession;
  return { session, lines };
}

const changed = (view: SelectedView) =>
  new Promise<void>((resolve) => {
    const stop = view.onChange(() => (stop(), resolve()));
  });

describe("SelectedView when the bus drops its watch", () => {
  it("watches again from the last modseq heard and tells what the replay brings", async () => {
    const first = new FedWatch();
    const second = new FedWatch();
    const { core, asked } = standIn([first, second]);
    const { view } = await SelectedView.open(core, { kind: "user", userId: "u" }, "INBOX", {
      readOnly: false,
    });
    let heard = changed(view);
    first.push(event("exists", 3, 11));
    await heard;
    heard = changed(view);
    first.fail(new Error("Live updates were interrupted"));
    await heard;
    const r = recorder();
    second.push(event("expunge", 1, 12)); // what the journal replay after modseq 11 gives
    // The flush watches again, hears the replay, then tells it with what waited: expunges first.
    await view.flush(r.session, { expunges: true });
    expect(asked).toEqual([undefined, 11]);
    expect(r.lines).toEqual(["* 1 EXPUNGE", "* 2 EXISTS"]);
    expect(view.uids()).toEqual([2, 3]);
    await view.close();
  });

  it("ends the session with BYE when it cannot watch again", async () => {
    const first = new FedWatch();
    const { core } = standIn([first, new Error("CANNOT_CALCULATE_CHANGES")]);
    const { view } = await SelectedView.open(core, { kind: "user", userId: "u" }, "INBOX", {
      readOnly: true,
    });
    const heard = changed(view);
    first.fail(new Error("Live updates were interrupted"));
    await heard;
    const r = recorder();
    await view.flush(r.session, { expunges: true });
    expect(r.lines).toEqual([
      "* BYE [UNAVAILABLE] Lost track of the mailbox's changes; please reconnect.",
      "<end>",
    ]);
    await view.close();
  });
});

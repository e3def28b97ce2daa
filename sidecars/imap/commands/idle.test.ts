// IDLE's handler on a real core with a session that records what it writes and hands it the client's next line.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Principal } from "../../../src/core/index.js";
import { openTestCore, type TestCore } from "../../../test/harness/core.js";
import { DEFAULT_IMAP_LIMITS } from "../protocol/limits.js";
import { formatValues, type ImapValue } from "../protocol/values.js";
import { SelectedView } from "../selected.js";
import type { ImapSession } from "./context.js";
import { IDLE_COMMANDS } from "./idle.js";

const IDLE = IDLE_COMMANDS[0];
const raw = (n: number) => Buffer.from(`Subject: m${n}\r\nMessage-ID: <i${n}@t>\r\n\r\nbody ${n}\r\n`);

function fakeSession(selected: SelectedView | null, keepaliveMs = 60_000) {
  const lines: string[] = [];
  const seen: Array<() => void> = [];
  let answer: (line: string | null) => void = () => {};
  const record = (line: string) => {
    lines.push(line);
    for (const s of seen.splice(0)) s();
  };
  const session = {
    selected,
    enabled: new Set(),
    options: { limits: { ...DEFAULT_IMAP_LIMITS, idleKeepaliveMs: keepaliveMs } },
    untagged: (text: string | Buffer) => record(`* ${text.toString()}`),
    untaggedValues: (values: ImapValue[]) => record(`* ${formatValues(values).toString()}`),
    continuation: (text: string) => {
      record(`+ ${text}`);
      return new Promise<string | null>((resolve) => (answer = resolve));
    },
  } as unknown as ImapSession;
  /** Resolves once a line matching `pattern` was written. */
  const written = async (pattern: RegExp) => {
    while (!lines.some((l) => pattern.test(l))) await new Promise<void>((r) => seen.push(r));
  };
  return { session, lines, written, answer: (line: string | null) => answer(line) };
}

describe("IDLE", () => {
  let t: TestCore;
  let p: Principal;
  let inboxId: string;
  let view: SelectedView;

  beforeEach(async () => {
    t = await openTestCore();
    const u = await t.addUser("ida");
    p = { kind: "user", userId: u.userId };
    inboxId = u.inboxId;
    await t.core.uidMailboxes.append(p, inboxId, raw(1));
    view = (await SelectedView.open(t.core, p, "INBOX", { readOnly: false })).view;
  });
  afterEach(async () => {
    await view.close();
    await t.close();
  });

  it("pushes each change as it arrives, then answers DONE with OK", async () => {
    const s = fakeSession(view);
    const answered = IDLE.handle(s.session, { tag: "A1", command: "IDLE", args: [] });
    await s.written(/^\+ idling$/);
    await t.core.uidMailboxes.append(p, inboxId, raw(2));
    await s.written(/^\* 2 EXISTS$/);
    await t.core.uidMailboxes.expunge(p, inboxId, [1], { deletedOnly: false });
    await s.written(/^\* 1 EXPUNGE$/);
    s.answer("DONE");
    expect(await answered).toMatchObject({ status: "OK" });
    expect(s.lines).toEqual(["+ idling", "* 2 EXISTS", "* 1 EXPUNGE"]);
    expect(view.uids()).toEqual([2]);
  });

  it("sends a keep-alive every idleKeepaliveMs, and keeps alive without a mailbox", async () => {
    const s = fakeSession(null, 10);
    const answered = IDLE.handle(s.session, { tag: "A1", command: "IDLE", args: [] });
    await s.written(/^\* OK Still here$/);
    s.answer("done");
    expect(await answered).toMatchObject({ status: "OK" });
  });

  it("answers BAD to anything but DONE, and ends when the client has gone", async () => {
    const s = fakeSession(view);
    const bad = IDLE.handle(s.session, { tag: "A1", command: "IDLE", args: [] });
    s.answer("A2 NOOP");
    expect(await bad).toMatchObject({ status: "BAD" });
    const gone = IDLE.handle(s.session, { tag: "A3", command: "IDLE", args: [] });
    s.answer(null);
    expect(await gone).toMatchObject({ status: "BAD" });
    // Nothing listens any more: a change after IDLE waits for the next flush.
    const heard = new Promise<void>((resolve) => {
      const stop = view.onChange(() => (stop(), resolve()));
    });
    await t.core.uidMailboxes.append(p, inboxId, raw(3));
    await heard;
    expect(s.lines.filter((l) => l.includes("EXISTS"))).toEqual([]);
  });
});

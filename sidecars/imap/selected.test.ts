// The selected view against a real core (SQLite, memory bus) and a session that records what it is told.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Principal } from "../../src/core/index.js";
import { openTestCore, type TestCore } from "../../test/harness/core.js";
import type { ImapSession } from "./commands/context.js";
import { BadArguments } from "./protocol/request.js";
import { parseSequenceSet } from "./protocol/sequence-set.js";
import { SelectedView } from "./selected.js";
import { formatValues, type ImapValue } from "./protocol/values.js";

const raw = (n: number) => Buffer.from(`Subject: m${n}\r\nMessage-ID: <m${n}@t>\r\n\r\nbody ${n}\r\n`);

function recorder(enabled: Array<"CONDSTORE" | "QRESYNC"> = []) {
  const lines: string[] = [];
  const session = {
    enabled: new Set(enabled),
    untagged: (text: string | Buffer) => lines.push(`* ${text.toString()}`),
    untaggedValues: (values: ImapValue[]) => lines.push(`* ${formatValues(values).toString()}`),
    end: () => lines.push("<end>"),
  } as unknown as ImapSession;
  return { session, lines, take: () => lines.splice(0) };
}

/** Resolves once the view has heard `count` more changes. */
function heard(view: SelectedView, count = 1): Promise<void> {
  return new Promise((resolve) => {
    let left = count;
    const stop = view.onChange(() => {
      if (--left === 0) {
        stop();
        resolve();
      }
    });
  });
}

describe("SelectedView", () => {
  let t: TestCore;
  let p: Principal;
  let inboxId: string;
  let view: SelectedView;

  beforeEach(async () => {
    t = await openTestCore();
    const u = await t.addUser("alice");
    p = { kind: "user", userId: u.userId };
    inboxId = u.inboxId;
    for (let n = 1; n <= 3; n++) await t.core.uidMailboxes.append(p, inboxId, raw(n));
    view = (await SelectedView.open(t.core, p, "inbox", { readOnly: false })).view;
  });
  afterEach(async () => {
    await view.close();
    await t.close();
  });

  it("resolves sequence numbers (BAD past the end) and UID sets (N:* names the last)", () => {
    expect(view.uids()).toEqual([1, 2, 3]);
    expect(view.resolve(parseSequenceSet("2:*"), false)).toEqual([2, 3]);
    expect(() => view.resolve(parseSequenceSet("4"), false)).toThrow(BadArguments);
    expect(view.resolve(parseSequenceSet("9:*"), true)).toEqual([3]);
    expect(view.resolve(parseSequenceSet("2,7"), true)).toEqual([2]);
    expect(view.seqOf(3)).toBe(3);
    expect(view.seqOf(9)).toBeUndefined();
  });

  it("tells EXISTS for a new message and FETCH FLAGS (UID, MODSEQ with CONDSTORE) for another's change", async () => {
    const r = recorder(["CONDSTORE"]);
    const news = heard(view, 2);
    await t.core.uidMailboxes.append(p, inboxId, raw(4));
    const { updated } = await t.core.uidMailboxes.storeFlags(p, inboxId, [2], {
      op: "add",
      flags: ["\\Seen"],
    });
    await news;
    await view.flush(r.session, { expunges: true });
    expect(r.take()).toEqual([
      "* 4 EXISTS",
      `* 2 FETCH (UID 2 FLAGS (\\Seen) MODSEQ (${updated[0].modseq}))`,
    ]);
    expect(view.highestModseq).toBe(updated[0].modseq);
  });

  it("tells expunges highest first, holds them (and EXISTS) while expunges may not be sent", async () => {
    const r = recorder();
    const news = heard(view, 4);
    await t.core.uidMailboxes.storeFlags(p, inboxId, [1, 2], { op: "add", flags: ["\\Deleted"] });
    await t.core.uidMailboxes.expunge(p, inboxId, [1, 2]);
    await news;
    const more = heard(view);
    await t.core.uidMailboxes.append(p, inboxId, raw(5));
    await more;
    await view.flush(r.session, { expunges: false });
    expect(r.take()).toEqual([]);
    expect(view.uids()).toEqual([1, 2, 3]);
    await view.flush(r.session, { expunges: true });
    expect(r.take()).toEqual(["* 2 EXPUNGE", "* 1 EXPUNGE", "* 2 EXISTS"]);
    expect(view.uids()).toEqual([3, 4]);
  });

  it("tells VANISHED with QRESYNC", async () => {
    const r = recorder(["QRESYNC"]);
    const news = heard(view, 4);
    await t.core.uidMailboxes.storeFlags(p, inboxId, [1, 3], { op: "add", flags: ["\\Deleted"] });
    await t.core.uidMailboxes.expunge(p, inboxId, [1, 3]);
    await news;
    await view.flush(r.session, { expunges: true });
    expect(r.take()).toEqual(["* VANISHED 1,3"]);
    expect(view.uids()).toEqual([2]);
  });

  it("tells a new keyword in FLAGS and PERMANENTFLAGS before the FETCH", async () => {
    const r = recorder();
    const news = heard(view);
    await t.core.uidMailboxes.storeFlags(p, inboxId, [1], { op: "add", flags: ["$Important"] });
    await news;
    await view.flush(r.session, { expunges: true });
    expect(r.take()).toEqual([
      "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Important)",
      "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Important \\*)] Flags permitted.",
      "* 1 FETCH (UID 1 FLAGS ($Important))",
    ]);
  });

  it("forgets a message that came and went before it was told", async () => {
    const r = recorder();
    const news = heard(view, 3);
    const m = await t.core.uidMailboxes.append(p, inboxId, raw(6));
    await t.core.uidMailboxes.expunge(p, inboxId, [m.uid], { deletedOnly: false });
    await t.core.uidMailboxes.append(p, inboxId, raw(7));
    await news;
    await view.flush(r.session, { expunges: false });
    expect(r.take()).toEqual(["* 4 EXISTS"]);
    expect(view.uids()).toEqual([1, 2, 3, 5]);
  });

  it("does not repeat a flag change the client's own STORE answered, before or after the watch brings it", async () => {
    const r = recorder();
    const news = heard(view, 2);
    const mine = await t.core.uidMailboxes.storeFlags(p, inboxId, [1], { op: "add", flags: ["\\Seen"] });
    view.noteFlagsTold(1, mine.updated[0].modseq);
    const later = { uid: 2, modseq: (await t.core.uidMailboxes.status(p, inboxId)).highestModseq + 1 };
    view.noteFlagsTold(later.uid, later.modseq); // told first, heard after
    await t.core.uidMailboxes.storeFlags(p, inboxId, [2], { op: "add", flags: ["\\Seen"] });
    await news;
    await view.flush(r.session, { expunges: true });
    expect(r.take()).toEqual([]);
  });

  it("stops hearing once closed", async () => {
    await view.close();
    await t.core.uidMailboxes.append(p, inboxId, raw(8));
    const r = recorder();
    await view.flush(r.session, { expunges: true });
    expect(r.take()).toEqual([]);
  });
});

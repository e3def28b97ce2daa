import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { corpusMessages } from "../../support/corpus.js";
import { openTestCore, type TestCore } from "../../test/harness/core.js";
import { RAW_BATCH } from "./messages.js";
import type { Principal } from "./principal.js";

/** A message with a base64 attachment big enough to live in a blob. */
function withAttachment(bytes: Buffer, name: string): Buffer {
  return Buffer.from(
    [
      `Subject: ${name}`,
      "Content-Type: multipart/mixed; boundary=b",
      "",
      "--b",
      "Content-Type: text/plain",
      "",
      "see attached",
      "--b",
      `Content-Type: application/octet-stream; name=${name}`,
      "Content-Transfer-Encoding: base64",
      "",
      bytes.toString("base64").replace(/.{76}/g, "$&\r\n"),
      "--b--",
      "",
    ].join("\r\n"),
  );
}

const collect = async (chunks: AsyncIterable<Buffer>) => {
  const out: Buffer[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return Buffer.concat(out);
};

describe("Core: reading raw bytes", () => {
  let t: TestCore;
  let bob: Principal;
  let bobId: string;
  let inbox: string;
  const sent: Buffer[] = [];
  const attachment = Buffer.alloc(3 * 1024 * 1024);
  for (let i = 0; i < attachment.length; i++) attachment[i] = (i * 7919) % 251;

  beforeAll(async () => {
    t = await openTestCore({ maxMessageBytes: 20 * 1024 * 1024 });
    const user = await t.addUser("bob");
    bobId = user.userId;
    bob = { kind: "user", userId: bobId };
    inbox = user.inboxId;
    // More than two batches, with messages that have blobs among them.
    const corpus = corpusMessages(RAW_BATCH * 2 + 30);
    corpus.splice(7, 0, withAttachment(attachment, "big.bin"));
    corpus.splice(RAW_BATCH + 1, 0, withAttachment(attachment.subarray(0, 50_000), "small.bin"));
    for (const raw of corpus) {
      await t.core.messages.upload(bob, inbox, raw);
      sent.push(raw);
    }
  });
  afterAll(async () => t?.close());

  it("streams every message of a mailbox in UID order, each exactly as delivered", async () => {
    const seen: Array<{ uid: number; bytes: Buffer; together: boolean }> = [];
    for await (const m of t.core.messages.rawMessages(bob, inbox)) {
      const bytes = await collect(m.chunks());
      expect(m.size).toBe(bytes.length);
      seen.push({ uid: m.uid, bytes, together: m.bytes !== null });
      if (m.bytes) expect(m.bytes.equals(bytes)).toBe(true);
    }
    expect(seen.map((s) => s.uid)).toEqual(sent.map((_, i) => i + 1));
    const wrong = seen.filter((s, i) => !s.bytes.equals(sent[i])).map((s) => s.uid);
    expect(wrong).toEqual([]);
    // A message with a large blob streams it; the others come whole: read with their row, or (small.bin's, a
    // 50 kB blob) with their small blobs read ahead.
    expect(seen[7].together).toBe(false);
    expect(seen[RAW_BATCH + 1].together).toBe(true);
    expect(seen.filter((s) => s.together).length).toBeGreaterThan(sent.length * 0.8);
  });

  it("reads a small blob in one piece and streams a large one", async () => {
    const read = vi.spyOn(t.store.blobs, "read");
    const open = vi.spyOn(t.store.blobs, "open");
    try {
      for await (const m of t.core.messages.rawMessages(bob, inbox))
        expect((await collect(m.chunks())).equals(sent[m.uid - 1])).toBe(true);
      // small.bin's blob (50 kB decoded) and the corpus's attachments are read whole; big.bin's (3 MB), the one
      // blob past 256 KiB, is opened as a stream.
      expect(read.mock.calls.length).toBeGreaterThan(1);
      expect(open).toHaveBeenCalledTimes(1);
      // Each with the size the message records, so the embedded store reads it in one synchronous call.
      expect(read.mock.calls.filter(([, size]) => size === undefined || size > 256 * 1024)).toEqual([]);
    } finally {
      read.mockRestore();
      open.mockRestore();
    }
  });

  it("reads a UID range across a batch boundary", async () => {
    const uids: number[] = [];
    for await (const m of t.core.messages.rawMessages(bob, inbox, {
      fromUid: RAW_BATCH - 2,
      toUid: RAW_BATCH + 3,
    })) {
      expect((await collect(m.chunks())).equals(sent[m.uid - 1])).toBe(true);
      uids.push(m.uid);
    }
    expect(uids).toEqual([-2, -1, 0, 1, 2, 3].map((d) => RAW_BATCH + d));
  });

  it("refuses another user's mailbox", async () => {
    const eve = await t.addUser("eve");
    const read = async () => {
      for await (const m of t.core.messages.rawMessages({ kind: "user", userId: eve.userId }, inbox)) void m;
    };
    await expect(read()).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("gives one message's bytes whole, as a stream, and one attachment decoded", async () => {
    const [big] = await t.store.messages.listContents(bobId, inbox, { from: 8, to: 8 }, { limit: 1 });
    expect((await t.core.messages.raw(bob, big.id)).equals(sent[7])).toBe(true);
    const { size, stream } = await t.core.messages.rawStream(bob, big.id);
    expect(size).toBe(sent[7].length);
    expect((await collect(stream)).equals(sent[7])).toBe(true);
    const part = await t.core.messages.attachment(bob, big.id, "2");
    expect(part.filename).toBe("big.bin");
    expect(part.data.equals(attachment)).toBe(true);
    await expect(t.core.messages.attachment(bob, big.id, "9")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { BlobMismatchError } from "./errors.js";
import { parseMessage } from "./parse-message.js";
import { rebuildMessage, sha256Hex, streamMessage, type BlobPayload } from "./segments.js";

const crlf = (text: string): Buffer => Buffer.from(text.replace(/\n/g, "\r\n"), "utf8");
const storeOf = (blobs: BlobPayload[]) => new Map(blobs.map((b) => [b.hash, b.data]));
const pdf = Buffer.alloc(3000, "QUJD").toString("latin1"); // 3000 bytes of base64 text

function withAttachments(...bodies: string[]): Buffer {
  const parts = bodies.map(
    (body) => `--b\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n${body}\n`,
  );
  return crlf(
    `Subject: files\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nsee attached\n${parts.join("")}--b--\n`,
  );
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe("Mime: segments", () => {
  it("cuts a non-text attachment over the floor into a blob and rebuilds the exact bytes", async () => {
    const raw = withAttachments(pdf);
    const parsed = await parseMessage(raw);
    expect(parsed.segments.map((s) => s.kind)).toEqual(["inline", "blob", "inline"]);
    expect(parsed.blobs).toHaveLength(1);
    expect(parsed.blobs[0].data.toString("latin1")).toBe(pdf);
    expect(parsed.blobs[0].hash).toBe(sha256Hex(Buffer.from(pdf, "latin1")));
    expect(await rebuildMessage(parsed.segments, async (h) => storeOf(parsed.blobs).get(h)!)).toEqual(raw);
  });

  it("lists a repeated attachment once in blobs but references it twice", async () => {
    const parsed = await parseMessage(withAttachments(pdf, pdf));
    expect(parsed.blobs).toHaveLength(1);
    expect(parsed.segments.filter((s) => s.kind === "blob")).toHaveLength(2);
  });

  it("gives the same hash to the same attachment in two different messages", async () => {
    const a = await parseMessage(withAttachments(pdf));
    const b = await parseMessage(
      crlf(
        `Subject: other\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\nContent-Type: image/png\n\n${pdf}\n--zz--\n`,
      ),
    );
    expect(b.blobs[0].hash).toBe(a.blobs[0].hash);
  });

  it.each([
    ["small text stays inline", "x".repeat(100), {}, 0],
    ["text at the threshold becomes a blob", "x".repeat(16 * 1024), {}, 1],
    ["text one byte under the threshold stays inline", "x".repeat(16 * 1024 - 1), {}, 0],
    ["a tiny threshold cuts every non-empty leaf", "x", { blobThreshold: 1 }, 1],
    ["an infinite threshold keeps big text inline", "x".repeat(20000), { blobThreshold: Infinity }, 0],
  ])("%s", async (_name, body, options, blobs) => {
    const raw = crlf(`Subject: t\n\n${body}`);
    const parsed = await parseMessage(raw, options);
    expect(parsed.blobs).toHaveLength(blobs);
    expect(await rebuildMessage(parsed.segments, async (h) => storeOf(parsed.blobs).get(h)!)).toEqual(raw);
  });

  it("keeps a non-text leaf under the floor inline, and one at the floor in a blob", async () => {
    expect((await parseMessage(withAttachments("A".repeat(1023)))).blobs).toHaveLength(0);
    expect((await parseMessage(withAttachments("A".repeat(1024)))).blobs).toHaveLength(1);
    expect(
      (await parseMessage(withAttachments("A".repeat(5000)), { blobFloor: Infinity })).blobs,
    ).toHaveLength(0);
  });

  it("streams the exact bytes from Buffer and stream blobs alike", async () => {
    const raw = withAttachments(pdf, "B".repeat(4000));
    const parsed = await parseMessage(raw);
    const store = storeOf(parsed.blobs);
    expect(await collect(streamMessage(parsed.segments, async (h) => store.get(h)!))).toEqual(raw);
    const chunked = async (h: string) =>
      Readable.from([store.get(h)!.subarray(0, 10), store.get(h)!.subarray(10)]);
    expect(await collect(streamMessage(parsed.segments, chunked))).toEqual(raw);
  });

  it("refuses a blob of the wrong size instead of returning damaged bytes", async () => {
    const parsed = await parseMessage(withAttachments(pdf));
    await expect(rebuildMessage(parsed.segments, async () => Buffer.from("short"))).rejects.toBeInstanceOf(
      BlobMismatchError,
    );
    await expect(
      collect(streamMessage(parsed.segments, async () => Buffer.from("short"))),
    ).rejects.toBeInstanceOf(BlobMismatchError);
  });

  it("keeps an empty message as one empty inline segment", async () => {
    const parsed = await parseMessage(Buffer.alloc(0));
    expect(parsed.segments).toEqual([{ kind: "inline", data: Buffer.alloc(0) }]);
    expect(await rebuildMessage(parsed.segments, async () => Buffer.alloc(0))).toEqual(Buffer.alloc(0));
  });
});

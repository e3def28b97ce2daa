// Invariant 2: a message acknowledged to a client survives kill -9 of the process; nothing is half stored.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { corpusSample, readCorpusMessage } from "../../support/corpus.js";
import { createUser, downloadRaw, gqlOk, spawnEider, upload, type SpawnedEider } from "../harness/eider.js";

describe("Invariant 2: acknowledged uploads survive kill -9 (embedded store)", () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-durable-"));
  let eider: SpawnedEider | undefined;
  afterAll(async () => eider?.stop());

  it("keeps every acknowledged message byte for byte, with exact counters, after the process is killed mid-stream", async () => {
    eider = await spawnEider({ dataDir });
    const user = await createUser(eider.url, "durable");
    const files = corpusSample(50);
    const acknowledged = new Map<string, Buffer>();

    // Uploads keep going on 4 connections; the process is killed while some are in flight.
    const worker = async (start: number) => {
      for (let i = start; i < files.length; i += 4) {
        const raw = readCorpusMessage(files[i]);

        const res = await upload(eider!.url, user, raw).catch(() => null);

        if (!res?.data?.uploadMessage) return;
        acknowledged.set(res.data.uploadMessage.id, raw);
        if (acknowledged.size === 40) eider!.child.kill("SIGKILL");
      }
    };
    await Promise.all([0, 1, 2, 3].map(worker));
    await eider.stop();
    expect(acknowledged.size).toBeGreaterThanOrEqual(40);

    eider = await spawnEider({ dataDir });
    const login = await gqlOk(
      eider.url,
      `mutation { login(username: "durable", password: "pw-durable-secret") { token } }`,
    );
    const token = login.login.token;
    for (const [id, raw] of acknowledged) {
      const back = await downloadRaw(eider.url, id, token);
      expect(back.status, `message ${id}`).toBe(200);
      expect(back.body.equals(raw)).toBe(true);
    }
    // Nothing half stored: every stored message downloads, and usage equals the sum of sizes.
    const state = await gqlOk(
      eider.url,
      `{ me { storageUsed } all: search(filter: {}, first: 500) { edges { node { id size } } } }`,
      {},
      token,
    );
    const stored = state.all.edges.map((e: any) => e.node);
    expect(stored.length).toBeGreaterThanOrEqual(acknowledged.size);
    for (const m of stored) expect((await downloadRaw(eider.url, m.id, token)).body.length).toBe(m.size);
    expect(state.me.storageUsed).toBe(stored.reduce((s: number, m: any) => s + m.size, 0));
  }, 120_000);
});

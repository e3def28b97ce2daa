// Invariant 1: every message of a real corpus, uploaded through GraphQL and downloaded raw, comes back byte for byte.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corpusFiles, corpusSample, readCorpusMessage } from "../../support/corpus.js";
import {
  createUser,
  downloadRaw,
  startTestEider,
  upload,
  type TestEider,
  type TestUser,
} from "../harness/eider.js";
import { serviceUrl, skipReason, uniqueDbName } from "../harness/services.js";

const CONCURRENCY = 8;

async function roundTrip(server: TestEider, user: TestUser, files: string[]): Promise<string[]> {
  const mismatches: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++];
      const raw = readCorpusMessage(file);
      const res = await upload(server.url, user, raw);
      if (res.errors) {
        mismatches.push(`${file}: upload failed ${JSON.stringify(res.errors)}`);
        continue;
      }
      const back = await downloadRaw(server.url, res.data.uploadMessage.id, user.token);
      if (back.status !== 200 || !back.body.equals(raw))
        mismatches.push(`${file}: ${back.status}, ${back.body.length} bytes back for ${raw.length}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return mismatches;
}

describe("Invariant 1: byte-exact round trip of the SpamAssassin corpus", () => {
  describe("embedded store, all 6,046 messages", () => {
    let server: TestEider;
    let user: TestUser;
    beforeAll(async () => {
      server = await startTestEider();
      user = await createUser(server.url, "corpus");
    });
    afterAll(async () => server?.stop());

    it("gives back every message exactly as uploaded", async () => {
      const files = corpusFiles();
      expect(files.length).toBe(6046);
      const started = Date.now();
      const mismatches = await roundTrip(server, user, files);
      console.log(
        `byte-exact (embedded): ${files.length} messages up and down in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      expect(mismatches).toEqual([]);
    }, 600_000);
  });

  const mongoUrl = serviceUrl("mongodb");
  describe.skipIf(!mongoUrl)(
    `MongoDB protocol (FerretDB), every 80th message${mongoUrl ? "" : ` (skipped: ${skipReason("mongodb")})`}`,
    () => {
      let server: TestEider;
      let user: TestUser;
      beforeAll(async () => {
        server = await startTestEider({ mongodbUrl: mongoUrl, mongodbDatabase: uniqueDbName("eider_bytes") });
        user = await createUser(server.url, "corpus");
      });
      afterAll(async () => server?.stop());

      it("gives back every sampled message exactly as uploaded", async () => {
        const files = corpusSample(80);
        const mismatches = await roundTrip(server, user, files);
        expect(mismatches).toEqual([]);
      }, 600_000);
    },
  );
});

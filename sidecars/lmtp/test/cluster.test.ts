// The LMTP part alone (`eider serve --only lmtp`) against a shared MongoDB-protocol store and Redis: a message
// it takes is live on an API process at once (subscription event) and stored byte-exact behind its trace lines.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuild } from "../../../test/cli/ensure-build.js";
import { serveEider, type ServingEider } from "../../../test/cli/run-eider.js";
import {
  ADMIN_TOKEN,
  createUser,
  downloadRaw,
  spawnEider,
  watch,
  type SpawnedEider,
} from "../../../test/harness/eider.js";
import { freePort, serviceUrl, skipReason, uniqueDbName } from "../../../test/harness/services.js";
import { pythonLmtp } from "./clients.js";

const redisUrl = serviceUrl("redis");
const mongoUrl = serviceUrl("mongodb");
const reason = skipReason("redis") ?? skipReason("mongodb");

describe.skipIf(!redisUrl || !mongoUrl)(
  `LMTP alone in a cluster (MongoDB protocol + Redis)${reason ? ` (skipped: ${reason})` : ""}`,
  () => {
    let api: SpawnedEider;
    let lmtp: ServingEider;
    let lmtpPort: number;
    beforeAll(async () => {
      await ensureBuild();
      const database = uniqueDbName("eider_lmtp");
      const prefix = `${uniqueDbName("l")}:`;
      api = await spawnEider({
        mongodbUrl: mongoUrl,
        mongodbDatabase: database,
        redisUrl,
        redisPrefix: prefix,
      });
      lmtpPort = await freePort();
      lmtp = await serveEider(
        {
          EIDER_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "eider-lmtp-only-")),
          EIDER_ADMIN_TOKEN: ADMIN_TOKEN,
          EIDER_LOG_LEVEL: "warn",
          EIDER_LMTP_PORT: String(lmtpPort),
          EIDER_STORE_MONGODB_URL: mongoUrl!,
          EIDER_STORE_MONGODB_DATABASE: database,
          EIDER_STORE_MONGODB_BLOB_DATABASE: `${database}_att`,
          EIDER_BUS_REDIS_URL: redisUrl!,
          EIDER_BUS_REDIS_PREFIX: prefix,
        },
        ["--only=lmtp"],
      );
    }, 120_000);
    afterAll(async () => {
      await lmtp?.stop();
      await api?.stop();
    });

    it("delivers through the LMTP process; the API process sees it live and serves it byte-exact", async () => {
      const user = await createUser(api.url, "clus", ["clus@example.com"]);
      const events = watch(
        api.url,
        `subscription($m: ID!) { mailboxChanged(mailboxId: $m) { type messageId } }`,
        { m: user.inbox },
        user.token,
      );
      await events.ready;
      const data = Buffer.from("Subject: across processes\r\nMessage-ID: <x1@remote.test>\r\n\r\nHi.\r\n");
      const r = await pythonLmtp(lmtpPort, { from: "s@remote.test", rcpts: ["clus@example.com"], data });
      expect(r.data.map(([code]) => code)).toEqual([250]);
      const [event] = (await events.waitFor(1)).map((e: any) => e.mailboxChanged);
      expect(event.type).toBe("NEW");
      const raw = await downloadRaw(api.url, event.messageId, user.token);
      expect(raw.body.toString()).toMatch(
        /^Return-Path: <s@remote\.test>\r\nDelivered-To: clus@example\.com\r\n/,
      );
      expect(raw.body.subarray(raw.body.length - data.length).equals(data)).toBe(true);
      await events.close();
    });
  },
);

// Two Eider processes sharing Redis and a MongoDB-protocol store: a change made over IMAP on one reaches an
// IDLE session on the other through the bus, at once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simpleMessage } from "../../../test/api/fixtures.js";
import { ensureBuild } from "../../../test/cli/ensure-build.js";
import { createUser, spawnEider, upload, type SpawnedEider } from "../../../test/harness/eider.js";
import { freePort, serviceUrl, skipReason, uniqueDbName } from "../../../test/harness/services.js";
import { RawImap } from "./raw-imap.js";

const redisUrl = serviceUrl("redis");
const mongoUrl = serviceUrl("mongodb");
const reason = skipReason("redis") ?? skipReason("mongodb");

describe.skipIf(!redisUrl || !mongoUrl)(
  `IMAP IDLE across two processes sharing Redis and MongoDB${reason ? ` (skipped: ${reason})` : ""}`,
  () => {
    let a: SpawnedEider;
    let b: SpawnedEider;
    const ports = { a: 0, b: 0 };
    beforeAll(async () => {
      await ensureBuild(); // spawnEider runs the built dist/
      const shared = {
        mongodbUrl: mongoUrl,
        mongodbDatabase: uniqueDbName("eider_imap_two"),
        redisUrl,
        redisPrefix: `${uniqueDbName("i")}:`,
      };
      [ports.a, ports.b] = [await freePort(), await freePort()];
      a = await spawnEider({ ...shared, env: { EIDER_IMAP_PORT: String(ports.a) } });
      b = await spawnEider({ ...shared, env: { EIDER_IMAP_PORT: String(ports.b) } });
    }, 120_000);
    afterAll(async () => {
      await a?.stop();
      await b?.stop();
    });

    async function loggedIn(port: number): Promise<RawImap> {
      const { imap } = await RawImap.open(port);
      expect((await imap.status("L", "LOGIN twin pw-twin-secret")).status).toBe("OK");
      return imap;
    }

    it("a flag set and a message moved on one process show up in the other's IDLE", async () => {
      const user = await createUser(a.url, "twin");
      for (let i = 1; i <= 2; i++)
        await upload(a.url, user, simpleMessage({ subject: `t${i}`, messageId: `<t${i}@t>` }));
      const watcher = await loggedIn(ports.a);
      const actor = await loggedIn(ports.b);
      expect((await watcher.status("W1", "SELECT INBOX")).status).toBe("OK");
      expect((await actor.status("A1", "SELECT INBOX")).status).toBe("OK");
      watcher.send("W2 IDLE\r\n");
      expect((await watcher.next()).line).toBe("+ idling");
      await actor.command("A2", "UID STORE 1 +FLAGS (\\Flagged)");
      expect((await watcher.next()).line).toBe("* 1 FETCH (UID 1 FLAGS (\\Flagged))");
      const moved = await actor.command("A3", "UID MOVE 2 Archive");
      expect(moved[moved.length - 1].status).toBe("OK");
      expect((await watcher.next()).line).toBe("* 2 EXPUNGE");
      watcher.send("DONE\r\n");
      expect((await watcher.until("W2")).pop()!.line).toBe("W2 OK IDLE terminated.");
      watcher.destroy();
      actor.destroy();
    });
  },
);

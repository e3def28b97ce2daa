// Invariant 6 (GraphQL part): two subscribers on two Eider processes sharing Redis see the same ordered events.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, gqlOk, spawnEider, upload, watch, type SpawnedEider } from "../harness/eider.js";
import { serviceUrl, skipReason, uniqueDbName } from "../harness/services.js";
import { simpleMessage } from "../api/fixtures.js";

const redisUrl = serviceUrl("redis");
const mongoUrl = serviceUrl("mongodb");
const reason = skipReason("redis") ?? skipReason("mongodb");

describe.skipIf(!redisUrl || !mongoUrl)(
  `Invariant 6: subscribers on two processes sharing Redis and MongoDB${reason ? ` (skipped: ${reason})` : ""}`,
  () => {
    let a: SpawnedEider;
    let b: SpawnedEider;
    beforeAll(async () => {
      const shared = {
        mongodbUrl: mongoUrl,
        mongodbDatabase: uniqueDbName("eider_two"),
        redisUrl,
        redisPrefix: `${uniqueDbName("t")}:`,
      };
      a = await spawnEider(shared);
      b = await spawnEider(shared);
    }, 120_000);
    afterAll(async () => {
      await a?.stop();
      await b?.stop();
    });

    it("delivers the same changes in the same order to a subscriber on each process", async () => {
      const user = await createUser(a.url, "twin");
      const state = (await gqlOk(a.url, `{ me { state } }`, {}, user.token)).me.state;
      const query = `subscription($m: ID!, $s: String) { mailboxChanged(mailboxId: $m, sinceState: $s) { type messageId uid modseq } }`;
      const onA = watch(a.url, query, { m: user.inbox, s: state }, user.token);
      const onB = watch(b.url, query, { m: user.inbox, s: state }, user.token);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const via = i % 2 === 0 ? a.url : b.url;
        ids.push((await upload(via, user, simpleMessage({ subject: `twin ${i}` }))).data.uploadMessage.id);
      }
      await gqlOk(
        b.url,
        `mutation($ids: [ID!]!) { setFlags(ids: $ids, op: ADD, flags: ["\\\\Seen"]) { id } }`,
        { ids: [ids[0]] },
        user.token,
      );
      await gqlOk(
        a.url,
        `mutation($ids: [ID!]!) { deleteMessages(ids: $ids) }`,
        { ids: [ids[1]] },
        user.token,
      );
      const seenA = (await onA.waitFor(5)).map((e: any) => e.mailboxChanged);
      const seenB = (await onB.waitFor(5)).map((e: any) => e.mailboxChanged);
      expect(seenA).toEqual(seenB);
      expect(seenA.map((e) => e.type)).toEqual(["NEW", "NEW", "NEW", "FLAGS", "EXPUNGED"]);
      const modseqs = seenA.map((e) => e.modseq);
      expect(modseqs).toEqual([...modseqs].sort((x, y) => x - y));
      await onA.close();
      await onB.close();
    }, 60_000);
  },
);

// Invariant 6 (GraphQL part): two subscribers on two Eider processes sharing Redis see the same whole stream.
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

    it("delivers the same whole stream, in modseq order, with no duplicate and no gap, to a subscriber on each process", async () => {
      const user = await createUser(a.url, "twin");
      const state = (await gqlOk(a.url, `{ me { state } }`, {}, user.token)).me.state;
      // A change after the state and before the subscriptions: it is replayed, and its live event may race the
      // replay on either process (the overlap that must be deduplicated).
      const early = (await upload(a.url, user, simpleMessage({ subject: "twin early" }))).data.uploadMessage;
      const query = `subscription($m: ID!, $s: String) { mailboxChanged(mailboxId: $m, sinceState: $s) { type messageId uid modseq flags } }`;
      const onA = watch(a.url, query, { m: user.inbox, s: state }, user.token);
      const onB = watch(b.url, query, { m: user.inbox, s: state }, user.token);
      const ids: string[] = [early.id];
      for (let i = 0; i < 3; i++) {
        const via = i % 2 === 0 ? a.url : b.url;
        ids.push((await upload(via, user, simpleMessage({ subject: `twin ${i}` }))).data.uploadMessage.id);
      }
      const setFlags = (via: string, id: string, flag: string) =>
        gqlOk(
          via,
          `mutation($ids: [ID!]!, $f: [String!]!) { setFlags(ids: $ids, op: ADD, flags: $f) { id } }`,
          { ids: [id], f: [flag] },
          user.token,
        );
      await setFlags(b.url, ids[0], "\\Seen");
      await gqlOk(
        a.url,
        `mutation($ids: [ID!]!) { deleteMessages(ids: $ids) }`,
        { ids: [ids[1]] },
        user.token,
      );
      // The last change marks the end: once both streams have it, everything before it has arrived too.
      await setFlags(a.url, ids[3], "$end");
      const untilEnd = async (w: typeof onA) => {
        for (let n = 1; ; n++) {
          const events = (await w.waitFor(n)).map((e: any) => e.mailboxChanged);
          const last = events[events.length - 1];
          if (last.type === "FLAGS" && last.messageId === ids[3])
            return w.events.map((e: any) => e.mailboxChanged);
        }
      };
      const seenA = await untilEnd(onA);
      const seenB = await untilEnd(onB);
      // Flags of a NEW may differ (live: as delivered; replayed: as they are now); the rest must not.
      const withoutFlags = (events: any[]) => events.map(({ flags: _flags, ...rest }) => rest);
      expect(withoutFlags(seenA)).toEqual(withoutFlags(seenB));
      expect(seenA.map((e) => [e.type, e.messageId])).toEqual([
        ["NEW", ids[0]],
        ["NEW", ids[1]],
        ["NEW", ids[2]],
        ["NEW", ids[3]],
        ["FLAGS", ids[0]],
        ["EXPUNGED", ids[1]],
        ["FLAGS", ids[3]],
      ]);
      const modseqs = seenA.map((e) => e.modseq);
      expect(new Set(modseqs).size).toBe(modseqs.length);
      expect(modseqs).toEqual([...modseqs].sort((x, y) => x - y));
      const flagged = seenA.filter((e) => e.type === "FLAGS");
      expect(flagged.map((e) => e.flags)).toEqual([["\\Seen"], ["$end"]]);
      expect(seenB.filter((e) => e.type === "FLAGS").map((e) => e.flags)).toEqual([["\\Seen"], ["$end"]]);
      await onA.close();
      await onB.close();
    }, 60_000);
  },
);

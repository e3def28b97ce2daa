// GraphQL's view of the outbound queue: the `outbox` connection, `outboxEntry`, `node(id)`, and the
// `outboxChanged` subscription pushing each state as a real Eider sends to a real smtp-server (the smarthost).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outboxChannel, type OutboxEntry } from "../../src/core/index.js";
import {
  ADMIN_TOKEN,
  createUser,
  errorCode,
  gql,
  gqlOk,
  startTestEider,
  watch,
  type TestEider,
  type TestUser,
  type Watch,
} from "../harness/eider.js";
import { SmtpSink } from "../harness/smtp-sink.js";

const RAW = Buffer.from(
  "From: alice@a.test\r\nTo: bob@remote.test\r\nSubject: Hi\r\nMessage-ID: <g1@a.test>\r\n\r\nHi\r\n",
);
const ENTRY_FIELDS =
  "id state subject size mailFrom nextAttemptAt lastResponse recipients { address state response attempts }";

describe("GraphQL: outbox, outboxEntry and outboxChanged", () => {
  let server: TestEider;
  let sink: SmtpSink;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    sink = new SmtpSink({ starttls: false });
    const port = await sink.listen();
    server = await startTestEider({
      env: {
        EIDER_OUTBOUND_MODE: "smarthost",
        EIDER_OUTBOUND_RELAY: `smtp://127.0.0.1:${port}`,
        EIDER_OUTBOUND_HOSTNAME: "out.eider.test",
      },
    });
    alice = await createUser(server.url, "outbox-alice", ["alice@a.test"]);
    bob = await createUser(server.url, "outbox-bob", ["bob@a.test"]);
  });
  afterAll(async () => {
    await server?.stop();
    await sink?.close();
  });

  const enqueue = (userId: string, recipients: string[], subject = "Hi") =>
    server.eider.core.outbox.enqueue({
      userId,
      mailFrom: "alice@a.test",
      recipients: recipients.map((address) => ({ address })),
      raw: RAW,
      subject,
      messageIdHeader: "<g1@a.test>",
    });

  /** Subscribes and waits until the server has registered the subscription on the bus (a probe event arrives). */
  async function subscribe(token: string, userId: string, args = ""): Promise<Watch<any>> {
    const w = watch(server.url, `subscription { outboxChanged${args} { ${ENTRY_FIELDS} } }`, {}, token);
    const now = new Date();
    const probe: OutboxEntry = {
      id: "probe",
      userId,
      mailFrom: "",
      recipients: [],
      state: "queued",
      subject: "probe",
      messageIdHeader: null,
      size: 0,
      createdAt: now,
      releaseAt: now,
      nextAttemptAt: null,
      lastResponse: null,
      sentCopyId: null,
      draftId: null,
      updatedAt: now,
    };
    while (w.events.length === 0 && w.errors.length === 0) {
      await server.eider.adapters.bus.publish(
        outboxChannel(userId),
        probe as unknown as Record<string, unknown>,
      );
      await Promise.race([w.waitFor(1).catch(() => undefined), new Promise((r) => setImmediate(r))]);
    }
    return w;
  }

  it("pushes each state of a message to its owner's subscription as it is sent, and nobody else's", async () => {
    const mine = await subscribe(alice.token, alice.id);
    const theirs = await subscribe(bob.token, bob.id);
    const probes = mine.events.length;
    const entry = await enqueue(alice.id, ["bob@remote.test"]);
    const events = (await mine.waitFor(probes + 2)).slice(probes).map((e) => e.outboxChanged);
    expect(events.map((e) => [e.id, e.state])).toEqual([
      [entry.id, "QUEUED"],
      [entry.id, "SENT"],
    ]);
    expect(events[1]).toMatchObject({
      subject: "Hi",
      size: RAW.length,
      mailFrom: "alice@a.test",
      nextAttemptAt: null,
      recipients: [
        { address: "bob@remote.test", state: "SENT", attempts: 1, response: expect.stringMatching(/^250 /) },
      ],
    });
    expect((await sink.waitForMessages(1))[0]).toMatchObject({
      clientName: "out.eider.test",
      rcptTo: ["bob@remote.test"],
    });
    expect(theirs.events.every((e) => e.outboxChanged.id === "probe")).toBe(true);
    await mine.close();
    await theirs.close();
  });

  it("refuses a user's subscription to another user's queue; the admin may name the user", async () => {
    const w = watch(
      server.url,
      `subscription($u: ID) { outboxChanged(userId: $u) { id } }`,
      { u: alice.id },
      bob.token,
    );
    await expect(w.waitFor(1)).rejects.toThrow(/FORBIDDEN/);
    await w.close();
    const admin = await subscribe(ADMIN_TOKEN, alice.id, `(userId: "${alice.id}")`);
    const probes = admin.events.length;
    const entry = await enqueue(alice.id, ["carol@remote.test"]);
    expect((await admin.waitFor(probes + 1))[probes].outboxChanged).toMatchObject({
      id: entry.id,
      state: "QUEUED",
    });
    await admin.close();
  });

  it("ends a user's subscription when its session logs out", async () => {
    const carol = await createUser(server.url, "outbox-carol", ["carol@a.test"]);
    const w = await subscribe(carol.token, carol.id);
    expect((await gqlOk(server.url, `mutation { logout }`, {}, carol.token)).logout).toBe(true);
    await w.completed;
    await w.close();
  });

  it("lists the queue newest first in pages, by state, finds an entry by id and through node(id), and keeps users apart", async () => {
    const a = await enqueue(alice.id, ["x@remote.test"], "first");
    const b = await enqueue(alice.id, ["y@remote.test"], "second");
    const page = `query($after: String, $s: [OutboxState!]) { outbox(first: 1, after: $after, states: $s) {
      edges { cursor node { id subject } } pageInfo { hasNextPage endCursor } } }`;
    const one = (await gqlOk(server.url, page, {}, alice.token)).outbox;
    expect(one.edges.map((e: any) => e.node.subject)).toEqual(["second"]);
    expect(one.pageInfo.hasNextPage).toBe(true);
    const two = (await gqlOk(server.url, page, { after: one.pageInfo.endCursor }, alice.token)).outbox;
    expect(two.edges.map((e: any) => e.node.id)).toEqual([a.id]);
    const none = (await gqlOk(server.url, page, { s: ["HELD"] }, alice.token)).outbox;
    expect(none.edges).toEqual([]);

    const byId = await gqlOk(
      server.url,
      `query($id: ID!) { outboxEntry(id: $id) { id subject } }`,
      { id: b.id },
      alice.token,
    );
    expect(byId.outboxEntry).toEqual({ id: b.id, subject: "second" });
    const node = await gqlOk(
      server.url,
      `query($id: ID!) { node(id: $id) { __typename id ... on OutboxEntry { subject } } }`,
      { id: b.id },
      alice.token,
    );
    expect(node.node).toEqual({ __typename: "OutboxEntry", id: b.id, subject: "second" });

    const stranger = await gql(
      server.url,
      `query($id: ID!) { outboxEntry(id: $id) { id } }`,
      { id: b.id },
      bob.token,
    );
    expect(errorCode(stranger)).toBe("NOT_FOUND");
    expect(
      (await gqlOk(server.url, `query($id: ID!) { node(id: $id) { id } }`, { id: b.id }, bob.token)).node,
    ).toBeNull();
    expect(
      (await gqlOk(server.url, `{ outbox { edges { node { id } } } }`, {}, bob.token)).outbox.edges,
    ).toEqual([]);
    const asAdmin = await gqlOk(
      server.url,
      `query($u: ID) { outbox(first: 2, userId: $u) { edges { node { id } } } }`,
      { u: alice.id },
      ADMIN_TOKEN,
    );
    expect(asAdmin.outbox.edges.map((e: any) => e.node.id)).toEqual([b.id, a.id]);
    const badCursor = await gql(
      server.url,
      `{ outbox(after: "bm9wZQ") { edges { cursor } } }`,
      {},
      alice.token,
    );
    expect(errorCode(badCursor)).toBe("INVALID_INPUT");
  });
});

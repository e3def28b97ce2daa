// Sending over GraphQL end to end: a real Eider (HTTP + the outbox runner) relaying to a real smtp-server that
// stands in for the remote MX. What the MX received is the Sent copy byte for byte; a neighbour on this server
// gets the message at once; undo send returns the message to Drafts; errors carry the domain's codes.
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  createUser,
  downloadRaw,
  errorCode,
  gql,
  gqlOk,
  type TestEider,
  type TestUser,
} from "../harness/eider.js";
import { startRelayingEider, type RelayingEider } from "../harness/relaying-eider.js";
import type { SmtpSink } from "../harness/smtp-sink.js";

const SEND = `mutation($i: SendMessageInput!) {
  sendMessage(input: $i) {
    queueId state releaseAt local { recipient status detail } entry { sentCopyId messageIdHeader recipients { address state } }
  }
}`;

describe("GraphQL: sending mail", () => {
  let sink: SmtpSink;
  let server: TestEider;
  let alice: TestUser;
  let bob: TestUser;

  let relaying: RelayingEider;

  beforeAll(async () => {
    relaying = await startRelayingEider({
      EIDER_SUBMISSION_HOSTNAME: "mail.eider.test",
      EIDER_SUBMISSION_PORT: "0",
      EIDER_SUBMISSION_TLS_PORT: "0",
    });
    ({ server, sink } = relaying);
    alice = await createUser(server.url, "alice", ["alice@eider.test"]);
    bob = await createUser(server.url, "bob", ["bob@eider.test"]);
  });
  afterAll(() => relaying?.stop());

  async function messagesIn(user: TestUser, path: string) {
    const res = await gqlOk(
      server.url,
      `query($m: ID!) { mailbox(id: $m) { messages(first: 50) { edges { node { id subject flags } } } } }`,
      { m: user.mailboxes[path] },
      user.token,
    );
    return res.mailbox.messages.edges.map(
      (e: { node: { id: string; subject: string; flags: string[] } }) => e.node,
    );
  }

  it("sends a composed message with an attachment: the MX gets the Sent copy's bytes, Bcc unseen, Bob at once", async () => {
    const before = sink.received.length;
    const res = await gqlOk(
      server.url,
      SEND,
      {
        i: {
          message: {
            from: { name: "Alice Ärger", address: "alice@eider.test" },
            to: [{ address: "carol@remote.test" }, { address: "bob@eider.test" }],
            bcc: [{ address: "dave@remote.test" }],
            subject: "Grüße",
            text: "Hello",
            html: "<p>Hello</p>",
            attachments: [
              {
                filename: "a.txt",
                contentType: "text/plain",
                contentBase64: Buffer.from("attached").toString("base64"),
              },
            ],
          },
        },
      },
      alice.token,
    );
    const sent = res.sendMessage;
    expect(sent.local).toEqual([
      { recipient: "bob@eider.test", status: "stored", detail: expect.stringContaining("INBOX") },
    ]);
    expect(sent.entry.sentCopyId).toBeTruthy();
    expect((await messagesIn(bob, "INBOX")).map((m: { subject: string }) => m.subject)).toContain("Grüße");
    const [received] = (await sink.waitForMessages(before + 1)).slice(before);
    expect(received.rcptTo.sort()).toEqual(["carol@remote.test", "dave@remote.test"]);
    const copy = (await downloadRaw(server.url, sent.entry.sentCopyId, alice.token)).body;
    expect(copy.equals(received.raw)).toBe(true);
    const parsed = await simpleParser(received.raw);
    expect(parsed.subject).toBe("Grüße");
    expect(parsed.from?.value).toEqual([{ name: "Alice Ärger", address: "alice@eider.test" }]);
    expect(parsed.messageId).toBe(sent.entry.messageIdHeader);
    expect(parsed.attachments[0].content.toString()).toBe("attached");
    expect(received.raw.toString("latin1")).not.toContain("dave@");
  });

  it("sends a raw message from its headers, without its Bcc", async () => {
    const before = sink.received.length;
    const raw =
      "From: alice@eider.test\r\nTo: carol@remote.test\r\nBcc: erin@remote.test\r\nSubject: raw\r\n" +
      "Message-ID: <raw-1@client.test>\r\nDate: Tue, 01 Dec 2026 08:00:00 +0000\r\n\r\nraw body\r\n";
    const res = await gqlOk(
      server.url,
      SEND,
      { i: { raw: Buffer.from(raw).toString("base64") } },
      alice.token,
    );
    expect(res.sendMessage.entry.messageIdHeader).toBe("<raw-1@client.test>");
    const [received] = (await sink.waitForMessages(before + 1)).slice(before);
    expect(received.rcptTo.sort()).toEqual(["carol@remote.test", "erin@remote.test"]);
    expect(received.raw.toString("latin1")).toBe(raw.replace("Bcc: erin@remote.test\r\n", ""));
  });

  it("answers a forged From with FORBIDDEN, bad input with INVALID_INPUT, and queues nothing", async () => {
    const before = sink.dataSeen;
    const forged = await gql(
      server.url,
      SEND,
      { i: { message: { from: { address: "bob@eider.test" }, to: [{ address: "carol@remote.test" }] } } },
      alice.token,
    );
    expect(errorCode(forged)).toBe("FORBIDDEN");
    expect(forged.errors?.[0].message).toContain('"bob@eider.test"');
    const both = await gql(
      server.url,
      SEND,
      {
        i: {
          raw: "AAAA",
          message: { from: { address: "alice@eider.test" }, to: [{ address: "c@remote.test" }] },
        },
      },
      alice.token,
    );
    expect(errorCode(both)).toBe("INVALID_INPUT");
    const badAttachment = await gql(
      server.url,
      SEND,
      {
        i: {
          message: {
            from: { address: "alice@eider.test" },
            to: [{ address: "c@remote.test" }],
            attachments: [{ filename: "x", contentType: "text/plain", contentBase64: "not base64!" }],
          },
        },
      },
      alice.token,
    );
    expect(errorCode(badAttachment)).toBe("INVALID_INPUT");
    expect(errorCode(await gql(server.url, SEND, { i: { raw: "AAAA" } }))).toBe("UNAUTHENTICATED");
    expect(sink.dataSeen).toBe(before);
  });

  it("holds for the undo-send time; cancelSend brings the message back to Drafts with its Bcc", async () => {
    const set = await gqlOk(server.url, `mutation { setSendHold(seconds: 30) }`, {}, alice.token);
    expect(set.setSendHold).toBe(30);
    expect((await gqlOk(server.url, `{ me { sendHoldSeconds } }`, {}, alice.token)).me.sendHoldSeconds).toBe(
      30,
    );
    expect(errorCode(await gql(server.url, `mutation { setSendHold(seconds: 31) }`, {}, alice.token))).toBe(
      "INVALID_INPUT",
    );
    const before = sink.dataSeen;
    const res = await gqlOk(
      server.url,
      SEND,
      {
        i: {
          message: {
            from: { address: "alice@eider.test" },
            to: [{ address: "bob@eider.test" }],
            bcc: [{ address: "dave@remote.test" }],
            subject: "Oops",
            text: "Never mind.",
          },
        },
      },
      alice.token,
    );
    expect(res.sendMessage.state).toBe("HELD");
    expect(res.sendMessage.local).toEqual([]);
    expect(new Date(res.sendMessage.releaseAt).getTime()).toBeGreaterThan(Date.now() + 20_000);
    const cancelled = await gqlOk(
      server.url,
      `mutation($q: ID!) { cancelSend(queueId: $q) { entry { id state } draft { messageId mailboxId uid } } }`,
      { q: res.sendMessage.queueId },
      alice.token,
    );
    expect(cancelled.cancelSend.entry.state).toBe("CANCELLED");
    expect(cancelled.cancelSend.draft.mailboxId).toBe(alice.mailboxes.Drafts);
    const draftRaw = (await downloadRaw(server.url, cancelled.cancelSend.draft.messageId, alice.token)).body;
    expect(draftRaw.toString("latin1")).toMatch(/^Bcc: dave@remote\.test\r$/m);
    expect((await messagesIn(bob, "INBOX")).map((m: { subject: string }) => m.subject)).not.toContain("Oops");
    expect(sink.dataSeen).toBe(before);
    // Bob cannot cancel Alice's message (nor see it).
    expect(
      errorCode(
        await gql(
          server.url,
          `mutation($q: ID!) { cancelSend(queueId: $q) { entry { state } } }`,
          { q: res.sendMessage.queueId },
          bob.token,
        ),
      ),
    ).toBe("NOT_FOUND");
    await gqlOk(server.url, `mutation { setSendHold(seconds: 0) }`, {}, alice.token);
  });

  it("saves, replaces and sends a draft, and lets the admin set a user's daily recipient limit", async () => {
    const message = {
      from: { address: "alice@eider.test" },
      to: [{ address: "carol@remote.test" }],
      subject: "Plan",
    };
    const first = await gqlOk(
      server.url,
      `mutation($m: ComposeMessageInput!) { saveDraft(message: $m) { messageId mailboxId } }`,
      { m: { ...message, text: "v1" } },
      alice.token,
    );
    const second = await gqlOk(
      server.url,
      `mutation($m: ComposeMessageInput!, $r: ID) { saveDraft(message: $m, replacesId: $r) { messageId } }`,
      { m: { ...message, text: "v2" }, r: first.saveDraft.messageId },
      alice.token,
    );
    const drafts = (await messagesIn(alice, "Drafts")).filter(
      (m: { subject: string }) => m.subject === "Plan",
    );
    expect(drafts.map((m: { id: string }) => m.id)).toEqual([second.saveDraft.messageId]);
    const before = sink.received.length;
    await gqlOk(
      server.url,
      `mutation($id: ID!) { sendDraft(id: $id) { queueId } }`,
      { id: second.saveDraft.messageId },
      alice.token,
    );
    const [received] = (await sink.waitForMessages(before + 1)).slice(before);
    expect((await simpleParser(received.raw)).text?.trim()).toBe("v2");
    expect(
      (await messagesIn(alice, "Drafts")).filter((m: { subject: string }) => m.subject === "Plan"),
    ).toEqual([]);

    await gqlOk(
      server.url,
      `mutation($id: ID!) { updateUser(id: $id, input: { recipientsPerDay: 1 }) { id } }`,
      { id: bob.id },
      ADMIN_TOKEN,
    );
    const two = {
      from: { address: "bob@eider.test" },
      to: [{ address: "x@remote.test" }, { address: "y@remote.test" }],
    };
    const limited = await gql(server.url, SEND, { i: { message: two } }, bob.token);
    expect(errorCode(limited)).toBe("RATE_LIMITED");
  });
});

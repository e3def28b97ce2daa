// GET /download/mailbox/<id>/mbox: a whole mailbox in one streamed response, readable by `eider import mbox`.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMbox } from "../../src/cli/import/mbox.js";
import { corpusMessages } from "../../support/corpus.js";
import { createUser, startTestEider, upload, type TestEider, type TestUser } from "../harness/eider.js";
import { messageWithAttachment, simpleMessage } from "./fixtures.js";

describe("API: mailbox export as mboxrd", () => {
  let server: TestEider;
  let alice: TestUser;
  let mallory: TestUser;
  const uploaded: Buffer[] = [];
  beforeAll(async () => {
    server = await startTestEider();
    alice = await createUser(server.url, "exporter");
    mallory = await createUser(server.url, "mallory-export");
    const messages = [
      simpleMessage({ subject: "plain" }),
      Buffer.from("Subject: from lines\r\n\r\nFrom the top\r\n>From quoted\r\n\r\nFrom again\r\n"),
      messageWithAttachment(randomBytes(200_000), { subject: "with a blob" }),
      // mbox cannot say that a message lacked a final line feed: those are left out of this round trip
      ...corpusMessages(40).filter((m) => m.length > 0 && m[m.length - 1] === 0x0a),
    ];
    for (const m of messages) {
      const res = await upload(server.url, alice, m);
      expect(res.errors).toBeUndefined();
      uploaded.push(m);
    }
  });
  afterAll(() => server?.stop());

  const exportOf = (mailboxId: string, token?: string) =>
    fetch(`${server.url}/download/mailbox/${mailboxId}/mbox`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  it("streams every message in UID order, byte-exact once unquoted, as a safe attachment", async () => {
    const res = await exportOf(alice.inbox, alice.token);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/mbox");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="INBOX.mbox"/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const back: Buffer[] = [];
    for await (const m of readMbox([Buffer.from(await res.arrayBuffer())])) back.push(m.raw);
    expect(back.length).toBe(uploaded.length);
    back.forEach((m, i) => expect(m.equals(uploaded[i]), `message ${i}`).toBe(true));
  });

  it("gives another user's mailbox to nobody: NOT_FOUND for another user, 401 without a token", async () => {
    const other = await exportOf(alice.inbox, mallory.token);
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    expect((await exportOf(alice.inbox)).status).toBe(401);
  });
});

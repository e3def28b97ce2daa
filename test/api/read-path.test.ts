// The read path over the API: a page with bodies is served from what delivery stored, without a parser; messages
// stored before body parts were kept still read, through mailparser.
import Database from "better-sqlite3";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCorpusMessage, corpusSample } from "../../support/corpus.js";
import {
  createUser,
  downloadRaw,
  gqlOk,
  startTestEider,
  upload,
  type TestEider,
  type TestUser,
} from "../harness/eider.js";
import { parserViews } from "../../src/mime/view.js";
import { messageWithAttachment } from "./fixtures.js";

const PAGE = `query($id: ID!) {
  mailbox(id: $id) { messages(first: 50) { edges { node { id subject body { text html textAsHtml truncated headers { key value } attachments { partId contentType } } } } } }
}`;

describe("API: reading bodies", () => {
  let server: TestEider;
  let user: TestUser;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-read-"));
    server = await startTestEider({ dataDir });
    user = await createUser(server.url, "reader");
    const messages = [
      ...corpusSample(120).slice(0, 49).map(readCorpusMessage),
      messageWithAttachment(Buffer.alloc(40_000, 7)),
    ];
    for (const raw of messages) {
      const res = await upload(server.url, user, raw);
      expect(res.errors).toBeUndefined();
    }
  });
  afterAll(() => server?.stop());

  const page = async () => {
    const data = await gqlOk(server.url, PAGE, { id: user.inbox }, user.token);
    return data.mailbox.messages.edges.map((e: any) => e.node);
  };

  it("serves a page of 50 with bodies without running a parser", async () => {
    const before = parserViews.count;
    const nodes = await page();
    expect(parserViews.count).toBe(before);
    expect(nodes).toHaveLength(50);
    expect(nodes.filter((n: any) => n.body.text || n.body.html).length).toBeGreaterThanOrEqual(49);
    const report = nodes.find((n: any) => n.subject === "Report attached");
    expect(report.body.text).toBe("The quarterly report is attached.");
    expect(report.body.html).toContain("<b>quarterly</b>");
    expect(report.body.attachments).toEqual([{ partId: "2", contentType: "application/pdf" }]);
    expect(report.body.headers).toContainEqual({ key: "subject", value: "Report attached" });
  });

  it("cuts the text of a huge message at 2 MiB and says so; the raw download stays whole", async () => {
    const line = "All work and no play makes a huge text body.\r\n";
    const raw = Buffer.from(`Subject: huge\r\n\r\n${line.repeat(Math.ceil((3 * 2 ** 20) / line.length))}`);
    const stored = await upload(server.url, user, raw);
    const id = stored.data.uploadMessage.id;
    const data = await gqlOk(
      server.url,
      `query($id: ID!) { message(id: $id) { body { text truncated } } }`,
      { id },
      user.token,
    );
    expect(data.message.body.truncated).toBe(true);
    expect(data.message.body.text.length).toBeLessThanOrEqual(2 * 2 ** 20);
    expect(data.message.body.text.length).toBeGreaterThan(2 ** 20);
    expect((await downloadRaw(server.url, id, user.token)).body.equals(raw)).toBe(true);
    const others = (await page()).filter((n: any) => n.id !== id);
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((n: any) => n.body.truncated === false)).toBe(true);
    await gqlOk(
      server.url,
      `mutation($ids: [ID!]!) { deleteMessages(ids: $ids) }`,
      { ids: [id] },
      user.token,
    );
  });

  it("reads messages stored before body parts were kept, through the parser, with the same result", async () => {
    const fresh = await page();
    const db = new Database(path.join(dataDir, "eider.sqlite"));
    try {
      const changed = db.prepare("UPDATE messages SET meta = json_remove(meta, '$.body')").run().changes;
      expect(changed).toBe(50);
    } finally {
      db.close();
    }
    const before = parserViews.count;
    const legacy = await page();
    expect(parserViews.count).toBe(before + 50);
    const report = (nodes: any[]) => nodes.find((n: any) => n.subject === "Report attached").body;
    expect(report(legacy)).toEqual({ ...report(fresh), textAsHtml: report(legacy).textAsHtml });
    expect(legacy.map((n: any) => n.body.attachments)).toEqual(fresh.map((n: any) => n.body.attachments));
    expect(legacy.map((n: any) => n.body.headers)).toEqual(fresh.map((n: any) => n.body.headers));
  });
});

// Spam scoring at the MX with a real Rspamd: its score and action become the trusted headers Eider's delivery
// routing reads, so spam lands in Junk and ham in the INBOX; a sender's own verdict is never what decides.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, downloadRaw, gqlOk, type TestUser } from "../../../test/harness/eider.js";
import { startRspamd, type RunningRspamd } from "../../../test/harness/rspamd.js";
import { smtplibSend, startMxEider, type MxEider } from "./harness.js";

// The GTUBE line: Rspamd's test pattern for spam (score 15, action reject).
const GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

const rspamd = await startRspamd();
const skip = "skip" in rspamd ? rspamd.skip : undefined;
if (skip) console.log(`Rspamd tests skipped: ${skip}`);

describe.skipIf(Boolean(skip))("MX with Rspamd", () => {
  let t: MxEider;
  let erin: TestUser;

  beforeAll(async () => {
    t = await startMxEider({ env: { EIDER_MX_RSPAMD_URL: (rspamd as RunningRspamd).url } });
    erin = await createUser(t.url, "erin", ["erin@eider.test"]);
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    if (!skip) await (rspamd as RunningRspamd).stop();
  });

  async function find(subject: string, mailbox: string) {
    const data = await gqlOk(
      t.url,
      `query($id: ID!) { mailbox(id: $id) { messages(first: 50) { edges { node { id subject } } } } }`,
      { id: erin.mailboxes[mailbox] },
      erin.token,
    );
    const node = data.mailbox.messages.edges.map((e: any) => e.node).find((m: any) => m.subject === subject);
    return node ? (await downloadRaw(t.url, node.id, erin.token)).body.toString("utf8") : null;
  }

  it("files GTUBE spam in Junk with Rspamd's score and action on top, even when the sender wrote 'not spam'", async () => {
    const data = Buffer.from(
      "From: sender@remote.test\r\nTo: erin@eider.test\r\nSubject: Spammy\r\nX-Spam-Status: No, score=-50\r\n" +
        `Message-ID: <gtube@remote.test>\r\n\r\n${GTUBE}\r\n`,
    );
    const r = await smtplibSend(t.mxPort, { from: "sender@remote.test", rcpts: ["erin@eider.test"], data });
    expect(r.data?.[0]).toBe(250);
    expect(await find("Spammy", "INBOX")).toBeNull();
    const junk = await find("Spammy", "Junk");
    expect(junk).toMatch(
      /^X-Spam-Status: Yes, score=15\.00 required=15\.00\r\nX-Rspamd-Score: 15\.00\r\nX-Rspamd-Action: reject\r\n/m,
    );
    expect(junk).not.toContain("score=-50");
  });

  it("delivers ham to the INBOX with its (low) score", async () => {
    const data = Buffer.from(
      "From: Friend <sender@remote.test>\r\nTo: erin@eider.test\r\nSubject: Lunch\r\n" +
        "Date: Tue, 1 Dec 2026 08:00:00 +0000\r\nMessage-ID: <lunch@remote.test>\r\n\r\nSee you at noon.\r\n",
    );
    const r = await smtplibSend(t.mxPort, { from: "sender@remote.test", rcpts: ["erin@eider.test"], data });
    expect(r.data?.[0]).toBe(250);
    const inbox = await find("Lunch", "INBOX");
    expect(inbox).toMatch(/X-Spam-Status: No, score=-?\d+\.\d\d/);
    expect(inbox).toMatch(/X-Rspamd-Action: no action/);
  });
});

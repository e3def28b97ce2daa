// The selected state through a real client (imapflow 2.10): an LMTP delivery reaches its IDLE as EXISTS, and a
// QRESYNC reconnect learns what was expunged (VANISHED (EARLIER)) and what changed while it was away.
import { once } from "node:events";
import { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simpleMessage } from "../../../test/api/fixtures.js";
import { createUser, startTestEider, upload, type TestEider } from "../../../test/harness/eider.js";
import { RawLmtp } from "../../lmtp/test/clients.js";

let t: TestEider;
beforeAll(async () => {
  t = await startTestEider();
});
afterAll(async () => t?.stop());

function client(user: string, qresync = false): ImapFlow {
  return new ImapFlow({
    host: "127.0.0.1",
    port: t.eider.imap!.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user, pass: `pw-${user}-secret` },
    logger: false,
    qresync,
  });
}

describe("IMAP selected state with imapflow", () => {
  it("IDLE hears an LMTP delivery as EXISTS", async () => {
    await createUser(t.url, "flowidle", ["flowidle@example.org"]);
    const imap = client("flowidle");
    await imap.connect();
    await imap.mailboxOpen("INBOX");
    const idling = imap.idle(); // resolves when IDLE ends
    // The client is in IDLE once the server's `+ idling` came back (a state to wait for, not a duration).
    while (!imap.idling) await new Promise((resolve) => setImmediate(resolve));
    const exists = once(imap, "exists");
    const lmtp = await RawLmtp.connect(t.eider.lmtp!.port);
    await lmtp.send("LHLO mx.test\r\n");
    const accepted = await lmtp.send(
      "MAIL FROM:<s@remote.test>\r\nRCPT TO:<flowidle@example.org>\r\nDATA\r\n" +
        simpleMessage({ subject: "by lmtp", messageId: "<flowidle@t>" }).toString() +
        "\r\n.\r\n",
      4,
    );
    expect(accepted[3]).toMatch(/^250 /);
    const [event] = (await exists) as [{ count: number; prevCount: number }];
    expect(event).toMatchObject({ count: 1, prevCount: 0 });
    lmtp.end();
    await imap.logout();
    await idling;
  });

  it("a QRESYNC reconnect learns the UIDs expunged and the flags changed while it was away", async () => {
    const user = await createUser(t.url, "flowsync");
    for (let i = 1; i <= 4; i++)
      await upload(t.url, user, simpleMessage({ subject: `q${i}`, messageId: `<flowsync.${i}@t>` }));
    const first = client("flowsync", true);
    await first.connect();
    const box = await first.mailboxOpen("INBOX");
    const known = { uidValidity: box.uidValidity, highestModseq: box.highestModseq! };
    await first.logout();

    const other = client("flowsync");
    await other.connect();
    await other.mailboxOpen("INBOX");
    await other.messageFlagsAdd("2,4", ["\\Deleted"], { uid: true });
    await other.messageDelete("2,4", { uid: true });
    await other.messageFlagsAdd("3", ["$Synced"], { uid: true });
    await other.logout();

    const again = client("flowsync", true);
    const vanished: number[] = [];
    const flags: Array<{ uid: number; flags: string[] }> = [];
    const events = again as unknown as NodeJS.EventEmitter;
    events.on("expunge", (e: { vanished: boolean; uid?: number }) => e.vanished && vanished.push(e.uid!));
    events.on("flags", (e: { uid: number; flags: Set<string> }) =>
      flags.push({ uid: e.uid, flags: [...e.flags] }),
    );
    await again.connect();
    const reopened = await again.mailboxOpen("INBOX", {
      uidValidity: known.uidValidity,
      changedSince: known.highestModseq,
    } as never);
    expect(reopened.exists).toBe(2);
    expect(vanished.sort((a, b) => a - b)).toEqual([2, 4]);
    expect(flags).toEqual([{ uid: 3, flags: ["$Synced"] }]);
    await again.logout();
  });
});

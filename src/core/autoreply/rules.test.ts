import { describe, expect, it } from "vitest";
import { parseMessage } from "../../mime/index.js";
import type { AutoreplyRecord } from "../../storage/ports.js";
import { normalizeAddress } from "../addresses.js";
import { composeReply, replyReferences } from "./composer.js";
import { decideReply, isActive, replySubject, senderKey, type ReplyInput } from "./rules.js";

const ADDRESSES = ["Alice.Smith@example.com", "alice@example.org"].map((address) => ({
  address,
  normalized: normalizeAddress(address),
}));

async function input(
  headers: string,
  mailFrom = "bob@remote.test",
  addresses = ADDRESSES,
): Promise<ReplyInput> {
  const parsed = await parseMessage(Buffer.from(`${headers}\r\n\r\nHello.\r\n`));
  return { mailFrom, headers: parsed.headers, headerFields: parsed.headerFields, userAddresses: addresses };
}

const PLAIN = "From: Bob <bob@remote.test>\r\nTo: Alice <alice.smith@example.com>\r\nSubject: Lunch?";

describe("autoreply rules (RFC 3834)", () => {
  it("answers ordinary mail addressed to the user, from the address it was sent to", async () => {
    expect(decideReply(await input(PLAIN))).toEqual({ reply: true, from: "Alice.Smith@example.com" });
    // Cc counts, and a +label or dots still name the user's address; the reply uses the address as registered.
    expect(
      decideReply(await input("From: bob@remote.test\r\nTo: x@else.test\r\nCc: a.lice+trip@EXAMPLE.org")),
    ).toEqual({ reply: true, from: "alice@example.org" });
    // `Auto-Submitted: no` is a person's message.
    expect(decideReply(await input(`${PLAIN}\r\nAuto-Submitted: no`))).toMatchObject({ reply: true });
  });

  it("answers from the address a wildcard caught", async () => {
    const wildcard = [{ address: "*@example.net", normalized: "*@example.net" }];
    expect(decideReply(await input("To: sales@example.net", "bob@remote.test", wildcard))).toEqual({
      reply: true,
      from: "sales@example.net",
    });
  });

  it.each([
    ["the null sender", PLAIN, "", "null-sender"],
    ["MAILER-DAEMON", PLAIN, "MAILER-DAEMON@remote.test", "system-sender"],
    ["a list owner", PLAIN, "owner-hikers@lists.test", "system-sender"],
    ["a list's -request address", PLAIN, "hikers-request@lists.test", "system-sender"],
    ["a no-reply address", PLAIN, "no-reply@shop.test", "system-sender"],
    ["the user itself", PLAIN, "alice+x@example.org", "own-address"],
    [
      "Auto-Submitted: auto-replied (another vacation)",
      `${PLAIN}\r\nAuto-Submitted: auto-replied`,
      undefined,
      "auto-submitted",
    ],
    [
      "Auto-Submitted: auto-generated; with parameters",
      `${PLAIN}\r\nAuto-Submitted: Auto-Generated; x=1`,
      undefined,
      "auto-submitted",
    ],
    ["Precedence: bulk", `${PLAIN}\r\nPrecedence: bulk`, undefined, "bulk"],
    ["Precedence: list", `${PLAIN}\r\nPrecedence: List`, undefined, "bulk"],
    ["Precedence: junk", `${PLAIN}\r\nPrecedence: junk`, undefined, "bulk"],
    ["List-Id", `${PLAIN}\r\nList-Id: Hikers <hikers.lists.test>`, undefined, "mailing-list"],
    ["List-Unsubscribe", `${PLAIN}\r\nList-Unsubscribe: <mailto:u@lists.test>`, undefined, "mailing-list"],
    [
      "X-Auto-Response-Suppress: OOF",
      `${PLAIN}\r\nX-Auto-Response-Suppress: DR, OOF`,
      undefined,
      "suppressed",
    ],
    [
      "mail where the user is only in Bcc of the envelope",
      "From: bob@remote.test\r\nTo: team@remote.test",
      undefined,
      "not-addressed",
    ],
    ["mail without To or Cc", "From: bob@remote.test\r\nSubject: x", undefined, "not-addressed"],
  ])("does not answer %s", async (_what, headers, mailFrom, reason) => {
    expect(decideReply(await input(headers, mailFrom))).toEqual({ reply: false, reason });
  });

  it("is active only when enabled and within its dates (start inclusive, end exclusive)", () => {
    const base: AutoreplyRecord = {
      userId: "u",
      enabled: true,
      startsAt: new Date("2026-07-01T00:00:00Z"),
      endsAt: new Date("2026-07-15T00:00:00Z"),
      subject: null,
      text: "Away",
      html: null,
      updatedAt: new Date(),
    };
    expect(isActive(base, new Date("2026-06-30T23:59:59Z"))).toBe(false);
    expect(isActive(base, new Date("2026-07-01T00:00:00Z"))).toBe(true);
    expect(isActive(base, new Date("2026-07-14T23:59:59Z"))).toBe(true);
    expect(isActive(base, new Date("2026-07-15T00:00:00Z"))).toBe(false);
    expect(isActive({ ...base, enabled: false }, new Date("2026-07-02T00:00:00Z"))).toBe(false);
    expect(isActive({ ...base, startsAt: null, endsAt: null }, new Date(0))).toBe(true);
    expect(isActive(null, new Date())).toBe(false);
  });

  it("takes the subject from the setting, else Auto: and the original's; keys senders case-blind", () => {
    expect(replySubject({ subject: "Out of office" }, "Lunch?")).toBe("Out of office");
    expect(replySubject({ subject: null }, "Lunch?")).toBe("Auto: Lunch?");
    expect(replySubject({ subject: null }, "")).toBe("Auto: (no subject)");
    expect(senderKey(" Bob@Remote.TEST ")).toBe("bob@remote.test");
  });
});

describe("autoreply composer", () => {
  it("builds a text + HTML reply with the RFC 3834 fields, readable by our own parser", async () => {
    const raw = await composeReply({
      setting: { subject: null, text: "Back on Monday.", html: "<p>Back on <b>Monday</b>.</p>" },
      from: "alice@example.org",
      to: "bob@remote.test",
      original: { subject: "Déjeuner ?", messageId: "<m2@remote.test>", references: ["<m1@remote.test>"] },
    });
    const parsed = await parseMessage(raw);
    expect(parsed.headers.from).toEqual([{ name: "", address: "alice@example.org" }]);
    expect(parsed.headers.to).toEqual([{ name: "", address: "bob@remote.test" }]);
    expect(parsed.headers.subject).toBe("Auto: Déjeuner ?");
    expect(parsed.headers.inReplyTo).toBe("<m2@remote.test>");
    expect(parsed.headers.references).toEqual(["<m1@remote.test>", "<m2@remote.test>"]);
    expect(parsed.headerFields.find((f) => f.name === "auto-submitted")?.value.trim()).toBe("auto-replied");
    expect(parsed.imap.tree.contentType).toBe("multipart/alternative");
    expect(parsed.imap.tree.children.map((c) => c.contentType)).toEqual(["text/plain", "text/html"]);
    expect(parsed.headers.messageId).toMatch(/@example\.org>$/);
  });

  it("sends text alone when there is no HTML, and no threading fields for a message without an id", async () => {
    const parsed = await parseMessage(
      await composeReply({
        setting: { subject: "Away", text: "Away.", html: null },
        from: "alice@example.org",
        to: "bob@remote.test",
        original: { subject: "x", messageId: null, references: [] },
      }),
    );
    expect(parsed.imap.tree.contentType).toBe("text/plain");
    expect(parsed.headers.subject).toBe("Away");
    expect(parsed.headers.inReplyTo).toBeNull();
    expect(parsed.headerFields.some((f) => f.name === "references")).toBe(false);
    expect(replyReferences({ messageId: "<a@x>", references: ["<a@x>"] })).toEqual(["<a@x>"]);
  });
});

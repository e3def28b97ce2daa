// Contract cases for IMAP SEARCH / SORT / THREAD in the store (MessageQuery, searchUids, searchFields), run by
// storeContract against every adapter.
import { beforeAll, describe, expect, it } from "vitest";
import type { MessageQuery, NewMessage, Store } from "../../src/storage/ports.js";

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;

export interface SearchContractContext {
  store(): Store;
  newUser(): Promise<{ user: { id: string }; inbox: string; trash: string }>;
  message(userId: string, mailboxId: string, over?: Partial<NewMessage>): NewMessage;
}

export function searchContract(ctx: SearchContractContext): void {
  describe("IMAP search, sort and thread fields (MessageQuery)", () => {
    let userId: string;
    let inbox: string;
    let trash: string;
    /** The inbox's UIDs -> the message's name in these cases. */
    const names = new Map<number, string>();
    const uidOf: Record<string, number> = {};
    let modseqOf: Record<string, number> = {};
    const find = async (q: MessageQuery, mailboxId = inbox) =>
      (await ctx.store().messages.searchUids(userId, mailboxId, q)).map((u) =>
        mailboxId === inbox ? names.get(u) : u,
      );

    beforeAll(async () => {
      const created = await ctx.newUser();
      userId = created.user.id;
      inbox = created.inbox;
      trash = created.trash;
      const add = async (name: string, mailboxId: string, over: Partial<NewMessage>) => {
        const m = await ctx.store().messages.append(ctx.message(userId, mailboxId, over));
        if (mailboxId === inbox) names.set(m.uid, name);
        uidOf[name] = m.uid;
        modseqOf = { ...modseqOf, [name]: m.modseq };
      };
      await add("m1", inbox, {
        subject: "Quarterly report",
        flags: ["\\Seen", "\\Answered"],
        size: 100,
        internalDate: new Date("2024-01-01T10:00:00Z"),
        sentDate: new Date("2024-01-01T09:00:00Z"),
        sentDay: day("2024-01-01"),
        searchText: "numbers are up",
        searchHeaders:
          "from: alice <alice@example.com>\nto: bob@example.com\ncc: carol@example.com\nsubject: quarterly report",
        messageIdHeader: "<m1@x>",
      });
      await add("m2", inbox, {
        subject: "Re: Quarterly report",
        flags: ["\\Flagged", "$Work"],
        size: 2000,
        internalDate: new Date("2024-01-02T23:59:00Z"),
        // Written "2 Jan 2024 23:00 -0800": the UTC time is on Jan 3, the day SENT* compare is Jan 2.
        sentDate: new Date("2024-01-03T07:00:00Z"),
        sentDay: day("2024-01-02"),
        searchText: "see the (attached) numbers.*",
        searchHeaders:
          "from: bob <bob@example.com>\nto: alice@example.com\nsubject: re: quarterly report\nin-reply-to: <m1@x>",
        messageIdHeader: "<m2@x>",
        content: {
          segments: [{ kind: "inline", data: Buffer.from("Subject: Re\r\n\r\nx\r\n") }],
          meta: { headers: { replyTo: [], inReplyTo: "<m1@x>", references: ["<m0@x>", "<m1@x>"] } },
        },
      });
      await add("m3", inbox, {
        subject: "Lunch",
        size: 50,
        internalDate: new Date("2024-01-05T12:00:00Z"),
        sentDate: new Date("2024-01-05T11:00:00Z"),
        sentDay: day("2024-01-05"),
        searchText: "pizza",
        searchHeaders:
          "from: carol@example.com\nto: bob@example.com\nsubject: lunch\nx-mailer: pine\nbcc: dave@example.org",
      });
      await add("t1", trash, { size: 100, searchText: "pizza", searchHeaders: "subject: lunch" });
    });

    it("ALL, and a query sees only its mailbox", async () => {
      expect(await find({ kind: "all" })).toEqual(["m1", "m2", "m3"]);
      expect(await find({ kind: "body", value: "pizza" }, trash)).toEqual([uidOf.t1]);
    });

    it("flags: system flags and keywords, set and not set", async () => {
      expect(await find({ kind: "flag", flag: "\\Seen" })).toEqual(["m1"]);
      expect(await find({ kind: "not", of: { kind: "flag", flag: "\\Seen" } })).toEqual(["m2", "m3"]);
      expect(await find({ kind: "flag", flag: "\\Answered" })).toEqual(["m1"]);
      expect(await find({ kind: "flag", flag: "$Work" })).toEqual(["m2"]);
      expect(await find({ kind: "flag", flag: "$Wor" })).toEqual([]);
      expect(await find({ kind: "flag", flag: "\\Deleted" })).toEqual([]);
    });

    it("header keys match within the named field's lines only; an empty value matches any message with it", async () => {
      expect(await find({ kind: "header", name: "from", value: "alice" })).toEqual(["m1"]);
      expect(await find({ kind: "header", name: "to", value: "alice" })).toEqual(["m2"]);
      expect(await find({ kind: "header", name: "from", value: "bob@" })).toEqual(["m2"]);
      expect(await find({ kind: "header", name: "subject", value: "quarterly" })).toEqual(["m1", "m2"]);
      expect(await find({ kind: "header", name: "bcc", value: "dave" })).toEqual(["m3"]);
      expect(await find({ kind: "header", name: "x-mailer", value: "" })).toEqual(["m3"]);
      expect(await find({ kind: "header", name: "mailer", value: "" })).toEqual([]);
      expect(await find({ kind: "header", name: "in-reply-to", value: "<m1@x>" })).toEqual(["m2"]);
    });

    it("BODY reads the body text, TEXT the headers too; regular-expression characters match only themselves", async () => {
      expect(await find({ kind: "body", value: "pizza" })).toEqual(["m3"]);
      expect(await find({ kind: "body", value: "pine" })).toEqual([]);
      expect(await find({ kind: "text", value: "pine" })).toEqual(["m3"]);
      expect(await find({ kind: "text", value: "numbers" })).toEqual(["m1", "m2"]);
      expect(await find({ kind: "body", value: "(attached)" })).toEqual(["m2"]);
      expect(await find({ kind: "body", value: ".*" })).toEqual(["m2"]);
      expect(await find({ kind: "text", value: "a.c" })).toEqual([]);
      expect(await find({ kind: "header", name: "subject", value: "re: q" })).toEqual(["m2"]);
    });

    it("internal date before / since an instant, sent day as written before / on / since", async () => {
      const at = (iso: string) => new Date(iso);
      expect(await find({ kind: "internalDate", op: "before", at: at("2024-01-02T00:00:00Z") })).toEqual([
        "m1",
      ]);
      expect(await find({ kind: "internalDate", op: "since", at: at("2024-01-02T00:00:00Z") })).toEqual([
        "m2",
        "m3",
      ]);
      expect(await find({ kind: "sentDay", op: "on", day: day("2024-01-02") })).toEqual(["m2"]);
      expect(await find({ kind: "sentDay", op: "on", day: day("2024-01-03") })).toEqual([]);
      expect(await find({ kind: "sentDay", op: "before", day: day("2024-01-02") })).toEqual(["m1"]);
      expect(await find({ kind: "sentDay", op: "since", day: day("2024-01-02") })).toEqual(["m2", "m3"]);
    });

    it("size larger / smaller (strictly), modseq at least", async () => {
      expect(await find({ kind: "size", op: "larger", bytes: 100 })).toEqual(["m2"]);
      expect(await find({ kind: "size", op: "smaller", bytes: 100 })).toEqual(["m3"]);
      expect(await find({ kind: "modseq", min: modseqOf.m2 })).toEqual(["m2", "m3"]);
    });

    it("UID ranges, few or many", async () => {
      const one = (name: string) => ({ from: uidOf[name], to: uidOf[name] });
      expect(await find({ kind: "uid", ranges: [one("m1"), one("m3")] })).toEqual(["m1", "m3"]);
      // More ranges than a statement inlines: every other UID up to far past the last, and m2's.
      const many = Array.from({ length: 200 }, (_, i) => ({ from: 1000 + 2 * i, to: 1000 + 2 * i }));
      expect(await find({ kind: "uid", ranges: [...many, one("m2")] })).toEqual(["m2"]);
      expect(await find({ kind: "uid", ranges: [] })).toEqual([]);
    });

    it("AND, OR and NOT nest; an empty OR matches nothing and an empty AND everything", async () => {
      const seen: MessageQuery = { kind: "flag", flag: "\\Seen" };
      const small: MessageQuery = { kind: "size", op: "smaller", bytes: 100 };
      expect(await find({ kind: "or", of: [seen, small] })).toEqual(["m1", "m3"]);
      expect(await find({ kind: "not", of: { kind: "or", of: [seen, small] } })).toEqual(["m2"]);
      expect(
        await find({
          kind: "and",
          of: [
            { kind: "header", name: "subject", value: "quarterly" },
            { kind: "not", of: seen },
          ],
        }),
      ).toEqual(["m2"]);
      expect(
        await find({
          kind: "or",
          of: [
            { kind: "and", of: [seen, { kind: "not", of: { kind: "flag", flag: "\\Answered" } }] },
            { kind: "not", of: { kind: "not", of: small } },
          ],
        }),
      ).toEqual(["m3"]);
      expect(await find({ kind: "or", of: [] })).toEqual([]);
      expect(await find({ kind: "and", of: [] })).toEqual(["m1", "m2", "m3"]);
    });

    it("orders by a column, reversed or not, equal keys by UID ascending", async () => {
      const s = ctx.store().messages;
      const sorted = async (order: Parameters<typeof s.searchUids>[3], q: MessageQuery = { kind: "all" }) =>
        (await s.searchUids(userId, inbox, q, order)).map((u) => names.get(u));
      expect(await sorted([{ key: "size", reverse: false }])).toEqual(["m3", "m1", "m2"]);
      expect(await sorted([{ key: "size", reverse: true }])).toEqual(["m2", "m1", "m3"]);
      expect(await sorted([{ key: "date", reverse: true }])).toEqual(["m3", "m2", "m1"]);
      expect(
        await sorted([{ key: "arrival", reverse: false }], {
          kind: "not",
          of: { kind: "flag", flag: "\\Seen" },
        }),
      ).toEqual(["m2", "m3"]);
      // Two messages of one size in another mailbox: UID order whichever way the size goes.
      const a = await s.append(ctx.message(userId, trash, { size: 7 }));
      const b = await s.append(ctx.message(userId, trash, { size: 7 }));
      const q: MessageQuery = { kind: "size", op: "smaller", bytes: 8 };
      expect(await s.searchUids(userId, trash, q, [{ key: "size", reverse: true }])).toEqual([a.uid, b.uid]);
      expect(await s.searchUids(userId, trash, q, [{ key: "size", reverse: false }])).toEqual([a.uid, b.uid]);
    });

    it("sort and thread fields of the matching messages, in UID order, references from the stored metadata", async () => {
      const rows = await ctx
        .store()
        .messages.searchFields(
          userId,
          inbox,
          { kind: "size", op: "larger", bytes: 60 },
          { references: true },
        );
      expect(rows.map((r) => names.get(r.uid))).toEqual(["m1", "m2"]);
      expect(rows[1]).toMatchObject({
        size: 2000,
        subject: "Re: Quarterly report",
        messageIdHeader: "<m2@x>",
        inReplyTo: "<m1@x>",
        references: ["<m0@x>", "<m1@x>"],
        modseq: modseqOf.m2,
      });
      expect(rows[1].sentDate.toISOString()).toBe("2024-01-03T07:00:00.000Z");
      expect(rows[1].internalDate.toISOString()).toBe("2024-01-02T23:59:00.000Z");
      expect(rows[0]).toMatchObject({
        inReplyTo: null,
        references: [],
        from: [{ name: "Alice", address: "alice@example.com" }],
      });
    });

    it("without `references`, sort fields leave the references out", async () => {
      const [row] = await ctx
        .store()
        .messages.searchFields(userId, inbox, { kind: "uid", ranges: [{ from: uidOf.m2, to: uidOf.m2 }] });
      expect(row).toMatchObject({
        uid: uidOf.m2,
        subject: "Re: Quarterly report",
        inReplyTo: null,
        references: [],
      });
    });

    it("a message stored without search headers (before they existed) is found by its subject and address fields", async () => {
      const s = ctx.store().messages;
      const old = await s.append(
        ctx.message(userId, trash, {
          subject: "Legacy Minutes",
          from: [{ name: "Zed Old", address: "zed@old.example" }],
          searchText: "plain",
        }),
      );
      const find = (q: MessageQuery) => s.searchUids(userId, trash, q);
      expect(await find({ kind: "header", name: "subject", value: "legacy min" })).toEqual([old.uid]);
      expect(await find({ kind: "header", name: "from", value: "zed@old" })).toEqual([old.uid]);
      expect(await find({ kind: "header", name: "from", value: "zed old" })).toEqual([old.uid]);
      expect(await find({ kind: "header", name: "to", value: "zed" })).toEqual([]);
      expect(await find({ kind: "text", value: "minutes" })).toEqual([old.uid]);
      expect(await find({ kind: "text", value: "plain" })).toEqual([old.uid]);
      // A message with search headers is not matched through its columns.
      expect(
        await s.searchUids(userId, inbox, { kind: "header", name: "from", value: "alice@example.com" }),
      ).toEqual([uidOf.m1]);
    });

    it("a copy is found by the same keys in its new mailbox; another user's id finds nothing", async () => {
      const s = ctx.store().messages;
      const [m3] = await s.getMany(userId, [(await s.getByUid(userId, inbox, uidOf.m3))!.id]);
      const [copy] = await s.copy(userId, [{ id: m3.id, newId: `c${m3.id}`.slice(0, 24) }], trash);
      expect(await s.searchUids(userId, trash, { kind: "header", name: "x-mailer", value: "pine" })).toEqual([
        copy.uid,
      ]);
      expect(
        await s.searchUids(userId, trash, { kind: "sentDay", op: "on", day: day("2024-01-05") }),
      ).toEqual([copy.uid]);
      const other = await ctx.newUser();
      expect(await s.searchUids(other.user.id, inbox, { kind: "all" })).toEqual([]);
      expect(await s.searchFields(other.user.id, inbox, { kind: "all" })).toEqual([]);
    });
  });
}

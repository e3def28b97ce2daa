import { describe, expect, it } from "vitest";
import { compileListPattern } from "./list-pattern.js";
import { listEntries, lsubEntries, type ListedMailbox } from "./list-tree.js";
import type { ListArgs, ListSelection } from "./parse/list.js";

const boxes: ListedMailbox[] = [
  { path: "INBOX", specialUse: "\\Inbox", subscribed: true },
  { path: "Sent Mail", specialUse: "\\Sent", subscribed: true },
  { path: "Work/Projects", specialUse: null, subscribed: true },
  { path: "Work/Projects/Eider", specialUse: null, subscribed: false },
  { path: "Work", specialUse: null, subscribed: false },
  { path: "Old/2020", specialUse: null, subscribed: false },
];

function list(pattern: string, options: Partial<ListArgs> & { select?: ListSelection[] } = {}) {
  const args = {
    extended: options.extended ?? false,
    selection: new Set(options.select ?? []),
    returns: options.returns ?? { subscribed: false, children: false, specialUse: false, status: null },
  };
  return listEntries(boxes, [compileListPattern("", pattern)], args).map((e) =>
    `${e.path} ${e.attributes.join(" ")}${e.childInfo ? " CHILDINFO" : ""}`.trim(),
  );
}

describe("IMAP LIST over flat paths", () => {
  it("lists every name with children attributes, a prefix-only level as \\Noselect, INBOX first", () => {
    expect(list("*")).toEqual([
      "INBOX \\HasNoChildren",
      "Old \\Noselect \\HasChildren",
      "Old/2020 \\HasNoChildren",
      "Sent Mail \\HasNoChildren \\Sent",
      "Work \\HasChildren",
      "Work/Projects \\HasChildren",
      "Work/Projects/Eider \\HasNoChildren",
    ]);
  });

  it("'%' lists one level, a prefix-only level included (RFC 3501 §6.3.8)", () => {
    expect(list("%")).toEqual([
      "INBOX \\HasNoChildren",
      "Old \\Noselect \\HasChildren",
      "Sent Mail \\HasNoChildren \\Sent",
      "Work \\HasChildren",
    ]);
  });

  it("the extended form names a prefix-only level \\NonExistent (RFC 5258)", () => {
    expect(list("Old", { extended: true })).toEqual(["Old \\NonExistent \\HasChildren"]);
  });

  it("SUBSCRIBED selects subscribed mailboxes and marks them; RECURSIVEMATCH adds parents with CHILDINFO", () => {
    const returns = { subscribed: true, children: false, specialUse: false, status: null };
    expect(list("%", { extended: true, select: ["SUBSCRIBED"], returns })).toEqual([
      "INBOX \\HasNoChildren \\Subscribed",
      "Sent Mail \\HasNoChildren \\Sent \\Subscribed",
    ]);
    expect(list("%", { extended: true, select: ["SUBSCRIBED", "RECURSIVEMATCH"], returns })).toEqual([
      "INBOX \\HasNoChildren \\Subscribed",
      "Sent Mail \\HasNoChildren \\Sent \\Subscribed",
      "Work \\HasChildren CHILDINFO",
    ]);
  });

  it("SPECIAL-USE selects mailboxes with a special use, never showing the core's \\Inbox role", () => {
    expect(list("*", { extended: true, select: ["SPECIAL-USE"] })).toEqual([
      "Sent Mail \\HasNoChildren \\Sent",
    ]);
  });
});

describe("IMAP LSUB", () => {
  it("lists subscribed names; with '%' last, an unsubscribed level above one is \\Noselect (RFC 3501 §6.3.9)", () => {
    const lsub = (p: string) =>
      lsubEntries(boxes, compileListPattern("", p)).map((e) => `${e.path} ${e.attributes.join(" ")}`.trim());
    expect(lsub("*")).toEqual(["INBOX", "Sent Mail", "Work/Projects"]);
    expect(lsub("%")).toEqual(["INBOX", "Sent Mail", "Work \\Noselect"]);
  });
});

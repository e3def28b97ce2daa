import { describe, expect, it } from "vitest";
import { threadByOrderedSubject, threadByReferences, type ThreadInput, type ThreadNode } from "./threads.js";

const at = (hour: number) => new Date(Date.UTC(2026, 11, 1, hour));

function msg(
  uid: number,
  id: string | null,
  refs: string[],
  subject: string,
  hour: number,
  inReplyTo?: string,
) {
  return {
    uid,
    messageIdHeader: id,
    references: refs,
    inReplyTo: inReplyTo ?? null,
    subject,
    sentDate: at(hour),
  } satisfies ThreadInput;
}

/** RFC 5256 §4's notation, so expectations read as the THREAD response would. */
function show(nodes: ThreadNode[]): string {
  const inner = (n: ThreadNode): string => {
    const kids = n.children;
    const tail =
      kids.length === 1 && n.uid !== null ? ` ${inner(kids[0])}` : kids.map((k) => `(${inner(k)})`).join("");
    return n.uid === null ? tail : kids.length > 1 ? `${n.uid} ${tail}` : `${n.uid}${tail}`;
  };
  return nodes.map((n) => `(${inner(n)})`).join("");
}

// A reply tree: 1 <- 2 <- 3 and 1 <- 4; 5 and 6 answer a message not in the mailbox; 7 a "Re:" of 1 without
// references; 8 and 9 share a subject and nothing else (9 has no Message-ID).
const MAILBOX = [
  msg(1, "<a@x>", [], "Hello", 1),
  msg(2, "<b@x>", ["<a@x>"], "Re: Hello", 2),
  msg(3, "<c@x>", ["<a@x>", "<b@x>"], "Re: Hello", 3),
  msg(4, "<d@x>", [], "RE: Hello", 4, "<a@x>"),
  msg(5, "<e@x>", ["<gone@x>"], "Other", 5),
  msg(6, "<f@x>", ["<gone@x>"], "Re: Other", 6),
  msg(7, "<g@x>", [], "Re: Hello", 7),
  msg(8, "<h@x>", [], "Lonely", 0),
  msg(9, null, [], "Lonely", 8),
];

describe("THREAD=REFERENCES (RFC 5256)", () => {
  it("links references, keeps a dummy for two siblings of a missing parent, merges by subject", () => {
    expect(show(threadByReferences(MAILBOX))).toBe("((8)(9))(1 (2 3)(4)(7))((5)(6))");
  });

  it("a dummy parent of one message is pruned: the message becomes a root", () => {
    expect(show(threadByReferences([msg(5, "<e@x>", ["<gone@x>"], "Other", 5)]))).toBe("(5)");
  });

  it("references that point at each other make no loop", () => {
    const nodes = threadByReferences([
      msg(1, "<a@x>", ["<b@x>"], "x", 1),
      msg(2, "<b@x>", ["<a@x>"], "y", 2),
    ]);
    // 1 made <b> its parent first; 2 (which is <b>) cannot then become 1's child.
    expect(show(nodes)).toBe("(2 1)");
  });

  it("a repeated Message-ID is a message of its own, not a merge", () => {
    const nodes = threadByReferences([msg(1, "<a@x>", [], "one", 1), msg(2, "<a@x>", [], "two", 2)]);
    expect(show(nodes)).toBe("(1)(2)");
  });

  it("siblings go by sent date, equal dates by mailbox order", () => {
    const nodes = threadByReferences([
      msg(1, "<a@x>", [], "t", 1),
      msg(2, "<b@x>", ["<a@x>"], "t", 5),
      msg(3, "<c@x>", ["<a@x>"], "t", 3),
      msg(4, "<d@x>", ["<a@x>"], "t", 3),
    ]);
    expect(show(nodes)).toBe("(1 (3)(4)(2))");
  });

  it("a message that names a later message's parent chain is moved under it", () => {
    // 2's references make 1 the child of <p>; 1 itself has no references, so it stays linked under <p>.
    const nodes = threadByReferences([
      msg(1, "<a@x>", [], "s", 1),
      msg(2, "<b@x>", ["<p@x>", "<a@x>"], "s", 2),
    ]);
    expect(show(nodes)).toBe("(1 2)");
  });
});

describe("THREAD=ORDEREDSUBJECT (RFC 5256)", () => {
  it("groups by base subject; the first by date is the parent of the rest; threads by first date", () => {
    expect(show(threadByOrderedSubject(MAILBOX))).toBe("(8 9)(1 (2)(3)(4)(7))(5 6)");
  });
});

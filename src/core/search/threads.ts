// RFC 5256 THREAD: ORDEREDSUBJECT (§3, "ORDEREDSUBJECT") and REFERENCES (§3, "REFERENCES", JWZ's algorithm),
// pure functions over the fields the store returns for the matching messages.
import { baseSubject } from "../../mime/index.js";
import type { SortFields } from "../../storage/ports.js";

export type ThreadAlgorithm = "references" | "orderedsubject";

/** A thread node: a message (its UID) or, for `uid: null`, a dummy holding siblings that share a parent. */
export interface ThreadNode {
  uid: number | null;
  children: ThreadNode[];
}

export type ThreadInput = Pick<
  SortFields,
  "uid" | "sentDate" | "subject" | "messageIdHeader" | "inReplyTo" | "references"
>;

/** ORDEREDSUBJECT: by base subject, then sent date; each group's first message is the parent of the rest. */
export function threadByOrderedSubject(messages: readonly ThreadInput[]): ThreadNode[] {
  const groups = new Map<string, ThreadInput[]>();
  for (const m of [...messages].sort(byDate)) {
    const key = baseSubject(m.subject).key;
    const group = groups.get(key);
    if (group) group.push(m);
    else groups.set(key, [m]);
  }
  // Threads go by the sent date of their first message (ties: mailbox order).
  return [...groups.values()]
    .sort((a, b) => byDate(a[0], b[0]))
    .map(([first, ...rest]) => ({
      uid: first.uid,
      children: rest.map((m) => ({ uid: m.uid, children: [] })),
    }));
}

interface Container {
  message: ThreadInput | null;
  parent: Container | null;
  children: Container[];
}

/** REFERENCES: the parent/child links of Message-ID, References and In-Reply-To, then subject merging. */
export function threadByReferences(messages: readonly ThreadInput[]): ThreadNode[] {
  const byId = new Map<string, Container>();
  const container = (id: string): Container => {
    let c = byId.get(id);
    if (!c) byId.set(id, (c = { message: null, parent: null, children: [] }));
    return c;
  };
  const inOrder = [...messages].sort((a, b) => a.uid - b.uid);
  let unique = 0;
  for (const m of inOrder) {
    // (1) A message without a Message-ID, or with one already taken, gets an id of its own.
    let id = m.messageIdHeader ?? "";
    if (!id || byId.get(id)?.message) id = `\0${++unique}`;
    const own = container(id);
    own.message = m;
    // (1A) Link the references, each the parent of the next, keeping links already made and making no loop.
    const refs = m.references.length > 0 ? m.references : m.inReplyTo ? [m.inReplyTo] : [];
    let previous: Container | null = null;
    for (const ref of refs) {
      const c = container(ref);
      if (previous && c !== previous && !c.parent && !reaches(c, previous)) link(previous, c);
      previous = c;
    }
    // (1B) The last reference is the message's parent, replacing a parent it had; none when it has no references.
    if (own.parent) unlink(own);
    if (previous && previous !== own && !reaches(own, previous)) link(previous, own);
  }
  // (2) The root set; (3) dummies pruned.
  let roots = prune(
    [...byId.values()].filter((c) => !c.parent),
    true,
  );
  // (4) Roots by date (a dummy by its first child, so its children are sorted first).
  sortSiblings(roots, true);
  // (5) Roots with the same base subject are gathered.
  roots = mergeBySubject(roots);
  // (6) Every set of siblings by date, children before their parents.
  sortSiblings(roots, true);
  return roots.map(toNode);
}

function link(parent: Container, child: Container): void {
  child.parent = parent;
  parent.children.push(child);
}

function unlink(child: Container): void {
  const parent = child.parent!;
  parent.children.splice(parent.children.indexOf(child), 1);
  child.parent = null;
}

/** Whether `to` is `from` or below it. */
function reaches(from: Container, to: Container): boolean {
  for (let c: Container | null = to; c; c = c.parent) if (c === from) return true;
  return false;
}

/**
 * (3) A dummy without children goes; a dummy with children is replaced by them, except that at the root only
 * a dummy with one child is (several stay gathered under it).
 */
function prune(siblings: Container[], atRoot: boolean): Container[] {
  const out: Container[] = [];
  for (const c of siblings) {
    c.children = prune(c.children, false);
    for (const child of c.children) child.parent = c;
    if (c.message) out.push(c);
    else if (c.children.length === 0) continue;
    else if (!atRoot || c.children.length === 1) {
      for (const child of c.children) child.parent = atRoot ? null : c.parent;
      out.push(...c.children);
    } else out.push(c);
  }
  return out;
}

/** The message a container is dated and named by: its own, or a dummy's first child's. */
function representative(c: Container): ThreadInput | null {
  return c.message ?? (c.children[0] ? representative(c.children[0]) : null);
}

function sortSiblings(siblings: Container[], deep: boolean): void {
  if (deep) for (const c of siblings) sortSiblings(c.children, true);
  siblings.sort((a, b) => byDate(representative(a)!, representative(b)!));
}

/** (5) Roots whose threads have the same (non-empty) base subject become one thread. */
function mergeBySubject(roots: Container[]): Container[] {
  const subjectOf = (c: Container) => baseSubject(representative(c)?.subject ?? "");
  const table = new Map<string, Container>();
  for (const c of roots) {
    const { key, replyOrForward } = subjectOf(c);
    if (!key) continue;
    const old = table.get(key);
    if (
      !old ||
      (old.message && !c.message) ||
      (old.message && c.message && subjectOf(old).replyOrForward && !replyOrForward)
    )
      table.set(key, c);
  }
  const out: Container[] = [];
  for (const c of roots) {
    if (c.parent) continue; // merged under another root already
    const { key, replyOrForward } = subjectOf(c);
    const target = key ? table.get(key) : undefined;
    if (!target || target === c) {
      out.push(c);
      continue;
    }
    if (!target.message && !c.message) {
      for (const child of c.children) link(target, child);
      c.children = [];
    } else if (!target.message) {
      link(target, c);
    } else if (!c.message) {
      // This dummy takes the entry's message as a child and stands in its place.
      link(c, target);
      replaceRoot(out, target, c);
      table.set(key, c);
    } else if (replyOrForward && !subjectOf(target).replyOrForward) {
      link(target, c);
    } else {
      const dummy: Container = { message: null, parent: null, children: [] };
      link(dummy, target);
      link(dummy, c);
      replaceRoot(out, target, dummy);
      table.set(key, dummy);
    }
  }
  return out;
}

function replaceRoot(roots: Container[], old: Container, replacement: Container): void {
  const i = roots.indexOf(old);
  if (i >= 0) roots[i] = replacement;
  else roots.push(replacement);
}

function toNode(c: Container): ThreadNode {
  return { uid: c.message?.uid ?? null, children: c.children.map(toNode) };
}

/** Sent date, then mailbox order (RFC 5256: an exact match goes by sequence number). */
function byDate(a: ThreadInput, b: ThreadInput): number {
  return a.sentDate.getTime() - b.sentDate.getTime() || a.uid - b.uid;
}

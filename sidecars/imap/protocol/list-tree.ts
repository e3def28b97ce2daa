// Which names LIST and LSUB answer, and with what attributes, from a user's flat mailbox paths. A level that is
// only a prefix ("a" of "a/b" with no "a") is listed as a name that does not exist: \NonExistent in the extended
// LIST (RFC 5258 §3), \Noselect in RFC 3501's LIST and LSUB.
import { DELIMITER } from "./mailbox-name.js";
import type { ListPattern } from "./list-pattern.js";
import type { ListArgs } from "./parse/list.js";

/** What the tree needs of a mailbox. */
export interface ListedMailbox {
  path: string;
  specialUse: string | null;
  subscribed: boolean;
}

export interface ListEntry<M extends ListedMailbox> {
  path: string;
  /** The mailbox, or undefined for a level that exists only as a prefix. */
  mailbox: M | undefined;
  attributes: string[];
  /** RFC 5258 CHILDINFO: a descendant satisfies the SUBSCRIBED selection. */
  childInfo: boolean;
}

/** LIST: the names matching any pattern that the selection options let through, in hierarchy order. */
export function listEntries<M extends ListedMailbox>(
  mailboxes: readonly M[],
  patterns: readonly ListPattern[],
  args: Pick<ListArgs, "extended" | "selection" | "returns">,
): ListEntry<M>[] {
  const byPath = new Map(mailboxes.map((m) => [m.path, m]));
  const parents = prefixesOf(mailboxes.map((m) => m.path));
  const { selection, returns } = args;
  const filtering = selection.has("SUBSCRIBED") || selection.has("SPECIAL-USE");
  const selected = (m: M | undefined): m is M =>
    m !== undefined &&
    (!selection.has("SUBSCRIBED") || m.subscribed) &&
    (!selection.has("SPECIAL-USE") || isShownSpecialUse(m.specialUse));
  // RECURSIVEMATCH: a parent of a subscribed mailbox is listed (with CHILDINFO) even when it is not selected.
  const withSelectedChild = selection.has("RECURSIVEMATCH")
    ? prefixesOf(mailboxes.filter((m) => selected(m)).map((m) => m.path))
    : new Set<string>();

  const names = filtering
    ? [...mailboxes.filter((m) => selected(m)).map((m) => m.path), ...withSelectedChild]
    : [...byPath.keys(), ...parents];
  const out: ListEntry<M>[] = [];
  for (const path of new Set(names)) {
    if (!patterns.some((p) => p.matches(path))) continue;
    const mailbox = byPath.get(path);
    const attributes: string[] = [];
    if (!mailbox) attributes.push(args.extended ? "\\NonExistent" : "\\Noselect");
    attributes.push(parents.has(path) ? "\\HasChildren" : "\\HasNoChildren");
    if (mailbox && isShownSpecialUse(mailbox.specialUse)) attributes.push(mailbox.specialUse);
    if (returns.subscribed && mailbox?.subscribed) attributes.push("\\Subscribed");
    out.push({ path, mailbox, attributes, childInfo: withSelectedChild.has(path) });
  }
  return out.sort(byHierarchy);
}

/**
 * LSUB (RFC 3501 §6.3.9): the subscribed names matching the pattern; with "%" last, a level above a subscribed
 * name that is not subscribed itself is listed with \Noselect.
 */
export function lsubEntries<M extends ListedMailbox>(
  mailboxes: readonly M[],
  pattern: ListPattern,
): ListEntry<M>[] {
  const subscribed = mailboxes.filter((m) => m.subscribed);
  const byPath = new Map(subscribed.map((m) => [m.path, m]));
  const names = [...byPath.keys()];
  if (pattern.endsInPercent) names.push(...prefixesOf(names));
  const out: ListEntry<M>[] = [];
  for (const path of new Set(names)) {
    if (!pattern.matches(path)) continue;
    const mailbox = byPath.get(path);
    out.push({ path, mailbox, attributes: mailbox ? [] : ["\\Noselect"], childInfo: false });
  }
  return out.sort(byHierarchy);
}

/** The core holds RFC 6154 uses (\\Sent, ...) and INBOX's own role, which is not an RFC 6154 attribute. */
function isShownSpecialUse(use: string | null): use is string {
  return use !== null && use !== "\\Inbox";
}

/** Every proper prefix level of the paths: "a" and "a/b" for "a/b/c". */
function prefixesOf(paths: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const path of paths) {
    for (let i = path.indexOf(DELIMITER); i > 0; i = path.indexOf(DELIMITER, i + 1))
      out.add(path.slice(0, i));
  }
  return out;
}

/** INBOX first, then level by level in code point order, so a parent comes before its children. */
function byHierarchy(a: { path: string }, b: { path: string }): number {
  if (a.path === "INBOX" || b.path === "INBOX") return a.path === "INBOX" ? (b.path === "INBOX" ? 0 : -1) : 1;
  const x = a.path.split(DELIMITER);
  const y = b.path.split(DELIMITER);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  return x.length - y.length;
}

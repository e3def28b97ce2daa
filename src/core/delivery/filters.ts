// A user's filters: what each one asks of a message (conditions, all of which must hold) and does to it
// (actions). Matching is pure: it reads the facts delivery already parsed, never the message again.
import { decodeWords, firstHeader, type ParsedMessage } from "../../mime/index.js";
import { invalidInput } from "../errors.js";

/** All given conditions must hold; text ones are case-insensitive substrings of the decoded values. */
export interface FilterConditions {
  /** The From header: display names and addresses. */
  from?: string;
  /** The To and Cc headers: display names and addresses. */
  to?: string;
  subject?: string;
  /** The List-Id header (RFC 2919), decoded. */
  listId?: string;
  /** The readable text of the message (its text parts, HTML reduced to text). */
  body?: string;
  hasAttachment?: boolean;
  /** Bytes: the message (with our trace lines) is larger than this. */
  largerThan?: number;
  /** Bytes: the message is smaller than this. */
  smallerThan?: number;
  /** The spam verdict of the trusted spam headers and the user's spam level: true = judged spam. */
  spam?: boolean;
}

/** What a matching filter does. The first filter with a destination (delete, mark as spam, move) sets it. */
export interface FilterActions {
  markSeen?: boolean;
  flag?: boolean;
  /** Store nothing: the sender still gets its 250, since the user asked for it. */
  delete?: boolean;
  /** Into the user's Junk (special-use \Junk). */
  markSpam?: boolean;
  /** A mailbox id of the user's. */
  moveTo?: string;
  /** No later filter is applied. */
  stop?: boolean;
}

export interface FilterDefinition {
  name: string;
  enabled: boolean;
  conditions: FilterConditions;
  actions: FilterActions;
}

export interface FilterLimits {
  maxNameChars: number;
  maxTextChars: number;
}

export const FILTER_LIMITS: FilterLimits = { maxNameChars: 200, maxTextChars: 1000 };

const TEXT_CONDITIONS = ["from", "to", "subject", "listId", "body"] as const;

/**
 * Trims and checks a filter as given by a client: a name, at least one action, one destination at most,
 * sizes as whole bytes. Empty text conditions are dropped; no condition at all means every message.
 */
export function cleanFilter(f: FilterDefinition, limits: FilterLimits = FILTER_LIMITS): FilterDefinition {
  const name = f.name.trim();
  if (name.length === 0 || name.length > limits.maxNameChars)
    throw invalidInput(`A filter's name must have 1 to ${limits.maxNameChars} characters.`);
  if (/[\u0000-\u001f\u007f]/.test(name))
    throw invalidInput("A filter's name may not contain control characters.");
  const conditions: FilterConditions = {};
  for (const key of TEXT_CONDITIONS) {
    const value = f.conditions[key]?.trim();
    if (!value) continue;
    if (value.length > limits.maxTextChars)
      throw invalidInput(`The "${key}" condition has more than ${limits.maxTextChars} characters.`);
    conditions[key] = value;
  }
  for (const key of ["largerThan", "smallerThan"] as const) {
    const value = f.conditions[key];
    if (value === undefined || value === null) continue;
    if (!Number.isSafeInteger(value) || value < 0)
      throw invalidInput(`The "${key}" condition must be a whole number of bytes, not ${value}.`);
    conditions[key] = value;
  }
  for (const key of ["hasAttachment", "spam"] as const)
    if (typeof f.conditions[key] === "boolean") conditions[key] = f.conditions[key];

  const actions: FilterActions = {};
  for (const key of ["markSeen", "flag", "delete", "markSpam", "stop"] as const)
    if (f.actions[key] === true) actions[key] = true;
  if (f.actions.moveTo) actions.moveTo = f.actions.moveTo;
  const destinations = (["delete", "markSpam", "moveTo"] as const).filter((k) => actions[k]);
  if (destinations.length > 1)
    throw invalidInput(
      `A filter may delete, mark as spam or move, only one of them (got ${destinations.join(", ")}).`,
    );
  if (Object.keys(actions).length === 0) throw invalidInput("A filter needs at least one action.");
  return { name, enabled: f.enabled, conditions, actions };
}

/** What the conditions read, taken once per delivered copy from the parse delivery already did. */
export interface MessageFacts {
  from: string;
  to: string;
  subject: string;
  listId: string;
  body: string;
  hasAttachment: boolean;
  size: number;
}

/** The facts of a parsed message, lower-cased for case-insensitive matching. */
export function messageFacts(parsed: ParsedMessage): MessageFacts {
  const people = (list: ReadonlyArray<{ name: string; address: string }>) =>
    list.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join(", ");
  return {
    from: people(parsed.headers.from).toLowerCase(),
    to: people([...parsed.headers.to, ...parsed.headers.cc]).toLowerCase(),
    subject: parsed.headers.subject.toLowerCase(),
    listId: decodeWords(firstHeader(parsed.headerFields, "list-id") ?? "").toLowerCase(),
    body: parsed.searchText.toLowerCase(),
    hasAttachment: parsed.hasAttachments,
    size: parsed.size,
  };
}

/** Whether every condition holds for the message (and its spam verdict). */
export function matches(c: FilterConditions, facts: MessageFacts, isSpam: boolean): boolean {
  for (const key of TEXT_CONDITIONS) {
    const needle = c[key];
    if (needle !== undefined && !facts[key].includes(needle.toLowerCase())) return false;
  }
  if (c.hasAttachment !== undefined && c.hasAttachment !== facts.hasAttachment) return false;
  if (c.largerThan !== undefined && !(facts.size > c.largerThan)) return false;
  if (c.smallerThan !== undefined && !(facts.size < c.smallerThan)) return false;
  if (c.spam !== undefined && c.spam !== isSpam) return false;
  return true;
}

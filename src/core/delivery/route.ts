// Where one user's copy of a message goes: a pure function of the user's filters (in order), the message's
// facts and its spam verdict. DeliveryService turns the decision into a stored copy (or none).
import { matches, type FilterActions, type FilterConditions, type MessageFacts } from "./filters.js";
import type { SpamVerdict } from "./spam.js";

/** "inbox", a filter's "mailbox", "junk" (spam verdict or a filter's mark-as-spam), or "discarded" (a filter's delete). */
export type RouteVerdict = "inbox" | "mailbox" | "junk" | "discarded";

export interface RoutingFilter {
  id: string;
  name: string;
  enabled: boolean;
  conditions: FilterConditions;
  actions: FilterActions;
}

export interface MatchedFilter {
  id: string;
  name: string;
}

export interface Route {
  verdict: RouteVerdict;
  /** The filter's mailbox for "mailbox"; null otherwise (INBOX and Junk are found by the caller). */
  mailboxId: string | null;
  /** Flags the copy is stored with (\Seen, \Flagged from filters; $Junk for junk). */
  flags: string[];
  matchedFilters: MatchedFilter[];
  /** The filter that chose the destination; null when none did (INBOX, or Junk by the spam verdict). */
  decidedBy: MatchedFilter | null;
  spam: SpamVerdict;
}

/** RFC 5788's keyword for junk, which mail clients (Thunderbird, Apple Mail) show and train on. */
export const JUNK_KEYWORD = "$Junk";

/**
 * Applies the enabled filters in order. Every matching one is recorded and adds its flags; the first with a
 * destination (delete, mark as spam, move) sets where the copy goes, later destinations are ignored; `stop`
 * ends the walk. A message judged spam goes to Junk unless a filter deletes it, or moves it from a filter
 * that asks about the verdict itself (`spam: true`): "subject contains invoice -> Invoices" must not pull
 * phishing out of Junk, while "spam -> Spam folder" is the user's explicit wish.
 */
export function routeMessage(
  filters: readonly RoutingFilter[],
  facts: MessageFacts | (() => MessageFacts),
  spam: SpamVerdict,
): Route {
  const flags = new Set<string>();
  const matchedFilters: MatchedFilter[] = [];
  let destination: { verdict: RouteVerdict; mailboxId: string | null; decidedBy: MatchedFilter } | null =
    null;
  // Read when a filter is first checked: a user without filters costs no lower-casing of the body.
  let known = typeof facts === "function" ? null : facts;
  const read = () => (known ??= (facts as () => MessageFacts)());
  for (const f of filters) {
    if (!f.enabled || !matches(f.conditions, read(), spam.spam)) continue;
    const matched = { id: f.id, name: f.name };
    matchedFilters.push(matched);
    const a = f.actions;
    if (a.markSeen) flags.add("\\Seen");
    if (a.flag) flags.add("\\Flagged");
    if (!destination) {
      if (a.delete) destination = { verdict: "discarded", mailboxId: null, decidedBy: matched };
      else if (a.markSpam) destination = { verdict: "junk", mailboxId: null, decidedBy: matched };
      else if (a.moveTo && (!spam.spam || f.conditions.spam === true))
        destination = { verdict: "mailbox", mailboxId: a.moveTo, decidedBy: matched };
    }
    if (a.stop) break;
  }
  const chosen = destination ?? {
    verdict: spam.spam ? ("junk" as const) : ("inbox" as const),
    mailboxId: null,
    decidedBy: null,
  };
  if (chosen.verdict === "junk") flags.add(JUNK_KEYWORD);
  return { ...chosen, flags: [...flags], matchedFilters, spam };
}

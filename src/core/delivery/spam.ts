// The spam verdict from the headers an MTA in front (Haraka with rspamd, a SpamAssassin milter) writes. Only the
// headers the config names are read, and that MTA must strip them from what arrives from outside: otherwise a
// sender could write its own verdict. Pure: the header fields in, a verdict out.
import type { HeaderField } from "../../mime/index.js";

/** Which headers are trusted (lower-case names) and the score at which a message is spam for this user. */
export interface SpamPolicy {
  trustedHeaders: ReadonlySet<string>;
  level: number;
}

export interface SpamVerdict {
  spam: boolean;
  /** The score a trusted header gave, when one did. */
  score: number | null;
  /** The header that decided, as "Name: value"; null when no trusted header said anything. */
  reason: string | null;
}

/** SpamAssassin's own default `required_score`. */
export const DEFAULT_SPAM_LEVEL = 5;

export const NOT_SPAM: SpamVerdict = { spam: false, score: null, reason: null };

/** The header names Eider understands; `[delivery] spam_headers` picks which of them are trusted. */
export const SPAM_HEADERS = [
  "X-Spam-Status",
  "X-Spam-Flag",
  "X-Spam-Score",
  "X-Rspamd-Score",
  "X-Rspamd-Action",
] as const;

/** Rspamd's actions (`X-Rspamd-Action`) that mean "this is spam"; greylist and soft reject do not. */
const RSPAMD_SPAM_ACTIONS = new Set(["reject", "add header", "rewrite subject"]);

const NUMBER = /[-+]?\d+(?:\.\d+)?/;

/**
 * A score, when a trusted header gives one, decides against the user's level (score >= level is spam), so a
 * user can be stricter or more lenient than the filter in front. Without a score, the yes/no headers decide:
 * `X-Spam-Status: Yes`, `X-Spam-Flag: YES`, or an rspamd action of reject, add header or rewrite subject.
 * The first field of each name counts: an MTA prepends its own, above anything the sender wrote.
 */
export function judgeSpam(fields: readonly HeaderField[], policy: SpamPolicy): SpamVerdict {
  const first = (name: string): string | null => {
    if (!policy.trustedHeaders.has(name)) return null;
    for (const f of fields) if (f.name === name) return f.value.trim();
    return null;
  };
  const show = (name: string, value: string) => `${name}: ${value.slice(0, 200)}`;

  const status = first("x-spam-status");
  const scored: Array<[string, string | null, RegExp]> = [
    ["X-Rspamd-Score", first("x-rspamd-score"), NUMBER],
    ["X-Spam-Score", first("x-spam-score"), NUMBER],
    // SpamAssassin 3 writes score=, version 2 wrote hits=.
    ["X-Spam-Status", status, /\b(?:score|hits)=([-+]?\d+(?:\.\d+)?)/i],
  ];
  for (const [name, value, pattern] of scored) {
    if (value === null) continue;
    const m = pattern.exec(value);
    const score = m ? Number(m[1] ?? m[0]) : NaN;
    if (Number.isFinite(score)) return { spam: score >= policy.level, score, reason: show(name, value) };
  }
  if (status !== null && /^yes\b/i.test(status))
    return { spam: true, score: null, reason: show("X-Spam-Status", status) };
  const flag = first("x-spam-flag");
  if (flag !== null && /^yes\b/i.test(flag))
    return { spam: true, score: null, reason: show("X-Spam-Flag", flag) };
  const action = first("x-rspamd-action");
  if (action !== null && RSPAMD_SPAM_ACTIONS.has(action.toLowerCase().replace(/[\s_]+/g, " ")))
    return { spam: true, score: null, reason: show("X-Rspamd-Action", action) };
  return NOT_SPAM;
}

/** Parses `[delivery] spam_headers` ("X-Spam-Status, X-Rspamd-Action"); refuses names Eider does not read. */
export function trustedSpamHeaders(list: readonly string[]): Set<string> {
  const known = new Map(SPAM_HEADERS.map((h) => [h.toLowerCase(), h]));
  const out = new Set<string>();
  for (const raw of list) {
    const name = raw.trim().toLowerCase();
    if (!name) continue;
    if (!known.has(name))
      throw new Error(`Spam header "${raw}" is not one Eider reads (${SPAM_HEADERS.join(", ")}).`);
    out.add(name);
  }
  return out;
}

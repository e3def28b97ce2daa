// LIST and LSUB patterns (RFC 3501 §6.3.8): the reference joined to the pattern, "*" matching anything and "%"
// anything but the hierarchy delimiter. INBOX is matched case-insensitively (RFC 3501 §5.1).
import { DELIMITER } from "./mailbox-name.js";

export interface ListPattern {
  /** The canonical pattern: reference and mailbox pattern joined. */
  readonly text: string;
  matches(path: string): boolean;
  /** Ends in "%": levels above a match are listed too (RFC 3501 §6.3.8, §6.3.9). */
  readonly endsInPercent: boolean;
}

/** Joins reference and pattern: a pattern that starts with the delimiter replaces a reference ending in one. */
export function joinReference(reference: string, pattern: string): string {
  if (reference.endsWith(DELIMITER) && pattern.startsWith(DELIMITER)) return reference + pattern.slice(1);
  return reference + pattern;
}

export function compileListPattern(reference: string, pattern: string): ListPattern {
  const text = joinReference(reference, pattern);
  const exact = toRegExp(text);
  // "inbox/%" names INBOX's inferiors too: fold the first level when it spells INBOX in any case.
  const folded = /^inbox(?=$|\/)/i.test(text) ? toRegExp("INBOX" + text.slice(5)) : exact;
  return {
    text,
    endsInPercent: text.endsWith("%"),
    matches: (path) => exact.test(path) || folded.test(path),
  };
}

function toRegExp(pattern: string): RegExp {
  let source = "";
  for (const ch of pattern) {
    if (ch === "*") source += "[^]*";
    else if (ch === "%") source += "[^/]*";
    else source += ch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "u");
}

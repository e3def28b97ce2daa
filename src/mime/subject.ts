// Thread keys from subjects, Gmail-like: replies and forwards share their original's key.

// Reply/forward prefixes in the languages mail clients commonly write them, with optional counters: "Re[2]:", "RE^3:".
const PREFIX =
  /^(?:(?:re|fwd?|aw|wg|sv|vs|antw|doorst|rif|r|tr|odp|enc|res|ynt|vl|ref|réf|رد|回复|回覆|答复|转发|轉寄)\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*[:：]|\[[^\]]*\])\s*/iu;
const TRAILER = /\s*\((?:fwd|fw)\)\s*$/i;

/** Thread subject key: strip Re:/Fwd:/Fw:/AW:/[list] prefixes (repeatedly), "(fwd)" trailers, collapse whitespace, lower-case. */
export function normalizeSubject(subject: string): string {
  let s = subject.replace(/\s+/g, " ").trim();
  for (let previous = ""; previous !== s;) {
    previous = s;
    s = s.replace(PREFIX, "").replace(TRAILER, "").trim();
  }
  return s.toLowerCase();
}

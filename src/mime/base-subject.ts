// RFC 5256 §2.1: the base subject SORT SUBJECT and THREAD compare (not the Gmail-like thread key of subject.ts).

export interface BaseSubject {
  /** The base subject, case-folded for comparison (i;unicode-casemap). */
  key: string;
  /** Whether a reply or forward marker was taken off (THREAD=REFERENCES step 5, §2.1 step 6). */
  replyOrForward: boolean;
}

// subj-trailer = "(fwd)" / WSP
const TRAILER = /(?:\(fwd\)|[ \t])$/i;
// subj-blob = "[" *BLOBCHAR "]" *WSP
const BLOB = /^\[[^[\]]*\][ \t]*/;
// subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"; subj-leader = (*subj-blob subj-refwd) / WSP
const LEADER = /^(?:(?:\[[^[\]]*\][ \t]*)*(?:re|fwd?)[ \t]*(?:\[[^[\]]*\][ \t]*)?:|[ \t])/i;

/** Extracts the base subject of a decoded subject (RFC 5256 §2.1 steps 1-7). */
export function baseSubject(subject: string): BaseSubject {
  // (1) continuations and tabs become spaces, runs of spaces one space.
  let s = subject.replace(/[\r\n\t]+/g, " ").replace(/ {2,}/g, " ");
  let replyOrForward = false;
  for (;;) {
    // (2) trailers.
    for (let m = TRAILER.exec(s); m; m = TRAILER.exec(s)) {
      if (m[0] !== " " && m[0] !== "\t") replyOrForward = true;
      s = s.slice(0, s.length - m[0].length);
    }
    // (3)-(5) leaders, and a leading blob when something is left after it.
    for (let changed = true; changed;) {
      changed = false;
      const leader = LEADER.exec(s);
      if (leader) {
        if (leader[0] !== " " && leader[0] !== "\t") replyOrForward = true;
        s = s.slice(leader[0].length);
        changed = true;
        continue;
      }
      const blob = BLOB.exec(s);
      if (blob && blob[0].length < s.length) {
        s = s.slice(blob[0].length);
        changed = true;
      }
    }
    // (6) "[fwd: ... ]" wraps a forwarded subject: unwrap it and start again.
    if (s.length >= 6 && s.slice(0, 5).toLowerCase() === "[fwd:" && s.endsWith("]")) {
      s = s.slice(5, -1);
      replyOrForward = true;
      continue;
    }
    break;
  }
  return { key: s.toLowerCase(), replyOrForward };
}

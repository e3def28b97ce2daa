import { invalidInput } from "./errors.js";

export const SYSTEM_FLAGS = ["\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft"] as const;
export const MAX_FLAG_CHARS = 128;
export const MAX_FLAGS_PER_MESSAGE = 64;

const SYSTEM = new Map(SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f]));
// A keyword is an IMAP atom (RFC 3501 §9): printable US-ASCII (0x21-0x7E) without the atom-specials
// ( ) { % * " \ ]. Anything else (NBSP, zero-width or Cyrillic letters, U+2028, controls) could not be
// sent over IMAP and would make look-alike keywords, so it is refused.
const KEYWORD = /^[\x21-\x7e]+$/;
const ATOM_SPECIALS = /[(){%*"\\\]]/;

/** Canonical spelling of each flag (system flags case-folded), refusing what IMAP could not carry. */
export function normalizeFlags(flags: string[]): string[] {
  if (flags.length > MAX_FLAGS_PER_MESSAGE)
    throw invalidInput(`${flags.length} flags given; at most ${MAX_FLAGS_PER_MESSAGE} are allowed.`);
  const out = new Set<string>();
  for (const flag of flags) {
    if (flag.startsWith("\\")) {
      const system = SYSTEM.get(flag.toLowerCase());
      if (!system) throw invalidInput(`Flag "${flag}" is not a system flag (${SYSTEM_FLAGS.join(" ")}).`);
      out.add(system);
    } else {
      if (flag.length > MAX_FLAG_CHARS || !KEYWORD.test(flag) || ATOM_SPECIALS.test(flag))
        throw invalidInput(
          `Keyword ${JSON.stringify(flag)} must be 1-${MAX_FLAG_CHARS} printable ASCII characters with no spaces or ( ) { % * " \\ ].`,
        );
      out.add(flag);
    }
  }
  return [...out];
}

/** The mailboxes every new user gets (RFC 6154 special-use roles). */
export const DEFAULT_MAILBOXES: ReadonlyArray<{ path: string; specialUse: string | null }> = [
  { path: "INBOX", specialUse: "\\Inbox" },
  { path: "Drafts", specialUse: "\\Drafts" },
  { path: "Sent Mail", specialUse: "\\Sent" },
  { path: "Trash", specialUse: "\\Trash" },
  { path: "Junk", specialUse: "\\Junk" },
  { path: "Archive", specialUse: "\\Archive" },
];

/** UIDVALIDITY: seconds since the epoch when the mailbox was made, so a re-created path gets a new one. */
export function newUidValidity(): number {
  return Math.floor(Date.now() / 1000);
}

/** The special uses of RFC 6154 §2 a mailbox may be given (the core's \\Inbox role is INBOX's alone). */
export const SPECIAL_USES: readonly string[] = [
  "\\All",
  "\\Archive",
  "\\Drafts",
  "\\Flagged",
  "\\Junk",
  "\\Sent",
  "\\Trash",
];

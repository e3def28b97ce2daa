// STATUS data items (RFC 3501 §6.3.10, RFC 7162 HIGHESTMODSEQ, RFC 8438 SIZE, RFC 7889 APPENDLIMIT, RFC 9051
// DELETED, RFC 9208 DELETED-STORAGE), shared by
// STATUS and LIST's RETURN (STATUS (...)) (RFC 5819).
import { BadArguments, listOf, type ImapArg } from "../request.js";

export const STATUS_ITEMS = [
  "MESSAGES",
  "RECENT",
  "UIDNEXT",
  "UIDVALIDITY",
  "UNSEEN",
  "HIGHESTMODSEQ",
  "SIZE",
  "APPENDLIMIT",
  "DELETED",
  "DELETED-STORAGE",
] as const;

export type StatusItem = (typeof STATUS_ITEMS)[number];

/** A parenthesised, non-empty list of status items, upper-cased, each once, in the order asked. */
export function parseStatusItems(arg: ImapArg | undefined): StatusItem[] {
  const items = listOf(arg, "status items");
  if (items.length === 0) throw new BadArguments("Expected at least one status item.");
  const out: StatusItem[] = [];
  for (const item of items) {
    const name = item.type === "atom" && item.section === undefined ? item.value.toUpperCase() : "";
    if (!(STATUS_ITEMS as readonly string[]).includes(name))
      throw new BadArguments(
        `Unknown status item "${item.type === "atom" ? item.value : "(...)"}"; expected one of ${STATUS_ITEMS.join(", ")}.`,
      );
    if (!out.includes(name as StatusItem)) out.push(name as StatusItem);
  }
  return out;
}

/** DELETED and DELETED-STORAGE need the mailbox's flags read (the store keeps no \\Deleted counter). */
export function needsDeletedCount(items: readonly StatusItem[]): boolean {
  return items.includes("DELETED") || items.includes("DELETED-STORAGE");
}

import type { MessageCursor, SearchQuery } from "../ports.js";

/** Builds the WHERE clause for a search; text matches are case-insensitive substring matches. */
export function buildSearch(
  userId: string,
  q: SearchQuery,
  after?: MessageCursor,
): { where: string; values: unknown[] } {
  // Within one mailbox, `+user_id` keeps SQLite off the user's index so it seeks messages_mailbox_date instead.
  const clauses = [q.mailboxId !== undefined ? "+user_id = ?" : "user_id = ?"];
  const values: unknown[] = [userId];
  const add = (clause: string, ...v: unknown[]) => {
    clauses.push(clause);
    values.push(...v);
  };
  const contains = (column: string, needle: string) =>
    add(`instr(lower(${column}), ?) > 0`, needle.toLowerCase());
  if (q.mailboxId !== undefined) add("mailbox_id = ?", q.mailboxId);
  if (q.threadId !== undefined) add("thread_id = ?", q.threadId);
  if (q.from) contains("addr_from", q.from);
  if (q.to) contains("addr_to", q.to);
  if (q.cc) contains("addr_cc", q.cc);
  if (q.subject) contains("subject", q.subject);
  if (q.text)
    add(
      "(instr(search_text, ?) > 0 OR instr(lower(subject), ?) > 0)",
      q.text.toLowerCase(),
      q.text.toLowerCase(),
    );
  if (q.since) add("internal_date >= ?", q.since.getTime());
  if (q.before) add("internal_date < ?", q.before.getTime());
  for (const flag of q.flags ?? []) add("EXISTS (SELECT 1 FROM json_each(flags) WHERE value = ?)", flag);
  for (const flag of q.notFlags ?? [])
    add("NOT EXISTS (SELECT 1 FROM json_each(flags) WHERE value = ?)", flag);
  if (q.minSize !== undefined) add("size >= ?", q.minSize);
  if (q.maxSize !== undefined) add("size <= ?", q.maxSize);
  if (q.hasAttachment !== undefined) add("has_attachments = ?", q.hasAttachment ? 1 : 0);
  if (after) {
    // A row-value comparison lets SQLite start the index range at the cursor instead of walking to it.
    add("(internal_date, id) < (?, ?)", after.internalDate.getTime(), after.id);
  }
  return { where: clauses.join(" AND "), values };
}

import type { Filter } from "mongodb";
import type { MessageCursor, SearchQuery } from "../ports.js";
import type { MessageDoc } from "./records.js";

/** Builds the filter of a search; text matches are case-insensitive substring matches on escaped input. */
export function buildSearchFilter(userId: string, q: SearchQuery, after?: MessageCursor): Filter<MessageDoc> {
  const filter: Filter<MessageDoc> = { user: userId };
  const and: Filter<MessageDoc>[] = [];
  const contains = (needle: string) => ({ $regex: escapeRegex(needle), $options: "i" });
  const addressMatch = (field: "from" | "to" | "cc", needle: string) =>
    and.push({ $or: [{ [`${field}.address`]: contains(needle) }, { [`${field}.name`]: contains(needle) }] });
  if (q.mailboxId !== undefined) filter.mailbox = q.mailboxId;
  if (q.threadId !== undefined) filter.thread = q.threadId;
  if (q.from) addressMatch("from", q.from);
  if (q.to) addressMatch("to", q.to);
  if (q.cc) addressMatch("cc", q.cc);
  if (q.subject) filter.subject = contains(q.subject);
  if (q.text) and.push({ $or: [{ searchText: contains(q.text) }, { subject: contains(q.text) }] });
  if (q.since || q.before) {
    filter.internalDate = { ...(q.since && { $gte: q.since }), ...(q.before && { $lt: q.before }) };
  }
  if (q.flags?.length || q.notFlags?.length) {
    filter.flags = {
      ...(q.flags?.length && { $all: q.flags }),
      ...(q.notFlags?.length && { $nin: q.notFlags }),
    };
  }
  if (q.minSize !== undefined || q.maxSize !== undefined) {
    filter.size = {
      ...(q.minSize !== undefined && { $gte: q.minSize }),
      ...(q.maxSize !== undefined && { $lte: q.maxSize }),
    };
  }
  if (q.hasAttachment !== undefined) filter.hasAttachments = q.hasAttachment;
  if (after) {
    and.push({
      $or: [
        { internalDate: { $lt: after.internalDate } },
        { internalDate: after.internalDate, _id: { $lt: after.id } },
      ],
    });
  }
  if (and.length > 0) filter.$and = and;
  return filter;
}

/** The listing order: newest first by internal date, ties by id (both descending), matching the indexes. */
export const LISTING_SORT = { internalDate: -1, _id: -1 } as const;

/** Escapes every regular-expression metacharacter, so user input only ever matches itself. */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

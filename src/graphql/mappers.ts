import {
  invalidInput,
  type Changes as CoreChanges,
  type MailboxRecord,
  type MessageRecord,
  type MessageView,
  type UserRecord,
} from "../core/index.js";
import { encodeCursor } from "./cursor.js";
import type { Changes, Mailbox, Message, MessageBody, MessageConnection, User } from "./types/objects.js";

// Records from the core -> API objects. Download routes live in src/http/downloads.ts.

export const rawPath = (messageId: string) => `/download/${messageId}/raw`;
export const attachmentPath = (messageId: string, partId: string) =>
  `/download/${messageId}/part/${encodeURIComponent(partId)}`;

export function toUser(u: UserRecord): User {
  return {
    id: u.id,
    username: u.username,
    disabled: u.disabled,
    quotaBytes: u.quotaBytes,
    storageUsed: u.storageUsed,
    createdAt: u.createdAt,
  };
}

export function toMailbox(m: MailboxRecord): Mailbox {
  return { ...m };
}

export function toMessage(m: MessageRecord): Message {
  return { ...m, rawUrl: rawPath(m.id) };
}

export function toConnection(messages: MessageRecord[], hasMore: boolean): MessageConnection {
  const edges = messages.map((m) => ({ node: toMessage(m), cursor: encodeCursor(m) }));
  return {
    edges,
    pageInfo: { hasNextPage: hasMore, endCursor: edges.length ? edges[edges.length - 1].cursor : null },
  };
}

export function toBody(messageId: string, v: MessageView): MessageBody {
  return {
    text: v.text,
    html: v.html,
    get textAsHtml() {
      return v.textAsHtml; // computed only when the field is asked for
    },
    headers: v.headers,
    truncated: v.truncated,
    attachments: v.attachments.map((a) => ({ ...a, downloadUrl: attachmentPath(messageId, a.partId) })),
  };
}

export function toChanges(c: CoreChanges): Changes {
  return { ...c, oldState: String(c.oldState), newState: String(c.newState) };
}

/** States are strings on the wire (opaque to clients), numbers in the core. */
/** A state as the client sent it; one this server could not have given out is refused in the client's words. */
export function parseState(state: string): number {
  if (!/^\d{1,15}$/.test(state))
    throw invalidInput(`State ${JSON.stringify(state)} is not a state this server gave out.`);
  return Number(state);
}

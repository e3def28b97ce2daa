import DataLoader from "dataloader";
import {
  invalidInput,
  type Core,
  type MailboxCounts,
  type MailboxRecord,
  type MessageRecord,
  type MessageView,
  type Principal,
} from "../core/index.js";

/** Per request: who asks, the core, and loaders that batch look-ups so a page costs a constant number of round trips. */
export interface GraphQLContext {
  principal: Principal;
  /** The bearer token as sent, for logout. */
  token: string | null;
  core: Core;
  loaders: Loaders;
  requestId: string;
  /** The client's address: the socket's (there is no trusted-proxy setting, so X-Forwarded-For is not read). */
  clientIp: string;
}

export interface Loaders {
  mailbox: DataLoader<string, MailboxRecord | null>;
  counts: DataLoader<string, MailboxCounts>;
  message: DataLoader<string, MessageRecord | null>;
  threadSize: DataLoader<string, number>;
  /** Bodies, each message read at most once per request and at most `maxBodiesPerRequest` of them. */
  body: DataLoader<string, MessageView>;
}

/** Parsing a body is the costly part of a request: a page of previews needs none, a reader one or a few. */
export const DEFAULT_MAX_BODIES_PER_REQUEST = 50;
const MAX_BATCH = 500;

export function createLoaders(
  core: Core,
  principal: Principal,
  maxBodiesPerRequest = DEFAULT_MAX_BODIES_PER_REQUEST,
): Loaders {
  const byId = <T extends { id: string }>(ids: readonly string[], rows: T[]) => {
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id) ?? null);
  };
  let bodies = 0;
  return {
    mailbox: new DataLoader(async (ids) => byId(ids, await core.mailboxes.getMany(principal, [...ids])), {
      maxBatchSize: MAX_BATCH,
    }),
    counts: new DataLoader(async (ids) => core.mailboxes.counts(principal, [...ids]), {
      maxBatchSize: MAX_BATCH,
    }),
    message: new DataLoader(async (ids) => byId(ids, await core.messages.getMany(principal, [...ids])), {
      maxBatchSize: MAX_BATCH,
    }),
    threadSize: new DataLoader(
      async (ids) => {
        const sizes = await core.messages.threadSizes(principal, [...ids]);
        return ids.map((id) => sizes.get(id) ?? 0);
      },
      { maxBatchSize: MAX_BATCH },
    ),
    body: new DataLoader(
      async (ids) => {
        bodies += ids.length;
        if (bodies > maxBodiesPerRequest) {
          throw invalidInput(
            `One request may ask for at most ${maxBodiesPerRequest} message bodies; ask for body on fewer messages.`,
          );
        }
        return Promise.all(ids.map((id) => core.messages.view(principal, id).catch((err: Error) => err)));
      },
      { maxBatchSize: MAX_BATCH },
    ),
  };
}

import DataLoader from "dataloader";
import type { Core, Principal } from "../core/index.js";
import type { MailboxCounts, MailboxRecord, MessageRecord } from "../storage/ports.js";

/** Per request: who asks, the core, and loaders that batch look-ups so a page costs a constant number of round trips. */
export interface GraphQLContext {
  principal: Principal;
  /** The bearer token as sent, for logout. */
  token: string | null;
  core: Core;
  loaders: Loaders;
  requestId: string;
}

export interface Loaders {
  mailbox: DataLoader<string, MailboxRecord | null>;
  counts: DataLoader<string, MailboxCounts>;
  message: DataLoader<string, MessageRecord | null>;
  threadSize: DataLoader<string, number>;
}

export function createLoaders(core: Core, principal: Principal): Loaders {
  const byId = <T extends { id: string }>(ids: readonly string[], rows: T[]) => {
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id) ?? null);
  };
  return {
    mailbox: new DataLoader(async (ids) => byId(ids, await core.mailboxes.getMany(principal, [...ids]))),
    counts: new DataLoader(async (ids) => core.mailboxes.counts(principal, [...ids])),
    message: new DataLoader(async (ids) => byId(ids, await core.messages.getMany(principal, [...ids]))),
    threadSize: new DataLoader(async (ids) => {
      const sizes = await core.messages.threadSizes(principal, [...ids]);
      return ids.map((id) => sizes.get(id) ?? 0);
    }),
  };
}

import type { Store } from "../storage/ports.js";
import type { EventPublisher } from "./events.js";

/** Publishes the new counters of the mailboxes a change touched, with the account's new state. */
export async function publishCounters(
  store: Store,
  events: EventPublisher,
  userId: string,
  mailboxIds: string[],
): Promise<void> {
  const unique = [...new Set(mailboxIds)];
  let user, mailboxes;
  try {
    [user, mailboxes] = await Promise.all([store.users.get(userId), store.mailboxes.counts(userId, unique)]);
  } catch (err) {
    events.reportError(err); // the change itself is committed; only the notice is lost
    return;
  }
  if (!user) return;
  await events.account({ userId, state: user.modseq, storageUsed: user.storageUsed, mailboxes });
}

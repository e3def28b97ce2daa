import type { Bus, BusMessage, SubscriptionLost } from "../bus/ports.js";
import type { JournalKind, MailboxCounts, Store } from "../storage/ports.js";

/**
 * One change in a mailbox, as published on the bus and pushed to watchers (IMAP IDLE, subscriptions). It is the
 * journal entry of the change (same kind, same modseq), so a watcher that replays the journal and then goes live
 * sees one vocabulary, and the overlap is recognised by modseq.
 */
export interface MailboxEvent {
  kind: JournalKind;
  userId: string;
  mailboxId: string;
  messageId: string | null;
  uid: number | null;
  modseq: number;
  /** The message's flags after an "exists" or "flags" change, when known; null otherwise. */
  flags: string[] | null;
}

/** The counters of changed mailboxes and the account's new state. */
export interface AccountEvent {
  userId: string;
  state: number;
  storageUsed: number;
  mailboxes: MailboxCounts[];
}

/** A session (tokenHash) or every session of the account (null) ended: logout, disabled, deleted. */
export interface RevocationEvent {
  userId: string;
  /** The one session revoked (logout), or null for all of the user's sessions. */
  tokenHash: string | null;
  /** With tokenHash null: the session that stays (the one that changed its own password). */
  keepTokenHash?: string | null;
}

export const mailboxChannel = (mailboxId: string) => `mailbox:${mailboxId}`;
export const revocationChannel = (userId: string) => `auth:${userId}`;
export const accountChannel = (userId: string) => `account:${userId}`;
/** A user's outbound queue: an entry changed state (OutboxChangeEvent). */
export const outboxChannel = (userId: string) => `outbox:${userId}`;
/** Every outbox runner listens: an entry was queued, so a runner in another process wakes at once. */
export const OUTBOX_WAKE_CHANNEL = "outbox-queue";

/** The event of a change to one message (what the store returned for it). */
export function messageEvent(
  kind: "exists" | "expunge" | "flags",
  userId: string,
  m: { id: string; mailboxId: string; uid: number; modseq: number; flags?: string[] | null },
): MailboxEvent {
  return {
    kind,
    userId,
    mailboxId: m.mailboxId,
    messageId: m.id,
    uid: m.uid,
    modseq: m.modseq,
    flags: m.flags ?? null,
  };
}

/** A move is an expunge in the source and an exists in the target; the message keeps its id. */
export function moveEvents(
  userId: string,
  m: {
    id: string;
    fromMailboxId: string;
    fromUid: number;
    expungeModseq: number;
    toMailboxId: string;
    uid: number;
    modseq: number;
  },
): MailboxEvent[] {
  return [
    messageEvent("expunge", userId, {
      id: m.id,
      mailboxId: m.fromMailboxId,
      uid: m.fromUid,
      modseq: m.expungeModseq,
    }),
    messageEvent("exists", userId, { id: m.id, mailboxId: m.toMailboxId, uid: m.uid, modseq: m.modseq }),
  ];
}

/** The event of a change to the mailbox itself. */
export function mailboxEvent(
  kind: "mailbox-create" | "mailbox-update" | "mailbox-delete",
  userId: string,
  mailboxId: string,
  modseq: number,
): MailboxEvent {
  return { kind, userId, mailboxId, messageId: null, uid: null, modseq, flags: null };
}

/**
 * Publishes domain events on the bus; the one place that names the channels. Events go out after the change
 * is committed, so a bus failure is reported, not thrown: the change stands, and watchers catch up from the
 * journal (a client told "failed" would retry and store the message twice).
 */
export class EventPublisher {
  constructor(
    private readonly bus: Bus,
    private readonly store: Store,
    private readonly onError: (err: unknown) => void = (err) => console.error("event publish failed:", err),
  ) {}

  /**
   * After a committed change: each mailbox event in order, then the account's new state with the counters of
   * the mailboxes whose messages changed. Every service that changes mail calls this once per change.
   */
  async changed(userId: string, events: MailboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      for (const e of events) await this.bus.publish(mailboxChannel(e.mailboxId), e as unknown as BusMessage);
      const counted = [...new Set(events.filter((e) => e.messageId !== null).map((e) => e.mailboxId))];
      const [user, mailboxes] = await Promise.all([
        this.store.users.get(userId),
        this.store.mailboxes.counts(userId, counted),
      ]);
      if (!user) return;
      const account: AccountEvent = { userId, state: user.modseq, storageUsed: user.storageUsed, mailboxes };
      await this.bus.publish(accountChannel(userId), account as unknown as BusMessage);
    } catch (err) {
      this.onError(err); // the change itself is committed; only the notice is lost
    }
  }

  async revoked(event: RevocationEvent): Promise<void> {
    try {
      await this.bus.publish(revocationChannel(event.userId), event as unknown as BusMessage);
    } catch (err) {
      this.onError(err);
    }
  }

  subscribeRevocations(userId: string, handler: (e: RevocationEvent) => void, onLost?: SubscriptionLost) {
    return this.bus.subscribe(
      revocationChannel(userId),
      (m) => handler(m as unknown as RevocationEvent),
      onLost,
    );
  }

  reportError(err: unknown): void {
    this.onError(err);
  }

  /** `onLost`: the bus dropped the subscription (events may have been missed); resume from the journal. */
  subscribeMailbox(mailboxId: string, handler: (e: MailboxEvent) => void, onLost?: SubscriptionLost) {
    return this.bus.subscribe(
      mailboxChannel(mailboxId),
      (m) => handler(m as unknown as MailboxEvent),
      onLost,
    );
  }

  subscribeAccount(userId: string, handler: (e: AccountEvent) => void, onLost?: SubscriptionLost) {
    return this.bus.subscribe(accountChannel(userId), (m) => handler(m as unknown as AccountEvent), onLost);
  }
}

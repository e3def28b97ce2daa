import type { Bus, BusMessage, SubscriptionLost } from "../bus/ports.js";
import type { MailboxCounts } from "../storage/ports.js";

/** What happened in a mailbox, as published on the bus and pushed to watchers (IMAP IDLE, subscriptions). */
export interface MailboxEvent {
  type: "new" | "flags" | "expunged" | "mailbox";
  userId: string;
  mailboxId: string;
  messageId: string | null;
  uid: number | null;
  modseq: number;
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

/**
 * Publishes domain events on the bus; the one place that names the channels. Events go out after the change
 * is committed, so a bus failure is reported, not thrown: the change stands, and watchers catch up from the
 * journal (a client told "failed" would retry and store the message twice).
 */
export class EventPublisher {
  constructor(
    private readonly bus: Bus,
    private readonly onError: (err: unknown) => void = (err) => console.error("event publish failed:", err),
  ) {}

  async mailbox(events: MailboxEvent[]): Promise<void> {
    try {
      for (const e of events) await this.bus.publish(mailboxChannel(e.mailboxId), e as unknown as BusMessage);
    } catch (err) {
      this.onError(err);
    }
  }

  async account(event: AccountEvent): Promise<void> {
    try {
      await this.bus.publish(accountChannel(event.userId), event as unknown as BusMessage);
    } catch (err) {
      this.onError(err);
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

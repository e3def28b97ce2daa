import type { Bus, BusMessage } from "../bus/ports.js";
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

export const mailboxChannel = (mailboxId: string) => `mailbox:${mailboxId}`;
export const accountChannel = (userId: string) => `account:${userId}`;

/** Publishes domain events on the bus; the one place that names the channels. */
export class EventPublisher {
  constructor(private readonly bus: Bus) {}

  async mailbox(events: MailboxEvent[]): Promise<void> {
    for (const e of events) await this.bus.publish(mailboxChannel(e.mailboxId), e as unknown as BusMessage);
  }

  async account(event: AccountEvent): Promise<void> {
    await this.bus.publish(accountChannel(event.userId), event as unknown as BusMessage);
  }

  subscribeMailbox(mailboxId: string, handler: (e: MailboxEvent) => void) {
    return this.bus.subscribe(mailboxChannel(mailboxId), (m) => handler(m as unknown as MailboxEvent));
  }

  subscribeAccount(userId: string, handler: (e: AccountEvent) => void) {
    return this.bus.subscribe(accountChannel(userId), (m) => handler(m as unknown as AccountEvent));
  }
}

// The core: domain services over the storage and bus ports. Front ends (GraphQL, IMAP, POP3, LMTP,
// the command line) call these and nothing below them.
import type { Bus } from "../bus/ports.js";
import type { Store } from "../storage/ports.js";
import { AuthService } from "./auth.js";
import { ChangesService } from "./changes.js";
import { DeliveryService } from "./delivery.js";
import { EventPublisher } from "./events.js";
import { IngestService } from "./ingest.js";
import { MaintenanceService } from "./maintenance.js";
import { MailboxService } from "./mailboxes.js";
import { MessageService } from "./messages.js";
import { UserService } from "./users.js";

export interface CoreOptions {
  adminToken: string;
  sessionTtlMs: number;
  maxMessageBytes: number;
  loginAttempts: number;
  loginWindowMs: number;
  journalRetentionMs: number;
  /** Where errors go that must not fail a committed change (a bus publish after the commit). */
  onBackgroundError?: (err: unknown) => void;
}

export interface Core {
  store: Store;
  bus: Bus;
  events: EventPublisher;
  users: UserService;
  auth: AuthService;
  mailboxes: MailboxService;
  messages: MessageService;
  ingest: IngestService;
  delivery: DeliveryService;
  changes: ChangesService;
  maintenance: MaintenanceService;
}

export function createCore(store: Store, bus: Bus, options: CoreOptions): Core {
  const events = new EventPublisher(bus, options.onBackgroundError);
  const users = new UserService(store, events);
  const ingest = new IngestService(store, events, { maxMessageBytes: options.maxMessageBytes });
  const mailboxes = new MailboxService(store, events);
  return {
    store,
    bus,
    events,
    users,
    auth: new AuthService(store, users, bus, events, {
      adminToken: options.adminToken,
      sessionTtlMs: options.sessionTtlMs,
      loginAttempts: options.loginAttempts,
      loginWindowMs: options.loginWindowMs,
    }),
    mailboxes,
    messages: new MessageService(store, events, ingest),
    ingest,
    delivery: new DeliveryService(store, ingest, mailboxes, { maxMessageBytes: options.maxMessageBytes }),
    changes: new ChangesService(store),
    maintenance: new MaintenanceService(store, bus, { journalRetentionMs: options.journalRetentionMs }),
  };
}

export { DomainError, TEMPORARY_CODES, asDomainError, isDomainError, type ErrorCode } from "./errors.js";
export { ADMIN, ANONYMOUS, DELIVERY, type Principal } from "./principal.js";
export type {
  DeliverArgs,
  RecipientCheck,
  RecipientResult,
  RecipientStatus,
  StoredCopy,
} from "./delivery.js";
export type { ImportMessageArgs, ImportOutcome, ImportSession, ImportTarget } from "./import-session.js";
export {
  accountChannel,
  mailboxChannel,
  type AccountEvent,
  type MailboxEvent,
  type RevocationEvent,
} from "./events.js";
export { normalizeAddress } from "./addresses.js";
export type { Changes, ChangeSet } from "./changes.js";
export type { MessagePage } from "./messages.js";
export type { MailboxWithCounts } from "./mailboxes.js";

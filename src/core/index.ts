// The core: domain services over the storage and bus ports. Front ends (GraphQL, IMAP, POP3, LMTP,
// the command line) call these and nothing below them.
import type { Bus } from "../bus/ports.js";
import type { Store } from "../storage/ports.js";
import { AuthService } from "./auth.js";
import { AuthLogService } from "./auth-log.js";
import { AutoreplyResponder, type ResponderOptions } from "./autoreply/responder.js";
import { AutoreplyService } from "./autoreply/service.js";
import { Credentials } from "./credentials.js";
import { ChangesService } from "./changes.js";
import { DeliveryService } from "./delivery.js";
import {
  DEFAULT_INBOUND_LIMITS,
  InboundLimits,
  type InboundLimitsOptions,
} from "./delivery/inbound-limits.js";
import { DuplicateGuard } from "./delivery/duplicates.js";
import { DeliveryLogService } from "./delivery/log.js";
import { DkimService } from "./dkim/service.js";
import { DEFAULT_SPAM_LEVEL, SPAM_HEADERS, trustedSpamHeaders } from "./delivery/spam.js";
import { EventPublisher } from "./events.js";
import { FilterService } from "./filters.js";
import { checkHealth } from "./health.js";
import { IngestService } from "./ingest.js";
import { LoginLimiter } from "./login-limits.js";
import { addressMatcher } from "./networks.js";
import { MaintenanceService } from "./maintenance.js";
import { MailboxService } from "./mailboxes.js";
import { MessageService } from "./messages.js";
import type { HealthReport } from "./model.js";
import { UidMailboxService } from "./uid-mailbox.js";
import { MailboxSearchService } from "./search/service.js";
import { DEFAULT_LIMITS, type CoreLimits } from "./limits.js";
import { NodeService } from "./nodes.js";
import { hostname } from "node:os";
import { OutboxQueue, type OutboxOptions } from "./outbox/service.js";
import type { OutboxService } from "./outbox/types.js";
import { StoreDkimSigner } from "./dkim/signer.js";
import { DraftFolder } from "./submission/drafts.js";
import { RecipientLimit } from "./submission/recipient-limit.js";
import { MessageRelease } from "./submission/release.js";
import { Submissions, type SubmissionSettings } from "./submission/service.js";
import type { SubmissionService } from "./submission/types.js";
import type { BackgroundLog, OutboundPort } from "./outbound.js";
import { UserService } from "./users.js";
import { DELIVERY } from "./principal.js";
import { VerifiedLoginCache } from "./verified-logins.js";
import { WatchService } from "./watch.js";
import { TransferService, type TransferLimits } from "./transfers.js";

export interface CoreOptions {
  adminToken: string;
  sessionTtlMs: number;
  maxMessageBytes: number;
  /** Failed logins allowed per username within `loginWindowMs`, counted on the bus (so across processes). */
  loginAttempts: number;
  loginWindowMs: number;
  /** Failed logins allowed from one client (IPv4 address, IPv6 /64) within the window; default 100. */
  loginAttemptsPerIp?: number;
  /** Password checks of one username running at once (a burst of right logins fits); default 20. */
  loginChecksAtOnce?: number;
  /** Password checks from one client running at once, whatever the usernames; default 100. */
  loginChecksAtOncePerIp?: number;
  /** Networks whose clients are not limited per address (still per username); default none, not even loopback. */
  loginLimitExemptNetworks?: string[];
  journalRetentionMs: number;
  /** A Message-ID delivered into a mailbox suppresses another copy for this long; 0: no suppression. Default: a day. */
  duplicateWindowMs?: number;
  /** Delivery log entries older than this are pruned. Default: 30 days. */
  deliveryLogRetentionMs?: number;
  /** The clock of the duplicate window and the verified-login cache's TTL (tests move it). */
  now?: () => Date;
  /** Auth log entries older than this are pruned; default 30 days. */
  authLogRetentionMs?: number;
  /** Unknown-name and rate-limited attempts the auth log keeps per hour; default 600 (see AuthLogOptions). */
  authLogFloodEntriesPerHour?: number;
  /** Told once an hour's flood allowance of the auth log is spent. */
  onAuthLogFlood?: (kept: number) => void;
  /**
   * Passwords that passed scrypt are remembered (as an HMAC under a per-process key) this long, at most this many,
   * so a repeated login skips scrypt; `ttlMs` 0 turns it off. Default: 15 minutes, 10,000 entries.
   */
  verifiedLoginCache?: { ttlMs: number; maxEntries: number };
  /** Where errors go that must not fail a committed change (a bus publish after the commit). */
  onBackgroundError?: (err: unknown) => void;
  /** Caps on what one request may ask; each missing one takes its default. */
  limits?: Partial<CoreLimits>;
  /** Called when a request presents the admin token (the composition root records its first use). */
  onAdminTokenUse?: () => void;
  /** Rate limits on mail from the internet (via "mx"), counted on the bus; default: DEFAULT_INBOUND_LIMITS. */
  inboundLimits?: Partial<Omit<InboundLimitsOptions, "now">>;
  /** Spam routing: the trusted spam headers (`[delivery] spam_headers`) and the default spam level. */
  spam?: { headers?: readonly string[]; defaultLevel?: number };
  /** Mail the server sends itself (autoreplies); absent: nothing is sent, and autoreplies say so. */
  outbound?: OutboundPort | null;
  /** Autoreply: a sender answered at most once a period; a refused reply retried with doubling pauses. */
  autoreply?: Partial<Pick<ResponderOptions, "periodMs" | "sendAttempts" | "retryDelayMs" | "closeWaitMs">>;
  /** Where background work (autoreplies) reports; default: nowhere. */
  log?: BackgroundLog;
  /** Daily download / upload allowances per user ([imap]); absent or 0: no limit. */
  transfers?: Partial<TransferLimits>;
  /** The outbound queue: its transport, schedule and clock; without a transport mail is queued, never sent. */
  outbox?: Partial<Omit<OutboxOptions, "deliverLocal" | "log" | "limits">>;
  /**
   * Mail users send: recipients per user per day (default 500), how far ahead `sendAt` may be (default 30 days),
   * and the host name of the Message-IDs it writes (default: the machine's). Its clock is the outbox's.
   */
  submission?: Partial<Omit<SubmissionSettings, "maxMessageBytes" | "now">>;
}

const DEFAULT_AUTOREPLY = { periodMs: 4 * 86_400_000, sendAttempts: 4, retryDelayMs: 30_000 };
const SILENT: BackgroundLog = { info() {}, warn() {}, error() {} };

/**
 * The core's whole surface: services whose every entry point takes a Principal, plus health and close. The store,
 * the bus and the unguarded ingest stay inside, so isolation does not depend on each front end remembering a check.
 */
export interface Core {
  users: UserService;
  auth: AuthService;
  /** Every password check, for the user (its own) and the admin (all). */
  authLog: AuthLogService;
  mailboxes: MailboxService;
  messages: MessageService;
  delivery: DeliveryService;
  /** The delivery log: what arrived for whom, through what, and what became of it. */
  deliveryLog: DeliveryLogService;
  /** A user's delivery filters (delivery applies them). */
  filters: FilterService;
  /** A user's automatic reply, and the replies to delivered mail. */
  autoreplies: AutoreplyService;
  uidMailboxes: UidMailboxService;
  /** IMAP SEARCH, SORT and THREAD over one mailbox, evaluated in the store. */
  mailboxSearch: MailboxSearchService;
  changes: ChangesService;
  maintenance: MaintenanceService;
  /** Any object the principal may read, by its id alone (GraphQL `node(id)`). */
  nodes: NodeService;
  /** Watching a mailbox or the account from a state (subscriptions, IMAP IDLE and NOTIFY). */
  watch: WatchService;
  /** Daily download and upload allowances, counted across processes (IMAP FETCH and APPEND charge them). */
  transfers: TransferService;
  /** DKIM keys per sending domain (admin); the submission service signs with a `StoreDkimSigner` over the store. */
  dkim: DkimService;
  /** The outbound queue: what a user sent, until each remote recipient accepted or refused it. */
  outbox: OutboxService;
  /** Mail users send (GraphQL sendMessage, SMTP submission, the ZoneMTA plugin): checks, hold, release, drafts. */
  submission: SubmissionService;
  /** Whether the store and the bus answer (for `/health` and `eider doctor`). */
  health(): Promise<HealthReport>;
  /** Closes the bus and the store; the core must not be used after it. */
  close(): Promise<void>;
}

const DEFAULT_LOGIN_ATTEMPTS_PER_IP = 100;
const DEFAULT_LOGIN_CHECKS_AT_ONCE = 20;
const DEFAULT_LOGIN_CHECKS_AT_ONCE_PER_IP = 100;
const DEFAULT_AUTH_LOG_RETENTION_MS = 30 * 86_400_000;
const DEFAULT_AUTH_LOG_FLOOD_PER_HOUR = 600;
const DEFAULT_VERIFIED_LOGIN_CACHE = { ttlMs: 15 * 60_000, maxEntries: 10_000 };

export function createCore(store: Store, bus: Bus, options: CoreOptions): Core {
  const events = new EventPublisher(bus, store, options.onBackgroundError);
  const limits: CoreLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const clock = options.now;
  const verifiedLogins = new VerifiedLoginCache({
    ...(options.verifiedLoginCache ?? DEFAULT_VERIFIED_LOGIN_CACHE),
    now: clock ? () => clock().getTime() : undefined,
  });
  const credentials = new Credentials(store, events, limits.minPasswordLength, verifiedLogins);
  const users = new UserService(store, events, credentials, limits);
  const ingest = new IngestService(store, events, { maxMessageBytes: options.maxMessageBytes });
  const limiter = new LoginLimiter(bus, {
    perUser: options.loginAttempts,
    perClient: options.loginAttemptsPerIp ?? DEFAULT_LOGIN_ATTEMPTS_PER_IP,
    perUserAtOnce: options.loginChecksAtOnce ?? DEFAULT_LOGIN_CHECKS_AT_ONCE,
    perClientAtOnce: options.loginChecksAtOncePerIp ?? DEFAULT_LOGIN_CHECKS_AT_ONCE_PER_IP,
    windowMs: options.loginWindowMs,
    isExempt: addressMatcher(options.loginLimitExemptNetworks ?? []),
  });
  const authLog = new AuthLogService(store, bus, limits, {
    floodEntriesPerHour: options.authLogFloodEntriesPerHour ?? DEFAULT_AUTH_LOG_FLOOD_PER_HOUR,
    onFlood: options.onAuthLogFlood,
  });
  const auth = new AuthService(store, users, credentials, limiter, authLog, events, {
    adminToken: options.adminToken,
    sessionTtlMs: options.sessionTtlMs,
    onAdminTokenUse: options.onAdminTokenUse,
    onBackgroundError: options.onBackgroundError,
  });
  const changes = new ChangesService(store, limits);
  const mailboxes = new MailboxService(store, events, limits);
  const messages = new MessageService(store, events, ingest, limits);
  const duplicateWindowMs = options.duplicateWindowMs ?? 86_400_000;
  const deliveryLogRetentionMs = options.deliveryLogRetentionMs ?? 30 * 86_400_000;
  const duplicates = new DuplicateGuard(store, bus, {
    windowMs: duplicateWindowMs,
    now: options.now,
    onBusUnavailable: options.onBackgroundError,
  });
  const autoreply = { ...DEFAULT_AUTOREPLY, ...options.autoreply };
  const responder = new AutoreplyResponder(store, {
    ...autoreply,
    outbound: options.outbound ?? null,
    log: options.log ?? SILENT,
  });
  const autoreplies = new AutoreplyService(store, responder);
  const spamDefaultLevel = options.spam?.defaultLevel ?? DEFAULT_SPAM_LEVEL;
  const filters = new FilterService(store, limits, spamDefaultLevel);
  const delivery = new DeliveryService(store, ingest, mailboxes, duplicates, {
    maxMessageBytes: options.maxMessageBytes,
    onBackgroundError: options.onBackgroundError,
    spam: {
      trustedHeaders: trustedSpamHeaders(options.spam?.headers ?? SPAM_HEADERS),
      defaultLevel: spamDefaultLevel,
    },
    afterStored: (copy) => responder.afterDelivery(copy),
    inboundLimits: new InboundLimits(bus, {
      ...DEFAULT_INBOUND_LIMITS,
      ...options.inboundLimits,
      now: options.now,
    }),
  });
  const outbox: OutboxService = new OutboxQueue(store, bus, {
    transport: null,
    hostname: hostname(),
    // A held message is released by the submission service (sign, Sent copy, local recipients); `submission` is
    // made below and only called once the runner runs.
    release: (entry, raw) => submission.releaser(entry, raw),
    ...options.outbox,
    deliverLocal: ({ recipients, raw }) =>
      delivery.deliver(DELIVERY, { via: "submission", mailFrom: "", recipients, raw }),
    log: options.log ?? SILENT,
    limits,
  });
  const log = options.log ?? SILENT;
  const submission: Submissions = new Submissions(
    {
      store,
      messages,
      outbox,
      release: new MessageRelease({
        mailboxes,
        messages,
        delivery,
        signer: new StoreDkimSigner(store),
        log,
      }),
      drafts: new DraftFolder(store, mailboxes, messages),
      limit: new RecipientLimit(bus),
    },
    {
      recipientsPerDay: 500,
      maxScheduleDays: 30,
      hostname: hostname(),
      ...options.submission,
      maxMessageBytes: options.maxMessageBytes,
      now: options.outbox?.clock ? () => options.outbox!.clock!.now() : options.now,
    },
  );
  let closing: Promise<void> | null = null;
  return {
    users,
    auth,
    authLog,
    mailboxes,
    messages,
    uidMailboxes: new UidMailboxService(store, events, ingest, messages),
    mailboxSearch: new MailboxSearchService(store),
    delivery,
    outbox,
    submission,
    deliveryLog: new DeliveryLogService(store, limits, { retentionMs: deliveryLogRetentionMs }),
    filters,
    autoreplies,
    changes,
    maintenance: new MaintenanceService(store, bus, {
      journalRetentionMs: options.journalRetentionMs,
      deliveryLogRetentionMs,
      duplicateWindowMs,
      authLogRetentionMs: options.authLogRetentionMs ?? DEFAULT_AUTH_LOG_RETENTION_MS,
      autoreplyPeriodMs: autoreply.periodMs,
    }),
    nodes: new NodeService(users, mailboxes, messages, filters, outbox),
    watch: new WatchService(store, events, changes, auth, outbox),
    transfers: new TransferService(bus, {
      downloadBytesPerDay: options.transfers?.downloadBytesPerDay ?? 0,
      uploadBytesPerDay: options.transfers?.uploadBytesPerDay ?? 0,
    }),
    dkim: new DkimService(store),
    health: () => checkHealth(store, bus),
    close() {
      closing ??= (async () => {
        try {
          await outbox.stop();
          await responder.close();
          await bus.close();
        } finally {
          await store.close();
        }
      })();
      return closing;
    },
  };
}

export {
  DomainError,
  TEMPORARY_CODES,
  asDomainError,
  invalidInput,
  isDomainError,
  type ErrorCode,
} from "./errors.js";
export { ADMIN, ANONYMOUS, DELIVERY, type Principal } from "./principal.js";
export { messageTooLarge } from "./admission.js";
export type { DeliveryLogPage, DeliverySource } from "./delivery/log.js";
export type {
  DeliverArgs,
  RecipientCheck,
  RecipientResult,
  RecipientStatus,
  StoredCopy,
} from "./delivery.js";
export type { Filter, FilterInput, FilterUpdate, SpamLevel } from "./filters.js";
export type { FilterActions, FilterConditions } from "./delivery/filters.js";
export type { MatchedFilter, RouteVerdict } from "./delivery/route.js";
export { SPAM_HEADERS, type SpamVerdict } from "./delivery/spam.js";
export type {
  AppendResult,
  CopyResult,
  ExpungeOptions,
  FetchedMessage,
  FetchOptions,
  MailboxStatus,
  OpenedMailbox,
  OpenedUids,
  StatusOptions,
  StoreFlagsOptions,
  StoreFlagsResult,
  UidEntry,
} from "./uid-mailbox.js";
export type { BodySection, SectionBytes } from "./body-section.js";
export type { MessageQuery } from "./search/query.js";
export type { SortCriterion, SortKey } from "./search/sort.js";
export type { ThreadAlgorithm, ThreadNode } from "./search/threads.js";
export type { UidRange, UidSet } from "./uid-set.js";
export type { ImportMessageArgs, ImportOutcome, ImportSession, ImportTarget } from "./import-session.js";
export {
  accountChannel,
  mailboxChannel,
  type AccountEvent,
  type MailboxEvent,
  type RevocationEvent,
} from "./events.js";
export { normalizeAddress } from "./addresses.js";
export { addressMatcher } from "./networks.js";
export type { TransferDirection, TransferLimits, TransferService } from "./transfers.js";
export type {
  AuthLogEntry,
  AuthLogPage,
  AuthOrigin,
  AuthProtocol,
  AuthReason,
  AuthResult,
} from "./auth-log.js";
export type { Changes, ChangeSet } from "./changes.js";
export type { MessagePage, RawMessage } from "./messages.js";
export type { Watch, WatchOptions } from "./watch.js";
export type { Autoreply, AutoreplyInput } from "./autoreply/service.js";
export type { BackgroundLog, OutboundMessage, OutboundPort } from "./outbound.js";
export type * from "./outbox/types.js";
export { DEFAULT_RETRY, type RetrySchedule } from "./outbox/retry.js";
export type { OutboxClock } from "./outbox/clock.js";
export { outboxChannel } from "./events.js";
export type { NodeRecord } from "./nodes.js";
export type {
  AttachmentInput as SubmissionAttachment,
  ComposeAddress,
  ComposeInput,
  Draft,
  RawSubmission,
  RelayPrepared,
  SendOptions,
  SubmissionOrigin,
  SubmissionService,
  SubmissionVia,
  SubmitResult,
} from "./submission/types.js";
export type { DkimAlgorithm, DkimKey, DkimKeyInput, DkimSigner } from "./dkim/types.js";
export type { DkimService } from "./dkim/service.js";
export { DEFAULT_LIMITS, type CoreLimits } from "./limits.js";
export { SPECIAL_USES } from "./special-use.js";
export type { CreateMailboxOptions, MailboxWithCounts } from "./mailboxes.js";
export type * from "./model.js";
export { USAGE_SETTLE_MS } from "./maintenance.js";

// The one delivery path: LMTP, the MX plugin, `eider import` and local submission hand a message to
// `deliver()`, which parses it once, resolves the recipients to users and stores one copy per user.
import type { ParsedMessage } from "../mime/index.js";
import type { MailboxRecord, MessageCursor, Store, UserRecord } from "../storage/ports.js";
import type { DuplicateGuard } from "./delivery/duplicates.js";
import { deliveryEntries, refusalEntry, type DeliverySource } from "./delivery/log.js";
import { normalizeAddress, wildcardFor } from "./addresses.js";
import { exceedsQuota, messageTooLarge } from "./admission.js";
import { messageFacts } from "./delivery/filters.js";
import {
  JUNK_KEYWORD,
  routeMessage,
  type MatchedFilter,
  type Route,
  type RouteVerdict,
} from "./delivery/route.js";
import type { InboundLimits } from "./delivery/inbound-limits.js";
import { judgeSpam, type SpamVerdict } from "./delivery/spam.js";
import { toFilter } from "./filters.js";
import type { DeliveredCopy } from "./autoreply/responder.js";
import { asDomainError, isDomainError, notFound } from "./errors.js";
import type { IngestService } from "./ingest.js";
import { importKey, ImportSession, type ImportTarget } from "./import-session.js";
import type { MailboxService } from "./mailboxes.js";
import { requireAdmin, requireDeliverer, type Principal } from "./principal.js";

const IMPORT_KEY_PAGE = 500;

/** What became of one recipient; each front end maps it to its protocol (LMTP 250 / 550 5.1.1 / 452 4.2.2 ...). */
export type RecipientStatus =
  | "stored"
  /** No user has this address (nor a wildcard of its domain). */
  | "unknown"
  /** The address cannot be read as local@domain. */
  | "invalid"
  | "disabled"
  | "over-quota"
  | "too-large"
  /** The message itself is refused for good (an empty message): the same for every recipient. */
  | "rejected"
  /** Something on our side failed (storage full, a store down): the sender should try again later. */
  | "temporary-failure";

export interface StoredCopy {
  userId: string;
  messageId: string;
  mailboxId: string;
  uidValidity: number;
  uid: number;
}

export interface RecipientResult {
  /** The recipient as the caller gave it. */
  recipient: string;
  status: RecipientStatus;
  /** One sentence for the protocol reply or a log line. */
  message: string;
  /** The user the address belongs to, when it resolved. */
  userId?: string;
  /** Where the copy went (for every recipient of a user that got it, even through a second address). */
  stored?: StoredCopy;
  /** For a temporary failure: the error behind it, for the front end's log (never sent to a client). */
  cause?: unknown;
  /** Not stored again: the same Message-ID reached this mailbox within the duplicate window; `stored` is that copy. */
  duplicate?: boolean;
  /** Where routing sent the copy ("inbox" when no filter or spam verdict moved it); `stored` says which mailbox. */
  verdict?: RouteVerdict;
  /** The user's filters that matched, in the order applied. */
  matchedFilters?: MatchedFilter[];
  /** What the trusted spam headers said, against the user's spam level. */
  spam?: SpamVerdict;
  /** A filter's mailbox that no longer exists; the copy went to INBOX instead. */
  missingMailboxId?: string;
}

export interface DeliverArgs extends DeliverySource {
  /** The envelope sender (MAIL FROM), "" for the null reverse-path (bounces). */
  mailFrom: string;
  recipients: string[];
  raw: Buffer;
  /** Default: now. */
  internalDate?: Date;
  /**
   * Trace header lines (each ending in CRLF) a front end prepends to the stored copy, such as LMTP's
   * Return-Path, Delivered-To and Received. Called once per user with the first of its recipients, since
   * Delivered-To names the address; the stored copy is then these lines followed by `raw` exactly.
   */
  traceHeaders?: (recipient: string) => string;
}

/** The answer at RCPT time: would a message of `size` bytes (when known) be accepted for this address? */
export interface RecipientCheck {
  recipient: string;
  /** "rate-limited" / "client-rate-limited": mail from the internet (via "mx") over a limit of InboundLimits. */
  status:
    | Exclude<RecipientStatus, "stored" | "temporary-failure" | "rejected">
    | "ok"
    | "rate-limited"
    | "client-rate-limited";
  message: string;
  userId?: string;
}

export interface DeliveryOptions {
  maxMessageBytes: number;
  /** Where a failure goes that must not fail a delivery already stored (writing its log entry). */
  onBackgroundError?: (err: unknown) => void;
  /** Spam headers trusted from the MTA in front (lower-case names), and the level for users who set none. */
  spam: { trustedHeaders: ReadonlySet<string>; defaultLevel: number };
  /** Called for each copy once it is durably stored (the autoreply); must return at once and never throw. */
  afterStored?: (copy: DeliveredCopy) => void;
  /** The rate limits on mail from the internet (via "mx"); none: no limit. */
  inboundLimits?: InboundLimits;
}

/** A duplicate guard's deferred write (its delivered-id entry) and lock release; see DuplicateGuard.storeOnce. */
type Settlement = () => Promise<void>;

/** Where Junk is made when a user has no \\Junk mailbox. */
const JUNK_PATH = "Junk";

export class DeliveryService {
  constructor(
    private readonly store: Store,
    private readonly ingest: IngestService,
    private readonly mailboxes: MailboxService,
    private readonly duplicates: DuplicateGuard,
    private readonly options: DeliveryOptions,
  ) {}

  /**
   * Delivers to every recipient's INBOX: one parse, one stored copy per user (two addresses of one user, or
   * `+label` variants, store once), and a result per recipient in the order given. Never throws for a
   * recipient's failure; throws only when the principal may not deliver.
   */
  async deliver(p: Principal, args: DeliverArgs): Promise<RecipientResult[]> {
    requireDeliverer(p);
    const at = args.internalDate ?? new Date();
    const parsed: { headers: ParsedMessage["headers"] | null } = { headers: null };
    const settlements: Settlement[] = [];
    const report = (err: unknown) => this.options.onBackgroundError?.(err);
    let results: RecipientResult[];
    try {
      results = await this.deliverCopies({ ...args, internalDate: at }, parsed, settlements);
    } catch (err) {
      await Promise.all(settlements.map((settle) => settle().catch(report)));
      throw err;
    }
    const entries = deliveryEntries(
      { via: args.via, client: args.client, mailFrom: args.mailFrom, size: args.raw.length, at },
      results,
      parsed.headers,
    );
    // Issued together so that on the embedded store they share one commit. The copies are stored and their replies
    // due: a log or delivered-id entry that cannot be written is reported, not a failure (a missing delivered id
    // lets a resend store a second copy: mail is never lost for it).
    await Promise.all([
      this.store.deliveries.append(entries).catch(report),
      ...settlements.map((settle) => settle().catch(report)),
      this.countInbound(args, results).catch(report),
    ]);
    return results;
  }

  /** Resolves, parses and stores; `parsed.headers` is set from the first successful parse, for the log. */
  private async deliverCopies(
    args: DeliverArgs,
    parsed: { headers: ParsedMessage["headers"] | null },
    settlements: Settlement[],
  ): Promise<RecipientResult[]> {
    const resolved = await Promise.all(args.recipients.map((r) => this.resolve(r)));
    const results: RecipientResult[] = resolved.map((r, i) =>
      "user" in r
        ? { recipient: args.recipients[i], status: "stored", message: "", userId: r.user.id }
        : { recipient: args.recipients[i], ...r },
    );
    const users = new Map<string, UserRecord>();
    for (const r of resolved) if ("user" in r) users.set(r.user.id, r.user);
    if (users.size === 0) return results;
    // One user: its duplicate-guard write waits for the log entry's commit and shares it. Several: each settles at
    // once, since a delivery holding one user's key while it waits for another's could deadlock with a concurrent
    // delivery that took them the other way round.
    const deferred = users.size === 1 ? settlements : null;

    const outcomes = new Map<string, Omit<RecipientResult, "recipient">>();
    const { traceHeaders } = args;
    // Per-user trace lines make each copy's bytes differ, so each user's copy is parsed on its own. An empty
    // message takes the single parse below, which refuses it for every recipient before anything is prepended.
    if (traceHeaders && args.raw.length > 0) {
      const firstRecipient = new Map<string, string>();
      for (const r of results)
        if (r.status === "stored" && !firstRecipient.has(r.userId!))
          firstRecipient.set(r.userId!, r.recipient);
      // One user at a time: each copy is a new buffer as large as the message, so this bounds the memory.
      for (const user of users.values()) {
        const prefix = Buffer.from(traceHeaders(firstRecipient.get(user.id)!), "utf8");
        let copy: ParsedMessage;
        try {
          copy = await this.ingest.parse(Buffer.concat([prefix, args.raw]), prefix.length);
        } catch (err) {
          outcomes.set(user.id, { userId: user.id, ...failureOf(err) });
          continue;
        }
        parsed.headers ??= copy.headers;
        outcomes.set(user.id, await this.storeCopy(user, copy, args, deferred));
      }
    } else {
      let copy: ParsedMessage;
      try {
        copy = await this.ingest.parse(args.raw);
      } catch (err) {
        const failure = failureOf(err);
        return results.map((r) => (r.status === "stored" ? { ...r, ...failure } : r));
      }
      parsed.headers = copy.headers;
      await Promise.all(
        [...users.values()].map(async (user) => {
          outcomes.set(user.id, await this.storeCopy(user, copy, args, deferred));
        }),
      );
    }
    return results.map((r) => (r.status === "stored" ? { ...r, ...outcomes.get(r.userId!)! } : r));
  }

  /** RCPT-time check: the address resolves to an enabled user with room for `size` bytes (or any room). */
  async checkRecipient(
    p: Principal,
    recipient: string,
    size?: number,
    source?: DeliverySource & { mailFrom: string },
  ): Promise<RecipientCheck> {
    requireDeliverer(p);
    let check = await this.check(recipient, size);
    const limits = this.options.inboundLimits;
    if (limits && source?.via === "mx" && check.status === "ok" && check.userId) {
      const refusal = await limits.refusal(check.userId, source.client?.ip);
      if (refusal) check = { ...check, ...refusal };
    }
    // A known user refused before the message is sent (over quota, disabled) is logged, so the user can see why
    // mail did not arrive; an unknown address has nobody to log it for.
    const { userId } = check;
    if (source && userId && check.status !== "ok")
      await this.store.deliveries
        .append([refusalEntry({ ...source, size: size ?? 0, at: new Date() }, { ...check, userId })])
        .catch((err: unknown) => this.options.onBackgroundError?.(err));
    return check;
  }

  /** Mail from the internet counts against the inbound rate limits once stored (a duplicate was counted before). */
  private async countInbound(args: DeliverArgs, results: RecipientResult[]): Promise<void> {
    const limits = this.options.inboundLimits;
    if (!limits || args.via !== "mx") return;
    const stored = results.filter((r) => r.status === "stored" && !r.duplicate).map((r) => r.userId!);
    await limits.record(stored, args.client?.ip);
  }

  private async check(recipient: string, size?: number): Promise<RecipientCheck> {
    if (size !== undefined && size > this.options.maxMessageBytes)
      return {
        recipient,
        status: "too-large",
        message: messageTooLarge(size, this.options.maxMessageBytes).message,
      };
    const r = await this.resolve(recipient);
    if (!("user" in r)) return { recipient, ...r };
    const { user } = r;
    if (exceedsQuota(user, Math.max(size ?? 1, 1)))
      return {
        recipient,
        userId: user.id,
        status: "over-quota",
        message: `The mailbox is full (${user.storageUsed} of ${user.quotaBytes} bytes used).`,
      };
    return { recipient, userId: user.id, status: "ok", message: "" };
  }

  /**
   * Opens an import into one user's mailbox (created when missing; INBOX by default) through this same path.
   * Admin only: an import names the user, where delivery resolves addresses.
   */
  async openImport(p: Principal, target: ImportTarget): Promise<ImportSession> {
    requireAdmin(p);
    const user = await this.store.users.getByName(target.username.trim().toLowerCase());
    if (!user) throw notFound("User", target.username);
    const asUser: Principal = { kind: "user", userId: user.id };
    const path = target.mailboxPath ?? "INBOX";
    let mailbox: MailboxRecord;
    try {
      mailbox = await this.mailboxes.getByPath(asUser, path);
    } catch (err) {
      if (!isDomainError(err) || err.code !== "NOT_FOUND") throw err;
      mailbox = await this.mailboxes.create(asUser, path);
    }
    const known = await this.importKeys(user.id, mailbox.id);
    return new ImportSession(user, mailbox, known, {
      parse: async (raw) => {
        try {
          return { parsed: await this.ingest.parse(raw) };
        } catch (err) {
          return failureOf(err);
        }
      },
      store: async (parsed, flags, internalDate) => {
        const fresh = await this.store.users.get(user.id);
        if (!fresh) return failureOf(notFound("User", user.id));
        if (fresh.disabled) return disabled(fresh);
        return this.storeIn(fresh, mailbox, parsed, flags, internalDate);
      },
    });
  }

  /** The import keys of what a mailbox holds, read once in pages of summary rows (no content). */
  private async importKeys(userId: string, mailboxId: string): Promise<Set<string>> {
    const keys = new Set<string>();
    let after: MessageCursor | undefined;
    for (;;) {
      const page = await this.store.messages.list(userId, mailboxId, { limit: IMPORT_KEY_PAGE, after });
      for (const m of page) keys.add(importKey(m.messageIdHeader, m.size, m.subject, m.sentDate));
      if (page.length < IMPORT_KEY_PAGE) return keys;
      const last = page[page.length - 1];
      after = { internalDate: last.internalDate, id: last.id };
    }
  }

  /** One user's copy, stored, then handed to what follows a stored copy without waiting for it. */
  private async storeCopy(
    user: UserRecord,
    parsed: ParsedMessage,
    args: DeliverArgs,
    settlements: Settlement[] | null,
  ): Promise<Omit<RecipientResult, "recipient">> {
    const outcome = await this.storeFor(user, parsed, args.internalDate, settlements);
    const { stored } = outcome;
    // A duplicate was answered, if at all, when it first came; a discarded copy has no `stored`.
    if (stored && !outcome.duplicate)
      this.options.afterStored?.({
        userId: user.id,
        junk: outcome.verdict === "junk",
        mailFrom: args.mailFrom,
        parsed,
      });
    return outcome;
  }

  /**
   * Routes the user's copy through its filters and the spam verdict, then stores it where they say (once per
   * Message-ID in that mailbox), or, when a filter deletes it, nowhere: still a "stored" status (the user asked).
   */
  private async storeFor(
    user: UserRecord,
    parsed: ParsedMessage,
    internalDate: Date | undefined,
    settlements: Settlement[] | null,
  ): Promise<Omit<RecipientResult, "recipient">> {
    let route: Route;
    let target: { mailbox: MailboxRecord; verdict: RouteVerdict; missingMailboxId?: string } | null;
    try {
      const filters = (await this.store.filters.list(user.id)).map(toFilter);
      const spam = judgeSpam(parsed.headerFields, {
        trustedHeaders: this.options.spam.trustedHeaders,
        level: user.spamLevel ?? this.options.spam.defaultLevel,
      });
      route = routeMessage(filters, () => messageFacts(parsed), spam);
      target = await this.target(user, route);
    } catch (err) {
      return { userId: user.id, ...failureOf(err) };
    }
    const routing = { matchedFilters: route.matchedFilters, spam: route.spam };
    if (!target)
      return {
        status: "stored",
        // No filter name here: this text becomes the protocol reply, and the name is the user's to choose.
        message: "Discarded at the user's request by one of the user's filters; nothing was stored.",
        userId: user.id,
        verdict: "discarded",
        ...routing,
      };
    const { mailbox, verdict, missingMailboxId } = target;
    const flags = verdict === "junk" ? [...new Set([...route.flags, JUNK_KEYWORD])] : route.flags;
    const result = await this.storeOnce(user, mailbox, parsed, flags, internalDate, settlements);
    if (result.status !== "stored") return { ...result, verdict, ...routing };
    const why = routingNote(route, verdict, missingMailboxId);
    return {
      ...result,
      ...(why ? { message: `${result.message} (${why})` } : {}),
      verdict,
      ...routing,
      ...(missingMailboxId ? { missingMailboxId } : {}),
    };
  }

  /**
   * The mailbox a route names: INBOX, the user's Junk (made when missing), or a filter's mailbox, which may have
   * been deleted since the filter was saved: then INBOX, and `missingMailboxId` says which. Null when discarded.
   */
  private async target(
    user: UserRecord,
    route: Route,
  ): Promise<{ mailbox: MailboxRecord; verdict: RouteVerdict; missingMailboxId?: string } | null> {
    if (route.verdict === "discarded") return null;
    if (route.verdict === "junk") {
      const asUser: Principal = { kind: "user", userId: user.id };
      return { mailbox: await this.mailboxes.ensureSpecialUse(asUser, "\\Junk", JUNK_PATH), verdict: "junk" };
    }
    if (route.verdict === "mailbox" && route.mailboxId) {
      const chosen = await this.store.mailboxes.get(user.id, route.mailboxId);
      if (chosen) return { mailbox: chosen, verdict: chosen.specialUse === "\\Junk" ? "junk" : "mailbox" };
      return { mailbox: await this.inbox(user), verdict: "inbox", missingMailboxId: route.mailboxId };
    }
    return { mailbox: await this.inbox(user), verdict: "inbox" };
  }

  private async inbox(user: UserRecord): Promise<MailboxRecord> {
    const inbox = await this.store.mailboxes.getByPath(user.id, "INBOX");
    if (!inbox) throw new Error(`User ${user.id} has no INBOX.`);
    return inbox;
  }

  /**
   * Stores into one mailbox unless duplicate suppression finds this Message-ID already delivered there; what the
   * guard still has to write goes to `settlements`, which `deliver()` runs with the log entries (null: now).
   */
  private async storeOnce(
    user: UserRecord,
    mailbox: MailboxRecord,
    parsed: ParsedMessage,
    flags: string[],
    internalDate: Date | undefined,
    settlements: Settlement[] | null,
  ): Promise<Omit<RecipientResult, "recipient">> {
    let guarded;
    try {
      guarded = await this.duplicates.storeOnce(user.id, mailbox.id, parsed.headers.messageId, () =>
        this.storeIn(user, mailbox, parsed, flags, internalDate),
      );
    } catch (err) {
      return { userId: user.id, ...failureOf(err) };
    }
    if (settlements) settlements.push(guarded.settle);
    else await guarded.settle().catch((err: unknown) => this.options.onBackgroundError?.(err));
    if ("copy" in guarded) return guarded.copy;
    const earlier = guarded.duplicateOf;
    return {
      status: "stored",
      duplicate: true,
      message: `Already delivered as UID ${earlier.uid} in ${mailbox.path} (same Message-ID); not stored again.`,
      userId: user.id,
      stored: {
        userId: user.id,
        messageId: earlier.messageId,
        mailboxId: mailbox.id,
        uidValidity: mailbox.uidValidity,
        uid: earlier.uid,
      },
    };
  }

  private async storeIn(
    user: UserRecord,
    mailbox: MailboxRecord,
    parsed: ParsedMessage,
    flags: string[] = [],
    internalDate?: Date,
  ): Promise<Omit<RecipientResult, "recipient">> {
    try {
      const m = await this.ingest.ingestParsed(
        { userId: user.id, mailboxId: mailbox.id, flags, internalDate },
        parsed,
        { user, mailbox },
      );
      return {
        status: "stored",
        message: `Stored as UID ${m.uid} in ${mailbox.path}.`,
        userId: user.id,
        stored: {
          userId: user.id,
          messageId: m.id,
          mailboxId: mailbox.id,
          uidValidity: mailbox.uidValidity,
          uid: m.uid,
        },
      };
    } catch (err) {
      return { userId: user.id, ...failureOf(err) };
    }
  }

  /** Address -> enabled user: the exact normalised address first, then the domain's `*@domain` wildcard. */
  private async resolve(
    recipient: string,
  ): Promise<
    { user: UserRecord } | { status: "unknown" | "invalid" | "disabled"; message: string; userId?: string }
  > {
    let normalized: string;
    let wildcard: string;
    try {
      normalized = normalizeAddress(recipient);
      wildcard = wildcardFor(recipient);
    } catch (err) {
      if (isDomainError(err)) return { status: "invalid", message: err.message };
      throw err;
    }
    const address =
      (await this.store.addresses.findByNormalized(normalized)) ??
      (await this.store.addresses.findByNormalized(wildcard));
    const user = address ? await this.store.users.get(address.userId) : null;
    if (!user) return { status: "unknown", message: `No mailbox here has the address "${recipient}".` };
    if (user.disabled) return disabled(user);
    return { user };
  }
}

/**
 * Why a stored copy went where it did, for the protocol reply and the log's detail: only fixed words, header names
 * and numbers (a filter's name is the user's to choose and stays out of protocol replies).
 */
function routingNote(route: Route, verdict: RouteVerdict, missingMailboxId?: string): string | null {
  if (missingMailboxId) return `the filter's mailbox ${missingMailboxId} no longer exists`;
  if (verdict !== "junk") return null;
  if (route.decidedBy || !route.spam.reason) return "marked as spam by a filter";
  const header = route.spam.reason.slice(0, route.spam.reason.indexOf(":"));
  return route.spam.score === null ? `spam by ${header}` : `spam by ${header}, score ${route.spam.score}`;
}

function disabled(user: UserRecord): { status: "disabled"; message: string; userId: string } {
  return { status: "disabled", message: `The account "${user.username}" is disabled.`, userId: user.id };
}

/** A failed store as a recipient status: the domain's codes where they say what happened, else temporary. */
function failureOf(err: unknown): { status: RecipientStatus; message: string; cause?: unknown } {
  const known = asDomainError(err);
  if (known?.code === "QUOTA_EXCEEDED") return { status: "over-quota", message: known.message };
  if (known?.code === "MESSAGE_TOO_LARGE") return { status: "too-large", message: known.message };
  if (known?.code === "ACCOUNT_DISABLED") return { status: "disabled", message: known.message };
  if (known?.code === "NOT_FOUND") return { status: "unknown", message: known.message };
  if (known?.code === "INVALID_INPUT") return { status: "rejected", message: known.message };
  return {
    status: "temporary-failure",
    // A full disk or an unreachable bus says so; anything else is not described to the sender.
    message:
      known?.code === "STORAGE_FULL" || known?.code === "BUS_UNAVAILABLE"
        ? known.message
        : "The message could not be stored just now; try again later.",
    cause: err,
  };
}

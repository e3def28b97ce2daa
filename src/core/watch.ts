import type { Store } from "../storage/ports.js";
import type { AuthService } from "./auth.js";
import type { ChangesService } from "./changes.js";
import { DomainError, notFound } from "./errors.js";
import { EventQueue } from "./event-queue.js";
import type { AccountEvent, EventPublisher, MailboxEvent } from "./events.js";
import type { OutboxEntry, OutboxService } from "./outbox/types.js";
import { requireUser, type Principal } from "./principal.js";

export interface WatchOptions {
  /** Replay the journal after this state before going live, so a client that reconnects misses nothing. */
  sinceState?: number;
  /** The bearer token the watch was opened with: logging it out ends the watch. */
  token?: string | null;
}

/** A stream of changes; `return()` (the client leaving) ends it and drops its bus subscriptions. */
export type Watch<T> = AsyncIterableIterator<T> & { return(): Promise<IteratorResult<T>> };

/**
 * Watching a mailbox or an account: what GraphQL subscriptions, IMAP IDLE and NOTIFY share. A watch ends when
 * its token is logged out or the account is disabled or deleted.
 */
export class WatchService {
  constructor(
    private readonly store: Store,
    private readonly events: EventPublisher,
    private readonly changes: ChangesService,
    private readonly auth: AuthService,
    private readonly outboxes?: OutboxService,
  ) {}

  /**
   * The changes of one mailbox in the order they happened. With `sinceState`, the journal after that state
   * comes first: the bus subscription is taken before the journal is read, events that arrive meanwhile wait,
   * and those the replay already gave (the same modseq) are dropped, so the stream has no gap and no duplicate.
   */
  async mailbox(p: Principal, mailboxId: string, options: WatchOptions = {}): Promise<Watch<MailboxEvent>> {
    const userId = requireUser(p);
    const box = await this.store.mailboxes.get(userId, mailboxId);
    if (!box) throw notFound("Mailbox", mailboxId);
    const queue = new EventQueue<MailboxEvent>();
    const replaying = options.sinceState !== undefined;
    let waiting: MailboxEvent[] | null = replaying ? [] : null;
    const replayed = new Set<number>();
    queue.onClose(
      await this.events.subscribeMailbox(
        box.id,
        (e) => {
          if (waiting) waiting.push(e);
          else if (!replayed.has(e.modseq)) queue.push(e);
        },
        () => queue.fail(busLost()),
      ),
    );
    await this.endOnRevocation(userId, options.token ?? null, queue);
    if (options.sinceState === undefined) return queue;
    try {
      for (const e of await this.replay(p, box.id, options.sinceState)) {
        replayed.add(e.modseq);
        queue.push(e);
      }
    } catch (err) {
      await queue.return();
      throw err;
    }
    const live = waiting ?? [];
    waiting = null;
    for (const e of live) if (!replayed.has(e.modseq)) queue.push(e);
    return queue;
  }

  /** The account's counters and state after each change. */
  async account(p: Principal, options: Pick<WatchOptions, "token"> = {}): Promise<Watch<AccountEvent>> {
    const userId = requireUser(p);
    if (!(await this.store.users.get(userId))) throw notFound("User", userId);
    const queue = new EventQueue<AccountEvent>();
    queue.onClose(
      await this.events.subscribeAccount(
        userId,
        (e) => queue.push(e),
        () => queue.fail(busLost()),
      ),
    );
    await this.endOnRevocation(userId, options.token ?? null, queue);
    return queue;
  }

  /**
   * Each change of state of the user's outbound queue entries (the admin names the user). A user's watch ends
   * when its token is logged out, as the others do.
   */
  async outbox(
    p: Principal,
    options: { token?: string | null; userId?: string } = {},
  ): Promise<Watch<OutboxEntry>> {
    const userId = requireUser(p, options.userId);
    if (!this.outboxes) throw new Error("This core has no outbound queue to watch.");
    const queue = new EventQueue<OutboxEntry>();
    queue.onClose(
      await this.outboxes.watch(
        p,
        (e) => queue.push(e),
        userId,
        () => queue.fail(busLost()),
      ),
    );
    if (p.kind === "user") await this.endOnRevocation(userId, options.token ?? null, queue);
    return queue;
  }

  /**
   * The journal of one mailbox after a state, as the events a live watcher saw. An exists or flags entry carries
   * the message's flags as they are now (null when it is gone): a later change is replayed too, so it converges.
   */
  private async replay(p: Principal, mailboxId: string, since: number): Promise<MailboxEvent[]> {
    const userId = requireUser(p);
    const entries = await this.changes.mailboxSince(p, mailboxId, since);
    const withFlags = [
      ...new Set(entries.filter((e) => e.kind === "exists" || e.kind === "flags").map((e) => e.messageId!)),
    ];
    const flagsOf = new Map(
      (withFlags.length > 0 ? await this.store.messages.getMany(userId, withFlags) : []).map((m) => [
        m.id,
        m.flags,
      ]),
    );
    return entries.map((e) => ({
      kind: e.kind,
      userId: e.userId,
      mailboxId: e.mailboxId,
      messageId: e.messageId,
      uid: e.uid,
      modseq: e.modseq,
      flags: e.kind === "exists" || e.kind === "flags" ? (flagsOf.get(e.messageId!) ?? null) : null,
    }));
  }

  private async endOnRevocation<T>(
    userId: string,
    token: string | null,
    queue: EventQueue<T>,
  ): Promise<void> {
    queue.onClose(
      await this.events.subscribeRevocations(
        userId,
        (e) => {
          if (this.auth.isRevoked(token, e)) void queue.return();
        },
        () => queue.fail(busLost()),
      ),
    );
  }
}

/**
 * The bus dropped the watch's subscription, so events may have been missed: the watcher is told with a temporary
 * code and watches again from the last state it saw.
 */
function busLost(): DomainError {
  return new DomainError(
    "BUS_UNAVAILABLE",
    "Live updates were interrupted; watch again from your last state.",
  );
}

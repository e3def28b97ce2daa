// Duplicate suppression: the same Message-ID delivered twice into one mailbox within the window is stored once.
import { createHash } from "node:crypto";
import { BusUnavailableError } from "../../bus/errors.js";
import type { Bus, Lock } from "../../bus/ports.js";
import type { DeliveredIdRecord, Store } from "../../storage/ports.js";
import type { StoredCopy } from "../delivery.js";

export interface DuplicateOptions {
  /** How long a delivered Message-ID suppresses another copy into the same mailbox; 0 turns suppression off. */
  windowMs: number;
  /** The clock (tests move it past the window). */
  now?: () => Date;
  /** Told when the bus cannot lock and a delivery goes on without it. */
  onBusUnavailable?: (err: unknown) => void;
}

/**
 * What became of one copy: stored (or failed) by `storeCopy`, or not stored because of an earlier delivery. The
 * caller must call `settle` once it has the copy's result: it records the stored copy's Message-ID and releases the
 * key, so a caller may issue it together with its own writes (the delivery log) and share their commit.
 */
export type GuardedCopy<T> = ({ copy: T } | { duplicateOf: DeliveredIdRecord }) & {
  settle: () => Promise<void>;
};

const SETTLED = () => Promise.resolve();

/**
 * The holder of a Message-ID's lock keeps it for at most a store's time; a process that dies holding it frees the
 * key after this, so a retry of its delivery is then stored.
 */
const LOCK_TTL_MS = 120_000;
/** How long a second delivery waits for the first one's store before it answers "try again later". */
const LOCK_WAIT_MS = 30_000;
const LOCK_POLL_FIRST_MS = 2;
const LOCK_POLL_MAX_MS = 100;

/**
 * The store's delivered-ids table is the durable truth: an entry (mailbox, Message-ID) is written only after its
 * copy is committed, so a copy that failed to store, or a delivery that died before its commit, suppresses
 * nothing and its retry is stored. A bus lock per (mailbox, Message-ID) makes a concurrent second delivery (another
 * LMTP connection, another process) wait for the first and then find its entry. A crash between a commit and its
 * entry errs on the side of keeping mail: the retry stores a second copy. So does a bus that cannot answer: the
 * delivery goes on unlocked (only a concurrent duplicate could then be stored twice) rather than being deferred.
 */
export class DuplicateGuard {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly options: DuplicateOptions,
  ) {}

  get enabled(): boolean {
    return this.options.windowMs > 0;
  }

  /**
   * Runs `storeCopy` unless `messageIdHeader` was delivered into the mailbox within the window. A message without a
   * Message-ID is never suppressed. `storeCopy` reports the stored copy in `stored`, or none when it failed.
   */
  async storeOnce<T extends { stored?: StoredCopy }>(
    userId: string,
    mailboxId: string,
    messageIdHeader: string | null,
    storeCopy: () => Promise<T>,
  ): Promise<GuardedCopy<T>> {
    const messageId = messageIdHeader?.trim();
    if (!this.enabled || !messageId) return { copy: await storeCopy(), settle: SETTLED };
    const lock = await this.lock(mailboxId, messageId);
    const release = () => lock.release();
    try {
      const now = this.now();
      const earlier = await this.store.deliveredIds.find(userId, mailboxId, messageId);
      if (earlier && earlier.at.getTime() > now.getTime() - this.options.windowMs)
        return { duplicateOf: earlier, settle: release };
      const copy = await storeCopy();
      const { stored } = copy;
      if (!stored) return { copy, settle: release };
      const record = {
        userId,
        mailboxId,
        messageIdHeader: messageId,
        messageId: stored.messageId,
        uid: stored.uid,
        at: now,
      };
      // The key stays locked until the entry is written: a concurrent delivery must find it.
      return { copy, settle: () => this.store.deliveredIds.record(record).finally(release) };
    } catch (err) {
      await release();
      throw err;
    }
  }

  /** Drops entries older than the window (they suppress nothing any more). */
  async prune(now: Date): Promise<number> {
    return this.store.deliveredIds.prune(new Date(now.getTime() - this.options.windowMs));
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private async lock(mailboxId: string, messageId: string): Promise<Lock> {
    const key = `delivered-id:${mailboxId}:${createHash("sha256").update(messageId).digest("hex").slice(0, 32)}`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let pause = LOCK_POLL_FIRST_MS; ; pause = Math.min(pause * 2, LOCK_POLL_MAX_MS)) {
      let lock: Lock | null;
      try {
        lock = await this.bus.tryLock(key, LOCK_TTL_MS);
      } catch (err) {
        if (!(err instanceof BusUnavailableError)) throw err;
        this.options.onBusUnavailable?.(err);
        return { key, release: async () => {} };
      }
      if (lock) return lock;
      if (Date.now() >= deadline)
        throw new Error(
          `Another delivery of Message-ID ${messageId} into mailbox ${mailboxId} has not finished in ${LOCK_WAIT_MS} ms.`,
        );
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

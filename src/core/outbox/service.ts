// The outbound queue as the core's service: durable entries (held, queued, deferred, then sent, bounced or
// cancelled), read by their owner and the admin, cancelled while not yet sent, and worked by a runner in every
// process that starts one (claims keep two runners off one entry).
import type { Bus, BusMessage } from "../../bus/ports.js";
import type { OutboxRecipientRecord, OutboxRecord, Store } from "../../storage/ports.js";
import type { RecipientResult } from "../delivery.js";
import { invalidInput, notFound } from "../errors.js";
import { OUTBOX_WAKE_CHANNEL, outboxChannel } from "../events.js";
import type { CoreLimits } from "../limits.js";
import type { BackgroundLog } from "../outbound.js";
import { requireUser, type Principal } from "../principal.js";
import { SYSTEM_CLOCK, type OutboxClock } from "./clock.js";
import { entryFromMessage, newEntryId, toEntry } from "./entries.js";
import { DEFAULT_RETRY, type RetrySchedule } from "./retry.js";
import { finalState, OutboxRunner } from "./runner.js";
import type {
  EnqueueArgs,
  OutboundTransport,
  OutboxEntry,
  OutboxListOptions,
  OutboxService,
  Releaser,
} from "./types.js";

export interface OutboxOptions {
  /** The way out; null: entries are kept, and `start()` runs no runner (nothing could be sent). */
  transport: OutboundTransport | null;
  /** Releases a held entry (the submission service: sign, Sent copy, local recipients); default: as queued. */
  release?: Releaser;
  /** The delivery pipeline for bounces to local senders (null reverse-path). */
  deliverLocal(args: { recipients: string[]; raw: Buffer }): Promise<RecipientResult[]>;
  /** This server's name in bounces. */
  hostname: string;
  retry?: RetrySchedule;
  /** How long a claim holds an entry; default 15 minutes (past any one attempt's timeouts). */
  leaseMs?: number;
  /** Entries one runner works on at once; default 4. */
  concurrency?: number;
  /** Finished entries are kept this long; default 30 days. */
  retentionMs?: number;
  clock?: OutboxClock;
  log: BackgroundLog;
  limits: Pick<CoreLimits, "maxPageSize">;
}

const DEFAULT_LEASE_MS = 15 * 60_000;
const DEFAULT_CONCURRENCY = 4;
const DEFAULT_RETENTION_MS = 30 * 86_400_000;
/** How long a cancel holds the entry it is cancelling (a few store round trips). */
const CANCEL_LEASE_MS = 60_000;

/** Without a submission service: a held entry is sent as it was queued, every recipient remote. */
const AS_QUEUED: Releaser = async (entry, raw) => ({
  raw,
  recipients: entry.recipients.map((r) => ({ address: r.address })),
  sentCopyId: entry.sentCopyId,
});

export class OutboxQueue implements OutboxService {
  readonly #clock: OutboxClock;
  #runner: OutboxRunner | null = null;
  #unsubscribeWake: Promise<(() => Promise<void>) | null> | null = null;

  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly options: OutboxOptions,
  ) {
    this.#clock = options.clock ?? SYSTEM_CLOCK;
  }

  async enqueue(args: EnqueueArgs): Promise<OutboxEntry> {
    if (args.recipients.length === 0) throw invalidInput("A queued message needs at least one recipient.");
    const now = this.#clock.now();
    const held = args.releaseAt !== undefined && args.releaseAt > now;
    const releaseAt = held ? args.releaseAt! : now;
    // Held: release decides who is local; every recipient waits for it.
    const recipients: OutboxRecipientRecord[] = args.recipients.map((x) => {
      const state = held ? "pending" : (x.state ?? "pending");
      return {
        address: x.address,
        state,
        response: held ? null : (x.response ?? null),
        attempts: state === "pending" ? 0 : 1,
        updatedAt: now,
      };
    });
    const open = held || recipients.some((x) => x.state === "pending");
    const record: OutboxRecord = {
      id: newEntryId(),
      userId: args.userId,
      mailFrom: args.mailFrom,
      recipients,
      state: held ? "held" : open ? "queued" : finalState(recipients),
      subject: args.subject,
      messageIdHeader: args.messageIdHeader,
      size: args.raw.length,
      createdAt: now,
      releaseAt,
      nextAttemptAt: open && !held ? now : null,
      lastResponse: null,
      sentCopyId: args.sentCopyId ?? null,
      draftId: args.draftId ?? null,
      updatedAt: now,
      dueAt: open ? releaseAt : null,
      finishedAt: open ? null : now,
      claim: 0,
      leaseOwner: null,
      leaseUntil: null,
    };
    await this.store.outbox.add(record, args.raw);
    await this.#changed(record);
    if (open) await this.#wakeRunners();
    return toEntry(record);
  }

  async list(p: Principal, options: OutboxListOptions, userId?: string): Promise<OutboxEntry[]> {
    const owner = requireUser(p, userId);
    const { first } = options;
    const max = this.options.limits.maxPageSize;
    if (!Number.isInteger(first) || first < 1 || first > max)
      throw invalidInput(`Page size ${first} must be 1 to ${max}.`);
    const rows = await this.store.outbox.list(owner, {
      states: options.states,
      limit: first,
      after: options.after,
    });
    return rows.map(toEntry);
  }

  async get(p: Principal, id: string): Promise<OutboxEntry> {
    return toEntry(await this.#read(p, id));
  }

  async cancel(p: Principal, id: string): Promise<{ entry: OutboxEntry; heldRaw: Buffer | null }> {
    const before = await this.#read(p, id);
    const now = this.#clock.now();
    const claimed = await this.store.outbox.claim(id, {
      owner: `cancel-${this.#runner?.owner ?? process.pid}`,
      now,
      until: new Date(now.getTime() + CANCEL_LEASE_MS),
    });
    if (!claimed) throw this.#notCancellable((await this.store.outbox.get(id)) ?? before);
    const heldRaw = claimed.state === "held" ? await this.store.outbox.readRaw(id) : null;
    const recipients = claimed.recipients.map((x): OutboxRecipientRecord =>
      x.state === "pending" || x.state === "deferred"
        ? { ...x, state: "cancelled", response: "Cancelled by the sender.", updatedAt: now }
        : x,
    );
    const settled = await this.store.outbox.settle(id, claimed.claim, {
      state: "cancelled",
      recipients,
      nextAttemptAt: null,
      dueAt: null,
      finishedAt: now,
      updatedAt: now,
    });
    if (!settled) throw this.#notCancellable(claimed);
    await this.#changed(settled);
    return { entry: toEntry(settled), heldRaw };
  }

  async watch(
    p: Principal,
    onChange: (entry: OutboxEntry) => void,
    userId?: string,
    onLost?: (error: Error) => void,
  ): Promise<() => Promise<void>> {
    const owner = requireUser(p, userId);
    return this.bus.subscribe(
      outboxChannel(owner),
      (m) => {
        const entry = entryFromMessage(m);
        if (entry.userId === owner) onChange(entry);
      },
      onLost,
    );
  }

  start(): void {
    if (this.#runner) return;
    const { transport } = this.options;
    if (!transport) {
      this.options.log.warn({}, "outbox: no outbound transport is configured; queued mail stays queued");
      return;
    }
    const runner = new OutboxRunner(this.store, {
      transport,
      release: this.options.release ?? AS_QUEUED,
      deliverLocal: this.options.deliverLocal,
      queueBounce: async ({ userId, to, raw }) => {
        await this.enqueue({
          userId,
          mailFrom: "",
          recipients: [{ address: to }],
          raw,
          subject: "Undelivered Mail Returned to Sender",
          messageIdHeader: null,
        });
      },
      changed: (r) => this.#changed(r),
      hostname: this.options.hostname,
      retry: this.options.retry ?? DEFAULT_RETRY,
      leaseMs: this.options.leaseMs ?? DEFAULT_LEASE_MS,
      concurrency: this.options.concurrency ?? DEFAULT_CONCURRENCY,
      retentionMs: this.options.retentionMs ?? DEFAULT_RETENTION_MS,
      clock: this.#clock,
      log: this.options.log,
    });
    this.#runner = runner;
    // An enqueue in another process (an API-only one, the submission sidecar's) wakes this runner at once.
    this.#unsubscribeWake = this.bus
      .subscribe(OUTBOX_WAKE_CHANNEL, () => runner.wake())
      .catch((err) => {
        this.options.log.warn(
          { err },
          "outbox: cannot listen for enqueues of other processes; the timer still runs",
        );
        return null;
      });
    runner.wake();
  }

  async stop(): Promise<void> {
    const runner = this.#runner;
    if (!runner) return;
    const unsubscribe = await this.#unsubscribeWake;
    await unsubscribe?.().catch(() => undefined);
    await runner.stop();
  }

  /** The entry, when the principal may see it: its owner, or the admin. */
  async #read(p: Principal, id: string): Promise<OutboxRecord> {
    const viewer = p.kind === "admin" ? null : requireUser(p);
    const r = await this.store.outbox.get(id);
    if (!r || (viewer !== null && r.userId !== viewer)) throw notFound("Queue entry", id);
    return r;
  }

  #notCancellable(r: OutboxRecord) {
    if (r.dueAt === null)
      return invalidInput(`Queue entry "${r.id}" is already ${r.state}, so it can no longer be cancelled.`);
    return invalidInput(`Queue entry "${r.id}" is being sent right now, so it can no longer be cancelled.`);
  }

  /** After a committed change: the entry to its owner's watchers. A lost notice never fails the change. */
  async #changed(r: OutboxRecord): Promise<void> {
    try {
      await this.bus.publish(outboxChannel(r.userId), toEntry(r) as unknown as BusMessage);
    } catch (err) {
      this.options.log.warn({ err, outboxId: r.id }, "outbox: change notice not published");
    }
  }

  async #wakeRunners(): Promise<void> {
    this.#runner?.wake();
    try {
      await this.bus.publish(OUTBOX_WAKE_CHANNEL, {});
    } catch (err) {
      this.options.log.warn(
        { err },
        "outbox: other processes' runners not woken; they find the entry when they next wake",
      );
    }
  }
}

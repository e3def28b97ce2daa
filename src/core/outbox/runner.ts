// The queue runner: one timer set to the next due time, woken early by an enqueue (in any process, through the
// bus). It claims each due entry under a lease, releases a held one through the Releaser, sends the remote
// recipients through the transport one SMTP transaction per domain, records each recipient's answer, schedules
// the next attempt of the deferred ones, and reports the bounced ones to the sender (a DSN).
import { randomBytes } from "node:crypto";
import type { OutboxRecipientRecord, OutboxRecord, OutboxRecordState, Store } from "../../storage/ports.js";
import type { RecipientResult } from "../delivery.js";
import type { BackgroundLog } from "../outbound.js";
import type { OutboxClock } from "./clock.js";
import { buildDsn, type BouncedRecipient } from "./dsn.js";
import { toEntry } from "./entries.js";
import { nextAttemptAt, type RetrySchedule } from "./retry.js";
import type { OutboundTransport, Releaser, TransportResult } from "./types.js";

export interface RunnerOptions {
  transport: OutboundTransport;
  release: Releaser;
  /** Delivers a bounce to a local sender's INBOX (the delivery pipeline, null reverse-path). */
  deliverLocal(args: { recipients: string[]; raw: Buffer }): Promise<RecipientResult[]>;
  /** Queues a bounce for a sender that is not on this server. */
  queueBounce(args: { userId: string; to: string; raw: Buffer }): Promise<void>;
  /** Told after each change of an entry (the event for watchers). */
  changed(record: OutboxRecord): Promise<void>;
  hostname: string;
  retry: RetrySchedule;
  /** How long a claim holds an entry: longer than any one attempt can take. */
  leaseMs: number;
  /** Entries worked on at once by this runner. */
  concurrency: number;
  /** Finished entries are pruned this long after they finished. */
  retentionMs: number;
  clock: OutboxClock;
  log: BackgroundLog;
}

/** How often finished entries past their retention are pruned. */
const PRUNE_INTERVAL_MS = 3600_000;

export class OutboxRunner {
  /** Who claims: unique per runner, so a lease names the process that holds it. */
  readonly owner = `${process.pid}-${randomBytes(6).toString("hex")}`;
  readonly #working = new Map<string, Promise<void>>();
  #cancelTimer: (() => void) | null = null;
  #pumping = false;
  #again = false;
  #stopped = false;
  #lastPrune = 0;

  constructor(
    private readonly store: Store,
    private readonly options: RunnerOptions,
  ) {}

  /** Looks for due work now (an enqueue, a wake from another process, the timer). */
  wake(): void {
    if (this.#stopped) return;
    void this.#pump();
  }

  /** Stops claiming and waits for the attempts under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancelTimer?.();
    this.#cancelTimer = null;
    while (this.#working.size > 0) await Promise.all(this.#working.values());
  }

  async #pump(): Promise<void> {
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        await this.#claimDue();
      } while (this.#again && !this.#stopped);
      await this.#prune();
      if (!this.#stopped) await this.#setTimer();
    } catch (err) {
      this.options.log.error({ err }, "outbox: looking for due entries failed");
      if (!this.#stopped) this.#retryLater();
    } finally {
      this.#pumping = false;
    }
  }

  /** Starts work on due entries up to the concurrency; a finished one pumps again. */
  async #claimDue(): Promise<void> {
    const { concurrency, clock } = this.options;
    while (!this.#stopped && this.#working.size < concurrency) {
      const due = (await this.store.outbox.due(clock.now(), concurrency * 2)).filter(
        (r) => !this.#working.has(r.id),
      );
      if (due.length === 0) return;
      let started = 0;
      for (const r of due) {
        if (this.#working.size >= concurrency || this.#stopped) break;
        const claimed = await this.#claim(r.id);
        if (!claimed) continue; // another runner took it
        started++;
        const work = this.#work(claimed).finally(() => {
          this.#working.delete(claimed.id);
          this.wake();
        });
        this.#working.set(claimed.id, work);
      }
      if (started === 0) return;
    }
  }

  #claim(id: string): Promise<OutboxRecord | null> {
    const now = this.options.clock.now();
    return this.store.outbox.claim(id, {
      owner: this.owner,
      now,
      until: new Date(now.getTime() + this.options.leaseMs),
      dueBy: now,
    });
  }

  async #setTimer(): Promise<void> {
    this.#cancelTimer?.();
    this.#cancelTimer = null;
    const next = await this.store.outbox.nextDueAt();
    if (!next || this.#stopped) return;
    // Due now but every slot is busy: a finishing entry pumps again, no timer needed.
    if (next <= this.options.clock.now() && this.#working.size >= this.options.concurrency) return;
    this.#cancelTimer = this.options.clock.timer(next, () => this.wake());
  }

  /** After a store failure: look again after the first retry pause rather than spin. */
  #retryLater(): void {
    this.#cancelTimer?.();
    const at = new Date(this.options.clock.now().getTime() + this.options.retry.delaysMs[0]);
    this.#cancelTimer = this.options.clock.timer(at, () => this.wake());
  }

  async #prune(): Promise<void> {
    const now = this.options.clock.now().getTime();
    if (now - this.#lastPrune < PRUNE_INTERVAL_MS) return;
    this.#lastPrune = now;
    const pruned = await this.store.outbox.prune(new Date(now - this.options.retentionMs));
    if (pruned > 0) this.options.log.info({ pruned }, "outbox: finished entries pruned");
  }

  async #work(r: OutboxRecord): Promise<void> {
    const stopRenewing = this.#renewWhileWorking(r);
    try {
      const raw = await this.store.outbox.readRaw(r.id);
      if (!raw) return; // removed with its user meanwhile
      if (r.state === "held") await this.#release(r, raw);
      else await this.#attempt(r, raw);
    } catch (err) {
      // The store failed mid-way: the lease runs out and the entry is tried again then.
      this.options.log.error({ err, outboxId: r.id }, "outbox: an attempt failed");
    } finally {
      stopRenewing();
    }
  }

  /**
   * Keeps the lease ahead of a long attempt (a large message to a slow server): every third of the lease it is
   * moved a whole lease on, so only a dead process's lease runs out. Returns what stops it.
   */
  #renewWhileWorking(r: OutboxRecord): () => void {
    const { clock, leaseMs } = this.options;
    let cancel = () => {};
    let working = true;
    const schedule = () => {
      cancel = clock.timer(new Date(clock.now().getTime() + leaseMs / 3), () => {
        const until = new Date(clock.now().getTime() + leaseMs);
        this.store.outbox.renew(r.id, r.claim, until).then(
          (held) => {
            if (held && working) schedule();
          },
          (err: unknown) => {
            this.options.log.warn({ err, outboxId: r.id }, "outbox: the lease could not be renewed");
            if (working) schedule();
          },
        );
      });
    };
    schedule();
    return () => {
      working = false;
      cancel();
    };
  }

  /** A held entry's time came: the Releaser signs it, stores the Sent copy and delivers the local recipients. */
  async #release(r: OutboxRecord, unsigned: Buffer): Promise<void> {
    const now = this.options.clock.now();
    let outcome;
    try {
      outcome = await this.options.release(toEntry(r), unsigned);
    } catch (err) {
      // Held until it can be released: tried again after a pause (a store or bus outage, say).
      const delays = this.options.retry.delaysMs;
      const dueAt = new Date(now.getTime() + delays[Math.min(r.claim, delays.length) - 1]);
      this.options.log.error({ err, outboxId: r.id }, "outbox: releasing a held message failed");
      await this.#settle(r, {
        dueAt,
        lastResponse: `Release failed: ${(err as Error).message}`,
        updatedAt: now,
      });
      return;
    }
    const recipients: OutboxRecipientRecord[] = outcome.recipients.map((x) => ({
      address: x.address,
      state: x.state ?? "pending",
      response: x.response ?? null,
      attempts: x.state && x.state !== "pending" ? 1 : 0,
      updatedAt: now,
    }));
    const pending = recipients.some((x) => x.state === "pending");
    const settled = await this.#settle(
      r,
      {
        recipients,
        state: pending ? "queued" : finalState(recipients),
        size: outcome.raw.length,
        sentCopyId: outcome.sentCopyId,
        nextAttemptAt: pending ? now : null,
        dueAt: pending ? now : null,
        finishedAt: pending ? null : now,
        updatedAt: now,
      },
      outcome.raw,
    );
    const bounced = recipients.filter((x) => x.state === "bounced");
    if (settled && bounced.length > 0)
      await this.#bounce(
        settled,
        outcome.raw,
        bounced.map((x) => ({ address: x.address, response: x.response ?? "refused", expired: false })),
      );
  }

  /** One attempt at every recipient not yet settled: one transaction per domain, all domains at once. */
  async #attempt(r: OutboxRecord, raw: Buffer): Promise<void> {
    const targets = r.recipients.filter((x) => x.state === "pending" || x.state === "deferred");
    const byDomain = new Map<string, string[]>();
    for (const x of targets) {
      const domain = x.address.slice(x.address.lastIndexOf("@") + 1).toLowerCase();
      byDomain.set(domain, [...(byDomain.get(domain) ?? []), x.address]);
    }
    const results = await Promise.all(
      [...byDomain.values()].map((group) => this.#deliver(r.mailFrom, group, raw)),
    );
    const answers = new Map<string, { response: string; outcome: "sent" | "bounced" | "deferred" }>();
    for (const res of results) {
      for (const a of res.accepted) answers.set(a.recipient, { response: a.response, outcome: "sent" });
      for (const f of res.refused)
        answers.set(f.recipient, { response: f.response, outcome: f.permanent ? "bounced" : "deferred" });
    }
    const now = this.options.clock.now();
    const attempt = Math.max(0, ...targets.map((x) => x.attempts)) + 1;
    const next = nextAttemptAt(this.options.retry, r.releaseAt, attempt, now);
    const bounced: BouncedRecipient[] = [];
    let lastResponse: string | null = null;
    const recipients = r.recipients.map((x): OutboxRecipientRecord => {
      if (x.state !== "pending" && x.state !== "deferred") return x;
      const answer = answers.get(x.address) ?? {
        response: `${this.options.transport.name} gave no answer for this recipient`,
        outcome: "deferred" as const,
      };
      let state = answer.outcome;
      if (state === "deferred" && next === null) state = "bounced";
      if (state === "bounced")
        bounced.push({
          address: x.address,
          response: answer.response,
          expired: answer.outcome === "deferred",
        });
      if (state !== "sent" || lastResponse === null) lastResponse = answer.response;
      return { ...x, state, response: answer.response, attempts: x.attempts + 1, updatedAt: now };
    });
    const deferred = recipients.some((x) => x.state === "deferred");
    const settled = await this.#settle(r, {
      recipients,
      state: deferred ? "deferred" : finalState(recipients),
      nextAttemptAt: deferred ? next : null,
      dueAt: deferred ? next : null,
      finishedAt: deferred ? null : now,
      lastResponse,
      updatedAt: now,
    });
    if (settled && bounced.length > 0) await this.#bounce(settled, raw, bounced);
  }

  /** The transport never throws by contract; if it does anyway, every recipient is refused for now. */
  async #deliver(mailFrom: string, recipients: string[], raw: Buffer): Promise<TransportResult> {
    try {
      return await this.options.transport.deliver({ mailFrom, recipients, raw });
    } catch (err) {
      const response = (err as Error).message || String(err);
      return {
        accepted: [],
        refused: recipients.map((recipient) => ({ recipient, response, permanent: false })),
      };
    }
  }

  async #settle(
    r: OutboxRecord,
    patch: Parameters<Store["outbox"]["settle"]>[2],
    raw?: Buffer,
  ): Promise<OutboxRecord | null> {
    const settled = await this.store.outbox.settle(r.id, r.claim, patch, raw);
    if (!settled) {
      // Our lease ran out and another runner took the entry: it does the work again (at least once).
      this.options.log.warn({ outboxId: r.id }, "outbox: lease lost before the attempt was recorded");
      return null;
    }
    await this.options.changed(settled);
    return settled;
  }

  /** The DSN: to the sender's INBOX when the sender is on this server, else queued to it. Never for a bounce. */
  async #bounce(r: OutboxRecord, raw: Buffer, bounced: BouncedRecipient[]): Promise<void> {
    if (r.mailFrom === "") return; // RFC 5321 §4.5.5: a message with the null reverse-path is never bounced
    try {
      const dsn = buildDsn({
        hostname: this.options.hostname,
        to: r.mailFrom,
        original: raw,
        originalMessageId: r.messageIdHeader,
        arrivalDate: r.createdAt,
        recipients: bounced,
        date: this.options.clock.now(),
      });
      const [result] = await this.options.deliverLocal({ recipients: [r.mailFrom], raw: dsn });
      if (result?.status === "unknown" || result?.status === "invalid") {
        await this.options.queueBounce({ userId: r.userId, to: r.mailFrom, raw: dsn });
      } else if (result?.status !== "stored") {
        this.options.log.warn(
          { outboxId: r.id, status: result?.status, detail: result?.message },
          "outbox: the bounce could not be delivered to the sender",
        );
      }
    } catch (err) {
      this.options.log.error(
        { err, outboxId: r.id },
        "outbox: the bounce could not be delivered to the sender",
      );
    }
  }
}

/** A finished entry: sent when any recipient got it, bounced when none did, cancelled when all were cancelled. */
export function finalState(recipients: OutboxRecipientRecord[]): OutboxRecordState {
  if (recipients.some((x) => x.state === "sent")) return "sent";
  if (recipients.some((x) => x.state === "bounced")) return "bounced";
  return "cancelled";
}

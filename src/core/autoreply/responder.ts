// The replies themselves: for each copy delivery stored, RFC 3834's rules, the once-per-period claim, the reply
// composed and handed to the outbound port, retried with doubling pauses when refused. The work runs in the
// background, after the copy is durably stored and while delivery answers, so it never delays or fails one.
import type { HeaderField, ParsedHeaders, ParsedMessage } from "../../mime/index.js";
import type { Store } from "../../storage/ports.js";
import type { BackgroundLog, OutboundPort } from "../outbound.js";
import { composeReply } from "./composer.js";
import { decideReply, isActive, senderKey, type SkipReason } from "./rules.js";

export interface ResponderOptions {
  /** A sender is answered at most once in this long. */
  periodMs: number;
  /** Tries per reply, the first included. */
  sendAttempts: number;
  /** The pause before the first retry; each later one waits twice as long as the one before. */
  retryDelayMs: number;
  /** Null when the server has no way to send: replies are then logged as not sent. */
  outbound: OutboundPort | null;
  log: BackgroundLog;
  /** Replies worked on at once; past this a delivery's reply is dropped and logged (a flood holds no memory). */
  maxPending?: number;
  /** How long closing waits for replies under way (default 5 s). */
  closeWaitMs?: number;
}

/** What delivery hands over for each copy it stored. */
export interface DeliveredCopy {
  userId: string;
  /** Routed to Junk (the spam verdict, or a filter): never answered. */
  junk: boolean;
  /** The envelope sender; "" for the null reverse-path. */
  mailFrom: string;
  parsed: ParsedMessage;
}

/** What is kept of a delivered copy while its reply is worked out: headers only, never the message's bytes. */
interface PendingReply {
  userId: string;
  junk: boolean;
  mailFrom: string;
  headers: ParsedHeaders;
  headerFields: HeaderField[];
}

const DEFAULT_MAX_PENDING = 1000;
const CLOSE_WAIT_MS = 5000;

export class AutoreplyResponder {
  readonly #pending = new Set<Promise<void>>();
  readonly #closing = new AbortController();

  constructor(
    private readonly store: Store,
    private readonly options: ResponderOptions,
  ) {}

  /** Whether replies can leave at all (an outbound port is configured). */
  get canSend(): boolean {
    return this.options.outbound !== null;
  }

  /** Delivery calls this once a copy is durably stored. Returns at once; never throws. */
  afterDelivery(copy: DeliveredCopy): void {
    if (this.#closing.signal.aborted) return;
    const { log } = this.options;
    if (this.#pending.size >= (this.options.maxPending ?? DEFAULT_MAX_PENDING)) {
      log.warn({ userId: copy.userId }, "autoreply not considered: too many replies under way");
      return;
    }
    const pending: PendingReply = {
      userId: copy.userId,
      junk: copy.junk,
      mailFrom: copy.mailFrom,
      headers: copy.parsed.headers,
      headerFields: copy.parsed.headerFields,
    };
    const job = this.answer(pending)
      .catch((err: unknown) => log.error({ err, userId: copy.userId }, "autoreply failed"))
      .finally(() => this.#pending.delete(job));
    this.#pending.add(job);
  }

  /** Resolves when every reply under way has been sent, skipped or given up (shutdown; tests wait on it). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /**
   * Stops taking new work and cuts retry pauses short (those replies are given up), then waits for what is under
   * way, at most `closeWaitMs` (a relay that hangs must not hold the shutdown up), and closes the port.
   */
  async close(): Promise<void> {
    this.#closing.abort();
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      this.idle().then(() => true),
      new Promise<false>(
        (resolve) => (timer = setTimeout(() => resolve(false), this.options.closeWaitMs ?? CLOSE_WAIT_MS)),
      ),
    ]);
    clearTimeout(timer);
    if (!waited)
      this.options.log.warn(
        { replies: this.#pending.size },
        "autoreplies still under way at shutdown are abandoned",
      );
    await this.options.outbound?.close();
  }

  private async answer(m: PendingReply): Promise<void> {
    const now = new Date();
    const setting = await this.store.autoreplies.get(m.userId);
    if (!setting || !isActive(setting, now)) return;
    // Spam is never answered: a copy routed to Junk (by the spam verdict or a filter) gets no reply.
    if (m.junk) return this.skipped(m, "junk");
    const addresses = await this.store.addresses.listForUser(m.userId);
    const decision = decideReply({
      mailFrom: m.mailFrom,
      headers: m.headers,
      headerFields: m.headerFields,
      userAddresses: addresses,
    });
    if (!decision.reply) return this.skipped(m, decision.reason);
    const { outbound, log } = this.options;
    if (!outbound) {
      log.info(
        { userId: m.userId, to: m.mailFrom },
        "autoreply not sent: no outbound relay is configured ([outbound] relay)",
      );
      return;
    }
    const sender = senderKey(m.mailFrom);
    const notBefore = new Date(now.getTime() - this.options.periodMs);
    if (!(await this.store.autoreplies.claimReply(m.userId, sender, now, notBefore)))
      return this.skipped(m, "answered-recently");
    const to = m.mailFrom.trim();
    const raw = await composeReply({ setting, from: decision.from, to, original: m.headers, date: now });
    for (let attempt = 1; ; attempt++) {
      try {
        // The null reverse-path: nothing may answer an automatic reply (RFC 3834 §3.3, RFC 5321 §4.5.5).
        await outbound.send({ from: "", to: [to], raw });
        log.info({ userId: m.userId, to, from: decision.from }, "autoreply sent");
        return;
      } catch (err) {
        if (attempt >= this.options.sendAttempts || this.#closing.signal.aborted) {
          log.error({ err, userId: m.userId, to, attempts: attempt }, "autoreply not sent: giving up");
          // The sender never got it, so its next message may be answered.
          await this.store.autoreplies.releaseReply(m.userId, sender, now);
          return;
        }
        log.warn({ err, userId: m.userId, to, attempt }, "autoreply not sent; will retry");
        await pause(this.options.retryDelayMs * 2 ** (attempt - 1), this.#closing.signal);
      }
    }
  }

  private skipped(m: PendingReply, reason: SkipReason | "junk" | "answered-recently"): void {
    this.options.log.info({ userId: m.userId, from: m.mailFrom, reason }, "autoreply skipped");
  }
}

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

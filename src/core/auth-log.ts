// The auth log: every password check (success, failure, refused by a limit) with when, the name as typed, the
// account when known, the client's address, the protocol, the result and why. A user reads its own entries,
// the admin everybody's; the maintenance service prunes what is older than `[auth_log] retention_days`.
import type { Bus } from "../bus/ports.js";
import type { AuthLogRecord, Store } from "../storage/ports.js";
import { invalidInput } from "./errors.js";
import { newId } from "./ids.js";
import type { CoreLimits } from "./limits.js";
import { plainAddress } from "./networks.js";
import { requireUser, type Principal } from "./principal.js";

/** Who is asking for a password check: the client's address and the front end it came through. */
export interface AuthOrigin {
  ip: string;
  protocol: AuthProtocol;
}

export type AuthProtocol = "graphql" | "pop3" | "imap" | "submission";

export type AuthResult = AuthLogRecord["result"];

/** Why an attempt ended as it did. */
export type AuthReason =
  | "password" // success: the password was right
  | "password-changed" // success: changePassword proved the current password and set a new one
  | "wrong-password"
  | "unknown-user"
  | "account-disabled" // the password was right, the account is disabled
  | "user-limit" // refused unchecked: too many failures for this username
  | "ip-limit" // refused unchecked: too many failures from this client
  | "user-busy" // refused unchecked: too many checks of this username running at once
  | "ip-busy"; // refused unchecked: too many checks from this client running at once

export type AuthLogEntry = AuthLogRecord & { protocol: AuthProtocol; reason: AuthReason };

export interface AuthLogPage {
  entries: AuthLogEntry[];
  hasMore: boolean;
}

export interface AuthLogOptions {
  /**
   * Entries with no account behind them (unknown names) and refusals by the limits are what a flood is made
   * of, and need no password work to send: at most this many of them are kept per hour, across the
   * installation. Entries for a real account's checked password are always kept; the per-username limit
   * already bounds their failures. While an hour's allowance is spent, an unknown name's failure answers one
   * store write sooner than a real account's (its entry is dropped, the other written): a timing difference
   * only during a flood, and small beside the password hash's own spread.
   */
  floodEntriesPerHour: number;
  /** Called once an hour's flood allowance is spent, so the operator hears of it. */
  onFlood?: (kept: number) => void;
}

/** The longest username the log keeps (a POP3 line may carry far more). */
export const MAX_LOGGED_USERNAME_CHARS = 256;

const HOUR_MS = 3600_000;

export class AuthLogService {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly limits: CoreLimits,
    private readonly options: AuthLogOptions,
  ) {}

  /**
   * Writes one entry. `lookUp` finds the account of a refused attempt, asked only when the entry is kept.
   * Never throws: a log that cannot be written must not turn a login into an error; `onError` hears of it.
   */
  async record(
    origin: AuthOrigin,
    username: string,
    outcome: { result: AuthResult; reason: AuthReason; userId: string | null },
    onError: (err: unknown) => void,
    lookUp?: () => Promise<string | null>,
  ): Promise<void> {
    try {
      let userId = outcome.userId;
      if (userId === null || outcome.result === "limited") {
        const allowance = await this.bus.hit("auth-log-flood", this.options.floodEntriesPerHour, HOUR_MS);
        if (!allowance.allowed) {
          if (allowance.count === allowance.limit + 1) this.options.onFlood?.(allowance.limit);
          return;
        }
        userId ??= lookUp ? await lookUp() : null;
      } else if (outcome.result === "failure") {
        // The same bus round trip as an unknown name's failure, counted apart: a wrong password for a real
        // account must not answer sooner than one for a name that does not exist (names are not to be probed).
        await this.bus.hit("auth-log-attributed", Number.MAX_SAFE_INTEGER, HOUR_MS);
      }
      await this.store.authLog.append({
        id: newId(),
        at: new Date(),
        username: username.slice(0, MAX_LOGGED_USERNAME_CHARS),
        userId,
        ip: plainAddress(origin.ip),
        protocol: origin.protocol,
        result: outcome.result,
        reason: outcome.reason,
      });
    } catch (err) {
      onError(err);
    }
  }

  /**
   * Entries newest first. A user reads only its own (naming another user is FORBIDDEN); the admin reads all,
   * or one user's, or one address's.
   */
  async list(
    p: Principal,
    filter: { userId?: string; ip?: string },
    page: { first: number; after?: { at: Date; id: string } },
  ): Promise<AuthLogPage> {
    const userId = p.kind === "admin" ? filter.userId : requireUser(p, filter.userId);
    if (page.first < 1 || page.first > this.limits.maxPageSize)
      throw invalidInput(`first must be between 1 and ${this.limits.maxPageSize}; it was ${page.first}.`);
    const rows = await this.store.authLog.list(
      { userId, ip: filter.ip === undefined ? undefined : plainAddress(filter.ip), before: page.after },
      page.first + 1,
    );
    return { entries: rows.slice(0, page.first) as AuthLogEntry[], hasMore: rows.length > page.first };
  }
}

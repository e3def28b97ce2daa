import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Store } from "../storage/ports.js";
import type { AuthLogService, AuthOrigin, AuthReason, AuthResult } from "./auth-log.js";
import type { EventPublisher, RevocationEvent } from "./events.js";
import { DomainError } from "./errors.js";
import { ADMIN, ANONYMOUS, requireUser, type Principal } from "./principal.js";
import type { Credentials, PasswordCheck } from "./credentials.js";
import { isRefusal, type LoginLimiter, type LoginReservation } from "./login-limits.js";
import type { UserService } from "./users.js";

export interface AuthOptions {
  adminToken: string;
  sessionTtlMs: number;
  onAdminTokenUse?: () => void;
  /** Where a failure to write the auth log goes (it never fails the login itself). */
  onBackgroundError?: (err: unknown) => void;
}

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

const WRONG_CREDENTIALS = "The username or password is wrong.";

/** Bearer tokens: login issues one (stored only as its hash), logout revokes it, every request resolves one. */
export class AuthService {
  private readonly adminDigest: Buffer;

  constructor(
    private readonly store: Store,
    private readonly users: UserService,
    private readonly credentials: Credentials,
    private readonly limiter: LoginLimiter,
    private readonly log: AuthLogService,
    private readonly events: EventPublisher,
    private readonly options: AuthOptions,
  ) {
    this.adminDigest = createHash("sha256").update(options.adminToken).digest();
  }

  async login(
    username: string,
    password: string,
    origin: AuthOrigin,
  ): Promise<{ token: string; userId: string; expiresAt: Date }> {
    const user = await this.checkPassword(username, password, origin);
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(Date.now() + this.options.sessionTtlMs);
    await this.store.sessions.create({
      tokenHash: hashToken(token),
      userId: user.id,
      createdAt: new Date(),
      expiresAt,
    });
    return { token, userId: user.id, expiresAt };
  }

  /**
   * Verifies a password for any front end (GraphQL login, POP3, IMAP, submission), under the per-username and
   * per-client failure limits, and writes the attempt to the auth log. A refused attempt does no password
   * work and says when to retry (RATE_LIMITED with `retryAfterMs`).
   */
  async checkPassword(username: string, password: string, origin: AuthOrigin) {
    const reservation = await this.reserve(username, origin);
    let check: PasswordCheck;
    try {
      check = await this.credentials.check(username, password);
    } catch (err) {
      await reservation.settle(false);
      throw err;
    }
    await reservation.settle(check.outcome === "wrong-password" || check.outcome === "unknown-user");
    const reason = check.outcome === "ok" ? "password" : check.outcome;
    const result = check.outcome === "ok" ? "success" : "failure";
    await this.log.record(origin, username, { result, reason, userId: check.user?.id ?? null }, this.onError);
    if (check.outcome === "ok") return check.user;
    if (check.outcome === "account-disabled")
      throw new DomainError("ACCOUNT_DISABLED", `Account "${check.user.username}" is disabled.`);
    throw new DomainError("AUTH_FAILED", WRONG_CREDENTIALS);
  }

  /**
   * A user changes its own password. A wrong current password counts against the same limits as a failed
   * login, so this is no faster way to guess, and is logged as one. The session that asked stays; every
   * other session of the user ends.
   */
  async changePassword(
    p: Principal,
    token: string | null,
    current: string,
    next: string,
    origin: AuthOrigin,
  ): Promise<void> {
    const user = await this.users.get(p);
    const reservation = await this.reserve(user.username, origin);
    const entry = (result: AuthResult, reason: AuthReason) =>
      this.log.record(origin, user.username, { result, reason, userId: user.id }, this.onError);
    try {
      await this.credentials.change(user, current, next, token ? hashToken(token) : undefined);
    } catch (err) {
      const wrong = err instanceof DomainError && err.code === "AUTH_FAILED";
      await reservation.settle(wrong);
      if (wrong) await entry("failure", "wrong-password");
      throw err;
    }
    await reservation.settle(false);
    await entry("success", "password-changed");
  }

  /**
   * Takes a place under the limits, or logs and refuses the attempt (RATE_LIMITED) without checking anything:
   * because the window's failures are spent, or because too many checks are running at this instant.
   */
  private async reserve(username: string, origin: AuthOrigin): Promise<LoginReservation> {
    const verdict = await this.limiter.reserve(username, origin.ip);
    if (!isRefusal(verdict)) return verdict;
    const reason: AuthReason =
      verdict.kind === "at-once"
        ? verdict.by === "user"
          ? "user-busy"
          : "ip-busy"
        : verdict.by === "user"
          ? "user-limit"
          : "ip-limit";
    await this.log.record(
      origin,
      username,
      { result: "limited", reason, userId: null },
      this.onError,
      async () => (await this.store.users.getByName(username.trim().toLowerCase()))?.id ?? null,
    );
    const seconds = Math.ceil(verdict.retryAfterMs / 1000);
    const who = verdict.by === "user" ? `for "${username}"` : "from this address";
    throw new DomainError(
      "RATE_LIMITED",
      verdict.kind === "at-once"
        ? `Too many logins in progress at once ${who}; try again in a moment.`
        : `Too many failed password attempts ${who}; try again in ${seconds} seconds.`,
      { retryAfterMs: verdict.retryAfterMs },
    );
  }

  private readonly onError = (err: unknown) => this.options.onBackgroundError?.(err);

  /** Revokes a token; live subscriptions opened with it end. */
  async logout(token: string): Promise<boolean> {
    const tokenHash = hashToken(token);
    const session = await this.store.sessions.get(tokenHash);
    const deleted = await this.store.sessions.delete(tokenHash);
    if (session) await this.events.revoked({ userId: session.userId, tokenHash });
    return deleted;
  }

  /** Whether a revocation ends what was opened with this token. */
  isRevoked(token: string | null, event: RevocationEvent): boolean {
    const mine = token === null ? null : hashToken(token);
    if (event.tokenHash !== null) return mine === event.tokenHash;
    return mine === null || mine !== event.keepTokenHash;
  }

  /** Whom a bearer token stands for; an unknown or expired token is an error, no token is anonymous. */
  async principalFor(token: string | undefined | null): Promise<Principal> {
    if (!token) return ANONYMOUS;
    const digest = createHash("sha256").update(token).digest();
    if (timingSafeEqual(digest, this.adminDigest)) {
      this.options.onAdminTokenUse?.();
      return ADMIN;
    }
    const session = await this.store.sessions.get(hashToken(token));
    if (!session || session.expiresAt.getTime() <= Date.now()) {
      throw new DomainError("UNAUTHENTICATED", "The bearer token is unknown or has expired; log in again.");
    }
    const user = await this.store.users.get(session.userId);
    if (!user) throw new DomainError("UNAUTHENTICATED", "The account of this token no longer exists.");
    if (user.disabled) throw new DomainError("ACCOUNT_DISABLED", `Account "${user.username}" is disabled.`);
    return { kind: "user", userId: user.id };
  }

  /** For logout: only the holder of a token may revoke it. */
  assertUser(p: Principal): string {
    return requireUser(p);
  }
}

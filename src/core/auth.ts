import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Bus } from "../bus/ports.js";
import type { Store } from "../storage/ports.js";
import type { EventPublisher, RevocationEvent } from "./events.js";
import { DomainError } from "./errors.js";
import { ADMIN, ANONYMOUS, requireUser, type Principal } from "./principal.js";
import type { Credentials } from "./credentials.js";
import type { UserService } from "./users.js";

export interface AuthOptions {
  adminToken: string;
  sessionTtlMs: number;
  /** Failed logins allowed per username within `loginWindowMs`, counted on the bus (so across processes). */
  loginAttempts: number;
  loginWindowMs: number;
  onAdminTokenUse?: () => void;
}

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** Bearer tokens: login issues one (stored only as its hash), logout revokes it, every request resolves one. */
export class AuthService {
  private readonly adminDigest: Buffer;

  constructor(
    private readonly store: Store,
    private readonly users: UserService,
    private readonly credentials: Credentials,
    private readonly bus: Bus,
    private readonly events: EventPublisher,
    private readonly options: AuthOptions,
  ) {
    this.adminDigest = createHash("sha256").update(options.adminToken).digest();
  }

  async login(
    username: string,
    password: string,
  ): Promise<{ token: string; userId: string; expiresAt: Date }> {
    const user = await this.checkPassword(username, password);
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
   * Verifies a password (for login here and for IMAP/POP3 later), refusing with RATE_LIMITED once a
   * username has had `loginAttempts` failures in the window, so passwords cannot be guessed at speed.
   */
  async checkPassword(username: string, password: string) {
    return this.limitGuesses(username, () => this.credentials.verify(username, password));
  }

  /**
   * A user changes its own password. A wrong current password counts against the same per-username
   * limit as a failed login, so this is no faster way to guess. The session that asked stays; every
   * other session of the user ends.
   */
  async changePassword(p: Principal, token: string | null, current: string, next: string): Promise<void> {
    const user = await this.users.get(p);
    await this.limitGuesses(user.username, () =>
      this.credentials.change(user, current, next, token ? hashToken(token) : undefined),
    );
  }

  /**
   * Runs a password check under the per-username limit. Counted before the (slow) check so that parallel
   * guesses cannot all slip in; only AUTH_FAILED keeps its count, anything else (a success) gives it back.
   */
  private async limitGuesses<T>(username: string, attempt: () => Promise<T>): Promise<T> {
    const key = `login-attempts:${username.trim().toLowerCase()}`;
    const attempts = await this.bus.increment(key, 1, this.options.loginWindowMs);
    if (attempts > this.options.loginAttempts) {
      await this.bus.increment(key, -1);
      throw new DomainError(
        "RATE_LIMITED",
        `Too many failed password attempts for "${username}"; try again in ${Math.ceil(this.options.loginWindowMs / 1000)} seconds.`,
      );
    }
    let result: T;
    try {
      result = await attempt();
    } catch (err) {
      if (!(err instanceof DomainError && err.code === "AUTH_FAILED")) await this.bus.increment(key, -1);
      throw err;
    }
    await this.bus.increment(key, -1);
    return result;
  }

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

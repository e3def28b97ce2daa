import type { Store, UserRecord } from "../storage/ports.js";
import { DomainError } from "./errors.js";
import type { EventPublisher } from "./events.js";
import { assertPassword, hashPassword, verifyNothing, verifyPassword } from "./passwords.js";
import type { VerifiedLoginCache } from "./verified-logins.js";

export type PasswordCheck =
  | { outcome: "unknown-user"; user: null }
  | { outcome: "ok" | "wrong-password" | "account-disabled"; user: UserRecord };

/**
 * Password checks and session endings. Not on `Core`: the only door to a password check is AuthService, which
 * counts every wrong guess against the per-username limit, so no front end can reach an unlimited oracle.
 */
export class Credentials {
  constructor(
    private readonly store: Store,
    private readonly events: EventPublisher,
    private readonly minPasswordLength: number,
    private readonly verified: VerifiedLoginCache,
  ) {}

  /**
   * Checks a username and password, saying what was wrong for the auth log (the front end's answer is the same
   * whatever it was), with the same hash work for an unknown name as for a known one, disabled or not, so
   * names cannot be probed by time. A disabled account is reported only with its right password. The user row is
   * read every time, cached password or not, so a disabled or deleted account is refused at once.
   */
  async check(username: string, password: string): Promise<PasswordCheck> {
    const user = await this.store.users.getByName(username.trim().toLowerCase());
    const ok = user ? await this.verify(user, password) : await verifyNothing(password);
    if (!user) return { outcome: "unknown-user", user: null };
    if (!ok) return { outcome: "wrong-password", user };
    return { outcome: user.disabled ? "account-disabled" : "ok", user };
  }

  /**
   * scrypt, unless this password passed it against the user's current stored hash within the verified-login
   * cache's TTL. Only a right password is fast, so the time tells nothing to one who does not know it.
   */
  private async verify(user: UserRecord, password: string): Promise<boolean> {
    if (this.verified.has(user.id, user.passwordHash, password)) return true;
    const ok = await verifyPassword(password, user.passwordHash);
    if (ok) this.verified.remember(user.id, user.passwordHash, password);
    return ok;
  }

  /** Replaces a password after proving the current one; every other session ends, `keepTokenHash`'s stays. */
  async change(user: UserRecord, current: string, next: string, keepTokenHash?: string): Promise<void> {
    if (!(await verifyPassword(current, user.passwordHash)))
      throw new DomainError("AUTH_FAILED", "The current password is wrong.");
    assertPassword(next, this.minPasswordLength);
    await this.store.users.update(user.id, { passwordHash: await hashPassword(next) });
    await this.endSessions(user.id, keepTokenHash);
  }

  /** Deletes the user's sessions (all, or all but one) and tells live subscriptions to end. */
  async endSessions(userId: string, keepTokenHash?: string): Promise<void> {
    await this.store.sessions.deleteForUser(userId, keepTokenHash);
    await this.events.revoked({ userId, tokenHash: null, keepTokenHash: keepTokenHash ?? null });
  }
}

import type { Store, UserRecord } from "../storage/ports.js";
import { DomainError } from "./errors.js";
import type { EventPublisher } from "./events.js";
import { assertPassword, hashPassword, verifyNothing, verifyPassword } from "./passwords.js";

/**
 * Password checks and session endings. Not on `Core`: the only door to a password check is AuthService, which
 * counts every wrong guess against the per-username limit, so no front end can reach an unlimited oracle.
 */
export class Credentials {
  constructor(
    private readonly store: Store,
    private readonly events: EventPublisher,
    private readonly minPasswordLength: number,
  ) {}

  /**
   * Checks a username and password; the same error whatever was wrong, and the same hash work for an
   * unknown name as for a known one (disabled or not), so names cannot be probed by answer or by time.
   */
  async verify(username: string, password: string): Promise<UserRecord> {
    const user = await this.store.users.getByName(username.trim().toLowerCase());
    const ok = user ? await verifyPassword(password, user.passwordHash) : await verifyNothing(password);
    if (!user || !ok) throw new DomainError("AUTH_FAILED", "The username or password is wrong.");
    if (user.disabled) throw new DomainError("ACCOUNT_DISABLED", `Account "${user.username}" is disabled.`);
    return user;
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

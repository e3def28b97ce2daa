import type { AddressRecord, Store, UserRecord } from "../storage/ports.js";
import { StoreConflictError } from "../storage/ports.js";
import { normalizeAddress } from "./addresses.js";
import type { EventPublisher } from "./events.js";
import { DomainError, invalidInput, notFound } from "./errors.js";
import { newId } from "./ids.js";
import { DEFAULT_LIMITS, type CoreLimits } from "./limits.js";
import type { Credentials } from "./credentials.js";
import { assertPassword, hashPassword } from "./passwords.js";
import { requireAdmin, requireUser, type Principal } from "./principal.js";
import { DEFAULT_MAILBOXES, newUidValidity } from "./special-use.js";

export interface CreateUserArgs {
  username: string;
  password: string;
  addresses?: string[];
  quotaBytes?: number;
}

export interface UpdateUserArgs {
  password?: string;
  disabled?: boolean;
  quotaBytes?: number;
  /** Recipients the user may send to per day; null: the configured default ([submission] recipients_per_day). */
  recipientsPerDay?: number | null;
}

const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._@+-]{0,127}$/i;

/** Users and their addresses: create (with the special-use mailboxes), update, delete. Passwords are checked by AuthService. */
export class UserService {
  constructor(
    private readonly store: Store,
    private readonly events: EventPublisher,
    private readonly credentials: Credentials,
    private readonly limits: CoreLimits = DEFAULT_LIMITS,
  ) {}

  async create(p: Principal, args: CreateUserArgs): Promise<UserRecord> {
    requireAdmin(p);
    const username = args.username.trim().toLowerCase();
    if (!USERNAME_PATTERN.test(username)) {
      throw invalidInput(
        `Username "${args.username}" must be 1-128 letters, digits or . _ @ + - and start with a letter or digit.`,
      );
    }
    assertPassword(args.password, this.limits.minPasswordLength);
    const quotaBytes = args.quotaBytes ?? 0;
    if (!Number.isSafeInteger(quotaBytes) || quotaBytes < 0)
      throw invalidInput(`Quota ${quotaBytes} must be a whole number of bytes, 0 for none.`);
    const normalized = (args.addresses ?? []).map((a) => ({
      address: a.trim().normalize("NFC"),
      normalized: normalizeAddress(a),
    }));
    for (const a of normalized) {
      if (await this.store.addresses.findByNormalized(a.normalized))
        throw new DomainError("ALREADY_EXISTS", `Address "${a.address}" is already in use.`);
    }
    const id = newId();
    const now = new Date();
    let user: UserRecord;
    try {
      user = await this.store.users.create(
        { id, username, passwordHash: await hashPassword(args.password), quotaBytes, createdAt: now },
        DEFAULT_MAILBOXES.map((m) => ({
          id: newId(),
          userId: id,
          path: m.path,
          specialUse: m.specialUse,
          subscribed: true,
          uidValidity: newUidValidity(),
          createdAt: now,
        })),
      );
    } catch (err) {
      if (err instanceof StoreConflictError)
        throw new DomainError("ALREADY_EXISTS", `User "${username}" already exists.`);
      throw err;
    }
    for (const a of normalized) await this.addAddressRecord(user.id, a.address, a.normalized);
    return user;
  }

  async get(p: Principal, userId?: string): Promise<UserRecord> {
    const id = requireUser(p, userId);
    const user = await this.store.users.get(id);
    if (!user) throw notFound("User", id);
    return user;
  }

  async findByName(p: Principal, username: string): Promise<UserRecord> {
    requireAdmin(p);
    const user = await this.store.users.getByName(username.trim().toLowerCase());
    if (!user) throw notFound("User", username);
    return user;
  }

  async list(p: Principal, limit: number, afterUsername?: string): Promise<UserRecord[]> {
    requireAdmin(p);
    if (!Number.isInteger(limit) || limit < 1 || limit > this.limits.maxUsersPage)
      throw invalidInput(`Page size ${limit} must be 1 to ${this.limits.maxUsersPage}.`);
    return this.store.users.list(limit, afterUsername);
  }

  async update(p: Principal, userId: string, args: UpdateUserArgs): Promise<UserRecord> {
    requireAdmin(p);
    if (args.password !== undefined) assertPassword(args.password, this.limits.minPasswordLength);
    if (args.quotaBytes !== undefined && (!Number.isSafeInteger(args.quotaBytes) || args.quotaBytes < 0)) {
      throw invalidInput(`Quota ${args.quotaBytes} must be a whole number of bytes, 0 for none.`);
    }
    const perDay = args.recipientsPerDay;
    if (perDay != null && (!Number.isSafeInteger(perDay) || perDay < 1))
      throw invalidInput(
        `Recipients per day ${perDay} must be a whole number, 1 or more (null: the default).`,
      );
    const updated = await this.store.users.update(userId, {
      passwordHash: args.password === undefined ? undefined : await hashPassword(args.password),
      disabled: args.disabled,
      quotaBytes: args.quotaBytes,
      recipientsPerDay: perDay,
    });
    if (!updated) throw notFound("User", userId);
    // A password reset or a disable ends every session: whoever held a token must log in again.
    if (args.password !== undefined || args.disabled) await this.credentials.endSessions(userId);
    return updated;
  }

  async delete(p: Principal, userId: string): Promise<void> {
    requireAdmin(p);
    if (!(await this.store.users.delete(userId))) throw notFound("User", userId);
    await this.events.revoked({ userId, tokenHash: null });
  }

  async addAddress(p: Principal, userId: string, address: string): Promise<AddressRecord> {
    requireAdmin(p);
    if (!(await this.store.users.get(userId))) throw notFound("User", userId);
    return this.addAddressRecord(userId, address.trim().normalize("NFC"), normalizeAddress(address));
  }

  async removeAddress(p: Principal, userId: string, addressId: string): Promise<void> {
    requireAdmin(p);
    if (!(await this.store.addresses.remove(userId, addressId))) throw notFound("Address", addressId);
  }

  async addresses(p: Principal, userId?: string): Promise<AddressRecord[]> {
    return this.store.addresses.listForUser(requireUser(p, userId));
  }

  private async addAddressRecord(
    userId: string,
    address: string,
    normalized: string,
  ): Promise<AddressRecord> {
    const record = { id: newId(), userId, address, normalized, createdAt: new Date() };
    try {
      await this.store.addresses.add(record);
    } catch (err) {
      if (err instanceof StoreConflictError)
        throw new DomainError("ALREADY_EXISTS", `Address "${address}" is already in use.`);
      throw err;
    }
    return record;
  }
}

// Whether a message may be stored: the size limit and the quota, written once for every way in (upload, APPEND,
// LMTP, import, copy). The early checks here refuse before parsing; the store's atomic check holds under races.
import { StoreQuotaError } from "../storage/ports.js";
import { DomainError } from "./errors.js";

/** MESSAGE_TOO_LARGE for a message of `size` bytes; `atLeast` when only part of it was counted (a stream cut off). */
export function messageTooLarge(
  size: number,
  limit: number,
  options: { atLeast?: boolean } = {},
): DomainError {
  return new DomainError(
    "MESSAGE_TOO_LARGE",
    `The message has ${options.atLeast ? "at least " : ""}${size} bytes; the limit is ${limit}.`,
  );
}

export function assertMessageSize(size: number, limit: number): void {
  if (size > limit) throw messageTooLarge(size, limit);
}

/** Whether adding `adding` bytes would take the account past its quota (0 means unlimited). */
export function exceedsQuota(user: { quotaBytes: number; storageUsed: number }, adding: number): boolean {
  return user.quotaBytes > 0 && user.storageUsed + adding > user.quotaBytes;
}

/** QUOTA_EXCEEDED before any work when `adding` bytes would not fit; `verb` says what was tried ("Storing"). */
export function assertQuotaRoom(
  user: { quotaBytes: number; storageUsed: number },
  adding: number,
  verb = "Storing",
): void {
  if (exceedsQuota(user, adding))
    throw new DomainError(
      "QUOTA_EXCEEDED",
      `${verb} ${adding} bytes would exceed the quota of ${user.quotaBytes} bytes (${user.storageUsed} used).`,
    );
}

/** The store's atomic quota check, as the domain's QUOTA_EXCEEDED: the check that holds when deliveries race. */
export async function quotaChecked<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (err instanceof StoreQuotaError)
      throw new DomainError(
        "QUOTA_EXCEEDED",
        `Storing ${err.adding} more bytes would exceed the account's quota.`,
      );
    throw err;
  }
}

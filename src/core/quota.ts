import { StoreQuotaError } from "../storage/ports.js";
import { DomainError } from "./errors.js";

/**
 * The store's atomic quota check, as the domain's QUOTA_EXCEEDED. The core also checks before parsing, to
 * refuse early; this is the check that holds when deliveries race.
 */
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

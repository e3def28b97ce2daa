// Who may be named as the sender: the From field's addresses and the envelope sender (MAIL FROM) must be addresses
// of the user, by the same rules that route mail to the user (case, dots, `+label`, IDN, an admin-set wildcard).
import type { Store } from "../../storage/ports.js";
import { normalizeAddress, wildcardFor } from "../addresses.js";
import { DomainError } from "../errors.js";

/** Whether `address` reaches `userId`: its own address first, then the domain's wildcard. */
export async function isAddressOf(store: Store, userId: string, address: string): Promise<boolean> {
  const own = await store.addresses.findByNormalized(normalizeAddress(address));
  if (own) return own.userId === userId;
  const wildcard = await store.addresses.findByNormalized(wildcardFor(address));
  return wildcard?.userId === userId;
}

/** FORBIDDEN, naming the address, unless every one of `addresses` is the user's; `role` says where it was found. */
export async function assertSenderAddresses(
  store: Store,
  userId: string,
  addresses: readonly string[],
  role: "From" | "envelope sender",
): Promise<void> {
  for (const address of addresses) {
    if (!(await isAddressOf(store, userId, address)))
      throw new DomainError("FORBIDDEN", `The ${role} address "${address}" is not one of your addresses.`);
  }
}

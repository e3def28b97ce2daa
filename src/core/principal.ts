import { DomainError, forbidden } from "./errors.js";

/**
 * Who is asking: the admin (holder of the admin token), a logged-in user, the delivery agent (LMTP, the MX
 * plugin: it may deliver and check recipients, nothing else), or nobody.
 */
export type Principal =
  { kind: "admin" } | { kind: "user"; userId: string } | { kind: "delivery" } | { kind: "anonymous" };

export const ADMIN: Principal = { kind: "admin" };
export const ANONYMOUS: Principal = { kind: "anonymous" };
export const DELIVERY: Principal = { kind: "delivery" };

export function requireAdmin(p: Principal): void {
  if (p.kind !== "admin") throw forbidden();
}

/** Delivery (and the recipient check) is for the delivery agent and the admin. */
export function requireDeliverer(p: Principal): void {
  if (p.kind !== "delivery" && p.kind !== "admin")
    throw forbidden("Only the delivery agent or the admin may deliver mail.");
}

/** The user whose data the request may touch: a user acts on itself; the admin names the user. */
export function requireUser(p: Principal, targetUserId?: string): string {
  if (p.kind === "user") {
    if (targetUserId !== undefined && targetUserId !== p.userId)
      throw forbidden("A user may act only on its own account.");
    return p.userId;
  }
  if (p.kind === "admin" && targetUserId !== undefined) return targetUserId;
  if (p.kind === "admin") throw new DomainError("INVALID_INPUT", "The admin must name the user to act on.");
  if (p.kind === "delivery") throw forbidden("The delivery agent may only deliver mail.");
  throw new DomainError("UNAUTHENTICATED", "Log in first: this needs a bearer token.");
}

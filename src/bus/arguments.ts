// Argument checks shared by every adapter, so a bad call fails the same way on a single box and in a cluster.

/** Throws a RangeError unless `value` is a safe integer (Redis INCRBY takes 64-bit integers only). */
export function assertSafeInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`Bus argument "${name}" must be a safe integer, got ${String(value)}.`);
  }
}

/** Throws a RangeError unless `value` is a whole number of milliseconds of at least 1. */
export function assertPositiveMs(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(
      `Bus argument "${name}" must be a whole number of milliseconds of at least 1, got ${String(value)}.`,
    );
  }
}

/** Throws a RangeError unless `limit` is an integer of at least 0 and `windowMs` a positive whole number of milliseconds. */
export function assertRateLimit(limit: number, windowMs: number): void {
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new RangeError(`Bus argument "limit" must be an integer of at least 0, got ${String(limit)}.`);
  }
  assertPositiveMs("windowMs", windowMs);
}

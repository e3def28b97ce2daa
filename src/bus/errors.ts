/** A call on a bus after its `close()`: a bug in the caller's shutdown order, not a network failure. */
export class BusClosedError extends Error {
  override get name(): string {
    return "BusClosedError";
  }

  constructor(operation: string) {
    super(`Cannot ${operation}: the bus is closed.`);
  }
}

/**
 * The bus did not answer in time or is not connected (Redis down, a network cut): a temporary failure that the
 * caller reports as such (the core maps it to BUS_UNAVAILABLE) instead of waiting for the outage to end.
 */
export class BusUnavailableError extends Error {
  override get name(): string {
    return "BusUnavailableError";
  }

  constructor(operation: string, cause: unknown) {
    super(
      `Cannot ${operation}: the bus is unavailable (${cause instanceof Error ? cause.message : String(cause)}).`,
      {
        cause,
      },
    );
  }
}

/** A call on a bus after its `close()`: a bug in the caller's shutdown order, not a network failure. */
export class BusClosedError extends Error {
  override get name(): string {
    return "BusClosedError";
  }

  constructor(operation: string) {
    super(`Cannot ${operation}: the bus is closed.`);
  }
}

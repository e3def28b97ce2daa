// Starts the reads of the next items while the current one is being used, bounded by the bytes held: a
// sequence of small file reads awaited one by one costs a thread-pool round trip each (about 0.2 ms of wall
// time and CPU apiece on this machine), while reads already in flight overlap each other and the caller's work.

/**
 * Yields each item with the result of `read(item)` (null for an item with `cost` null, which is not read
 * ahead), in order. Reads are started ahead while the bytes in flight or held stay within `limitBytes`; one
 * read is always in flight, however large. A read that fails throws when its item is reached, not before, and
 * the reads of items never reached (the caller stopped) are dropped without an unhandled rejection.
 */
export async function* readAhead<T, R>(
  items: readonly T[],
  cost: (item: T) => number | null,
  read: (item: T) => Promise<R>,
  limitBytes: number,
): AsyncGenerator<[T, R | null]> {
  const started: Array<Promise<R> | null> = [];
  let held = 0;
  let next = 0;
  const startWhileRoom = (current: number) => {
    for (; next < items.length; next++) {
      const c = cost(items[next]);
      if (c === null) {
        started.push(null);
        continue;
      }
      // The current item's own read starts whatever its size; the others wait for room.
      if (next > current && held + c > limitBytes) return;
      held += c;
      const p = read(items[next]);
      p.catch(() => undefined);
      started.push(p);
    }
  };
  for (let i = 0; i < items.length; i++) {
    startWhileRoom(i);
    const pending = started[i];
    const result = pending === null ? null : await pending;
    started[i] = null;
    try {
      yield [items[i], result];
    } finally {
      const c = cost(items[i]);
      if (c !== null) held -= c;
    }
  }
}

// Running a list of jobs a few at a time, and waiting for a server to go quiet.

/** Runs `run` over `items`, at most `width` at once, in order of index. */
export async function inParallel<T>(
  items: T[],
  width: number,
  run: (item: T, index: number) => Promise<unknown>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await run(items[i], i);
      }
    }),
  );
}

/**
 * Lets the server go quiet before RSS is read: long enough for its idle collection (one quiet 5 s interval), so
 * the reading is what it keeps at rest, not the garbage of the last burst.
 */
export function settle(ms = 12_000): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

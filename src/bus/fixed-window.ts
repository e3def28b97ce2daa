/** The fixed window that `nowMs` falls in: windows are aligned to the Unix epoch, so every process agrees on them. */
export interface FixedWindow {
  index: number;
  resetInMs: number;
}

/** Computes the window index and the time left in it; both adapters use it so their keys and answers match. */
export function fixedWindow(nowMs: number, windowMs: number): FixedWindow {
  const index = Math.floor(nowMs / windowMs);
  return { index, resetInMs: (index + 1) * windowMs - nowMs };
}

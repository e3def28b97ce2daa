// A measurement's outcome: its result, or why it failed, so one failure is recorded and the run goes on.
import { progress } from "./stats.js";

export type Outcome<T> = T | { error: string };

/** Runs `run`; a throw becomes `{ error }` and a progress line naming `what`. */
export async function attempt<T>(what: string, run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return await run();
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    progress(`  ${what} FAILED: ${error}`);
    return { error };
  }
}

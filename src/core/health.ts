import type { Bus } from "../bus/ports.js";
import type { Store } from "../storage/ports.js";
import type { HealthReport } from "./model.js";

/** How long each part may take to answer before it counts as down (a health check must not hang). */
const HEALTH_TIMEOUT_MS = 3000;

/** One cheap round trip to the store and one to the bus; a part that fails is reported, not thrown. */
export async function checkHealth(store: Store, bus: Bus): Promise<HealthReport> {
  const [storeError, busError] = await Promise.all([
    failureOf(() => store.ping()),
    failureOf(() => bus.ping()),
  ]);
  return {
    ok: !storeError && !busError,
    store: { kind: store.kind, ok: !storeError, ...(storeError && { error: storeError }) },
    bus: { kind: bus.kind, ok: !busError, ...(busError && { error: busError }) },
  };
}

async function failureOf(check: () => Promise<unknown>): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`)),
          HEALTH_TIMEOUT_MS,
        );
      }),
    ]);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(timer);
  }
}

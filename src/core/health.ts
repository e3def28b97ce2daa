import type { Bus } from "../bus/ports.js";
import type { Store } from "../storage/ports.js";
import type { HealthReport } from "./model.js";

/** One cheap round trip to the store and one to the bus; a part that fails is reported, not thrown. */
export async function checkHealth(store: Store, bus: Bus): Promise<HealthReport> {
  const [storeError, busError] = await Promise.all([
    failureOf(() => store.ping()),
    failureOf(() => bus.getCounter("health:ping")),
  ]);
  return {
    ok: !storeError && !busError,
    store: { kind: store.kind, ok: !storeError, ...(storeError && { error: storeError }) },
    bus: { ok: !busError, ...(busError && { error: busError }) },
  };
}

async function failureOf(check: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await check();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

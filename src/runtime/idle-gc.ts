// Giving memory back after a burst. V8 collects when JavaScript allocates, so a server that goes quiet after
// handling a 50 MB message keeps the dead buffers (and the RSS they hold) until its next busy moment. When the
// process has been idle for a whole interval and its RSS grew well past where the last collection left it, one
// full collection runs, and RSS falls back to what is live.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export interface IdleGcOptions {
  /** How often to look. */
  intervalMs: number;
  /** RSS growth over the level after the last collection that makes one worth it. */
  growthBytes: number;
  /** Below this share of one core used over the interval, the process counts as idle. */
  idleCpuShare: number;
}

export const IDLE_GC_DEFAULTS: IdleGcOptions = {
  intervalMs: 5000,
  growthBytes: 32 * 2 ** 20,
  idleCpuShare: 0.05,
};

/** What the check reads and does, so the decision can be tested without a real process. */
export interface IdleGcProbe {
  rss(): number;
  /** CPU microseconds (user + system) used since the previous call. */
  cpuSinceLast(): number;
  collect(): void;
}

/** The decision, one interval at a time: collect when idle and grown; the level after a collection is the new floor. */
export class IdleGc {
  private floor: number;

  constructor(
    private readonly probe: IdleGcProbe,
    private readonly options: IdleGcOptions = IDLE_GC_DEFAULTS,
  ) {
    this.floor = probe.rss();
  }

  /** Runs one check; returns whether it collected. */
  check(): boolean {
    const cpuMs = this.probe.cpuSinceLast() / 1000;
    const idle = cpuMs < this.options.intervalMs * this.options.idleCpuShare;
    if (!idle || this.probe.rss() < this.floor + this.options.growthBytes) return false;
    this.probe.collect();
    this.floor = this.probe.rss();
    return true;
  }
}

/** V8's full collection as a function, without starting Node with --expose-gc. */
export function fullCollection(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

/** Starts the idle check on a timer that does not keep the process alive; returns the stop function. */
export function startIdleGc(options: IdleGcOptions = IDLE_GC_DEFAULTS): () => void {
  const collect = fullCollection();
  let last = process.cpuUsage();
  const gc = new IdleGc(
    {
      rss: () => process.memoryUsage.rss(),
      cpuSinceLast: () => {
        const used = process.cpuUsage(last);
        last = process.cpuUsage();
        return used.user + used.system;
      },
      // Twice: the first pass finds the dead buffers, their memory is handed back by the second.
      collect: () => {
        collect();
        collect();
      },
    },
    options,
  );
  const timer = setInterval(() => gc.check(), options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

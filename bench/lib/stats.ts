/** Nearest-rank percentile of `values` (milliseconds), p in 0..100. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function summarize(values: number[]): LatencySummary {
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    count: values.length,
    p50Ms: round(percentile(values, 50)),
    p99Ms: round(percentile(values, 99)),
    maxMs: round(Math.max(...values)),
  };
}

/** A progress line, prefixed with the seconds since the run started. */
const T0 = performance.now();
export function progress(line: string): void {
  console.log(`[${((performance.now() - T0) / 1000).toFixed(1).padStart(6)} s] ${line}`);
}

/**
 * Timing: runs prepared operations with a fixed number in flight and records each one's latency.
 */
import { performance } from "node:perf_hooks";

/**
 * Runs `scenario.run` once per item, `concurrency` at a time (1: strictly sequential), and
 * returns throughput and latency percentiles. Items were prepared before the clock started.
 */
export async function measure(scenario, items, concurrency) {
  const latencies = new Float64Array(items.length);
  let next = 0;
  async function lane() {
    while (next < items.length) {
      const index = next++;
      const start = performance.now();
      await scenario.run(items[index]);
      latencies[index] = performance.now() - start;
    }
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  const elapsedMs = performance.now() - started;
  latencies.sort();
  return {
    ops: items.length,
    elapsedMs,
    opsPerSec: (items.length / elapsedMs) * 1000,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

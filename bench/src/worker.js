/**
 * One contender in its own process (so that its peak RSS is its own), driven by main.js over IPC:
 * `run` prepares the items of one scenario outside the clock, collects garbage, then measures.
 */
import { measure } from "./harness.js";

const roundSeconds = Number(process.env.BENCH_ROUND_SECONDS ?? 0.5);
const WARMUP_OPS = Number(process.env.BENCH_WARMUP_OPS ?? 300);
const MIN_OPS = 200;
const MAX_OPS = 40_000;

const name = process.argv[2];
const { createContender } = await import(`./contenders/${name}.js`);
const contender = await createContender();
/** Operations per measured round, decided by the warmup round of each scenario and mode. */
const sizes = new Map();

async function run({ scenario, concurrency, warmup }) {
  const impl = contender.scenarios[scenario];
  if (impl === null || impl === undefined) return { unavailable: contender.unavailable?.[scenario] ?? "n/a" };
  const key = `${scenario}/${concurrency}`;
  const count = warmup ? WARMUP_OPS : sizes.get(key);
  const items = await impl.prepare(count);
  globalThis.gc?.();
  contender.storage.reset();
  const result = await measure(impl, items, concurrency);
  result.storageCallsPerOp = contender.storage.total() / result.ops;
  if (warmup) {
    // Size the measured rounds so each lasts about roundSeconds.
    sizes.set(key, Math.max(MIN_OPS, Math.min(MAX_OPS, Math.round(result.opsPerSec * roundSeconds))));
  }
  return result;
}

process.on("message", async (message) => {
  try {
    if (message.cmd === "run") {
      process.send({ id: message.id, result: await run(message) });
    } else if (message.cmd === "finish") {
      // ru_maxrss, in KiB on Linux.
      process.send({ id: message.id, result: { maxRssKiB: process.resourceUsage().maxRSS } });
      process.disconnect();
    }
  } catch (error) {
    process.send({ id: message.id, error: String(error?.stack ?? error) });
  }
});
process.send({ ready: true, name: contender.name, version: contender.version, notes: contender.notes ?? [] });

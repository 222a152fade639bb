/**
 * One contender in its own process (so that its peak RSS is its own), driven by main.js over IPC:
 * `run` prepares the items of one scenario outside the clock, collects garbage, then measures.
 */
import { measure } from "./harness.js";

const roundSeconds = Number(process.env.BENCH_ROUND_SECONDS ?? 0.5);
const WARMUP_OPS = Number(process.env.BENCH_WARMUP_OPS ?? 300);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
const MIN_OPS = 200;
const MAX_OPS = 40_000;

const name = process.argv[2];
const { createContender } = await import(`./contenders/${name}.js`);
const contender = await createContender();
/** Operations per measured round, decided by the warmup round of each scenario and mode. */
const sizes = new Map();

/**
 * Leaves the preparation's garbage behind: collect it, let the finalizers it queued run (Web
 * Requests register their AbortSignals for cleanup), and collect again. Otherwise a contender whose
 * seeding goes through Requests pays for that cleanup inside the timed section.
 */
async function settle() {
  globalThis.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 10));
  globalThis.gc?.();
}

async function run({ scenario, concurrency, warmup }) {
  const impl = contender.scenarios[scenario];
  if (impl === null || impl === undefined) return { unavailable: contender.unavailable?.[scenario] ?? "n/a" };
  const key = `${scenario}/${concurrency}`;
  if (warmup) {
    // Batches until the JIT has settled (WARMUP_SECONDS): a few hundred operations leave most of
    // the code unoptimised, and then the rounds would measure the compiler rather than the code.
    const started = performance.now();
    let result;
    do {
      const items = await impl.prepare(WARMUP_OPS);
      result = await measure(impl, items, concurrency);
    } while (performance.now() - started < WARMUP_SECONDS * 1000);
    // Size the measured rounds from the last, warm batch so each lasts about roundSeconds.
    sizes.set(key, Math.max(MIN_OPS, Math.min(MAX_OPS, Math.round(result.opsPerSec * roundSeconds))));
    return result;
  }
  const items = await impl.prepare(sizes.get(key));
  await settle();
  contender.storage.reset();
  const result = await measure(impl, items, concurrency);
  result.storageCallsPerOp = contender.storage.total() / result.ops;
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

/**
 * Profiling pass: prepares a contender's items first, then CPU-profiles only the timed section
 * (through node:inspector, so that seeding does not show up), and writes a .cpuprofile that
 * summarise-profile.js (or Chrome DevTools) reads.
 *
 * Usage: node src/profile.js [contender] [scenario] [operations] [concurrency]
 *   e.g. node src/profile.js oauthkit exchange 20000 1  →  profiles/oauthkit-exchange-c1.cpuprofile
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { measure } from "./harness.js";

const [name = "oauthkit", scenario = "exchange", operations = "20000", concurrency = "1"] = process.argv.slice(2);
const { createContender } = await import(`./contenders/${name}.js`);
const contender = await createContender();
const impl = contender.scenarios[scenario];
if (!impl) throw new Error(`${name} has no ${scenario} scenario`);

await measure(impl, await impl.prepare(2000), Number(concurrency)); // warm up the JIT
const items = await impl.prepare(Number(operations));
globalThis.gc?.();

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 100 });
await session.post("Profiler.start");
const result = await measure(impl, items, Number(concurrency));
const { profile } = await session.post("Profiler.stop");
session.disconnect();

mkdirSync(new URL("../profiles/", import.meta.url), { recursive: true });
const file = new URL(`../profiles/${name}-${scenario}-c${concurrency}.cpuprofile`, import.meta.url);
writeFileSync(file, JSON.stringify(profile));
console.error(`${name} ${scenario} c=${concurrency}: ${result.ops} ops, ${Math.round(result.opsPerSec)} ops/s under the profiler → ${file.pathname}`);

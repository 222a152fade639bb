/**
 * Profiling helper: runs one contender's scenario for a while in this process, for `node
 * --cpu-prof`. `npm run profile` runs it over oauthkit's scenarios and prints where time goes.
 *
 * Usage: node --cpu-prof --cpu-prof-dir=profiles src/profile.js <contender> <scenario> [seconds] [concurrency]
 */
import { measure } from "./harness.js";

const [name = "oauthkit", scenario = "exchange", seconds = "3", concurrency = "1"] = process.argv.slice(2);
const { createContender } = await import(`./contenders/${name}.js`);
const contender = await createContender();
const impl = contender.scenarios[scenario];
if (!impl) throw new Error(`${name} has no ${scenario} scenario`);
const deadline = Date.now() + Number(seconds) * 1000;
let total = 0;
let timed = 0;
while (Date.now() < deadline) {
  const items = await impl.prepare(2000);
  const result = await measure(impl, items, Number(concurrency));
  total += result.ops;
  timed += result.elapsedMs;
}
console.error(`${name} ${scenario} c=${concurrency}: ${total} ops, ${Math.round((total / timed) * 1000)} ops/s while timed`);

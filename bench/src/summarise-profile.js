/**
 * Prints the heaviest functions of a .cpuprofile by self time, and self time per file.
 *
 * Usage: node src/summarise-profile.js profiles/x.cpuprofile [top]
 */
import { readFileSync } from "node:fs";

const [file, topArg = "25"] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, "utf8"));
const selfTime = new Map(profile.nodes.map((n) => [n.id, 0]));
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) selfTime.set(profile.samples[i], selfTime.get(profile.samples[i]) + (dt[i] ?? 0));
const total = [...selfTime.values()].reduce((a, b) => a + b, 0);
const short = (url) => url.replace(/^file:\/\//, "").replace(/^.*\/node_modules\//, "~/").replace(/^.*\/work\/main\//, "");
const byFunction = new Map();
const byFile = new Map();
for (const node of profile.nodes) {
  const t = selfTime.get(node.id);
  if (!t) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${short(url)}:${lineNumber + 1}` : "(native)";
  const key = `${functionName || "(anonymous)"} ${where}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + t);
  const fileKey = url ? short(url) : functionName.startsWith("(") ? functionName : "(native/builtin)";
  byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + t);
}
const pct = (t) => `${((t / total) * 100).toFixed(1).padStart(5)} %`;
console.log(`self time by function (${(total / 1000).toFixed(0)} ms sampled)`);
for (const [k, t] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg))) console.log(`${pct(t)}  ${k}`);
console.log("\nself time by file");
for (const [k, t] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg))) console.log(`${pct(t)}  ${k}`);

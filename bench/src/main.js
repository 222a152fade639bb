/**
 * The benchmark: forks one process per contender, runs a warmup round and then BENCH_ROUNDS
 * measured rounds in which every scenario is run by every contender in turn (the order rotates
 * each round, so drift of the machine falls on all of them alike), and writes the report.
 *
 * Usage: node src/main.js [--out results/latest.md] [--only floor,oauthkit] [--scenarios exchange,bearer]
 */
import { fork } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import os from "node:os";
import { parseArgs } from "node:util";
import { machine, renderReport } from "./report.js";

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    out: { type: "string", default: "results/latest.md" },
    only: { type: "string" },
    scenarios: { type: "string" },
  },
});

const CONTENDERS = ["floor", "oauthkit", "oauthkit-node", "oidc-provider", "oauth2-server"];
const SCENARIOS = ["exchange", "refresh", "bearer", "register"];
const CONCURRENCY = [1, 32];
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
if (!Number.isInteger(rounds) || rounds < 1) throw new TypeError("BENCH_ROUNDS must be a positive integer.");

const contenderNames = args.only ? args.only.split(",") : CONTENDERS;
const scenarios = args.scenarios ? args.scenarios.split(",") : SCENARIOS;
const startedAt = Date.now();
const loadAtStart = os.loadavg()[0];

/** A forked contender, with a request/response layer over IPC. */
function spawn(name) {
  const child = fork(resolve(here, "worker.js"), [name], {
    execArgv: ["--expose-gc", ...(process.env.BENCH_NODE_OPTIONS?.split(" ").filter(Boolean) ?? [])],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map();
  let nextId = 0;
  let onReady;
  const ready = new Promise((resolveReady, rejectReady) => {
    onReady = resolveReady;
    child.once("exit", (code) => rejectReady(new Error(`${name} exited with ${code} before it was ready`)));
  });
  child.on("message", (message) => {
    if (message.ready) return onReady(message);
    const entry = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) entry.reject(new Error(`${name}: ${message.error}`));
    else entry.resolve(message.result);
  });
  const call = (message) =>
    new Promise((resolveCall, rejectCall) => {
      const id = nextId++;
      pending.set(id, { resolve: resolveCall, reject: rejectCall });
      child.send({ ...message, id });
    });
  return { name, child, ready, call };
}

const workers = [];
for (const name of contenderNames) {
  const worker = spawn(name);
  const info = await worker.ready.catch((error) => ({ failed: String(error.message) }));
  if (info.failed) {
    console.error(`skipping ${name}: ${info.failed}`);
    continue;
  }
  worker.info = info;
  workers.push(worker);
  console.error(`${info.name} ${info.version} ready`);
}

/** results[contender][scenario/concurrency] = per-round results */
const results = Object.fromEntries(workers.map((w) => [w.info.name, {}]));
for (let round = 0; round <= rounds; round++) {
  const warmup = round === 0;
  for (const scenario of scenarios) {
    for (const concurrency of CONCURRENCY) {
      const key = `${scenario}/${concurrency}`;
      for (let i = 0; i < workers.length; i++) {
        const worker = workers[(i + round) % workers.length];
        const result = await worker.call({ cmd: "run", scenario, concurrency, warmup });
        if (warmup && !result.unavailable) continue;
        (results[worker.info.name][key] ??= []).push(result);
      }
    }
  }
  console.error(warmup ? "warmup done" : `round ${round}/${rounds} done (${((Date.now() - startedAt) / 1000).toFixed(0)} s)`);
}

const memory = {};
for (const worker of workers) memory[worker.info.name] = (await worker.call({ cmd: "finish" })).maxRssKiB;

const report = renderReport({
  machine: machine(),
  rounds,
  roundSeconds: Number(process.env.BENCH_ROUND_SECONDS ?? 0.5),
  durationSeconds: (Date.now() - startedAt) / 1000,
  load: [loadAtStart, os.loadavg()[0]],
  contenders: workers.map((w) => w.info),
  scenarios,
  concurrency: CONCURRENCY,
  results,
  memory,
});
const out = resolve(here, "..", args.out);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, report);
// The per-round figures behind the medians, next to the report.
writeFileSync(out.replace(/\.md$/, "") + ".json", `${JSON.stringify({ machine: machine(), rounds, contenders: workers.map((w) => w.info), results, memory }, null, 1)}\n`);
console.log(report);
console.error(`wrote ${out} in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);

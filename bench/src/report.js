/**
 * The Markdown report: one table per scenario, memory, and the targets of issue 7 as ratios.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import { median } from "./harness.js";

export function machine() {
  let cpu = "unknown";
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpu;
  } catch {
    cpu = os.cpus()[0]?.model ?? cpu;
  }
  return {
    cpu,
    cores: os.availableParallelism(),
    memoryGiB: (os.totalmem() / 2 ** 30).toFixed(0),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

const SCENARIO_TITLES = {
  exchange: "Authorization-code exchange (PKCE S256, client_secret_basic)",
  refresh: "Refresh with rotation (client_secret_basic)",
  bearer: "Bearer validation of an access token",
  register: "Dynamic client registration (RFC 7591)",
};

const fmtOps = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString("en-US") : "—");
const fmtMs = (v) => (Number.isFinite(v) ? (v < 1 ? v.toFixed(3) : v.toFixed(2)) : "—");
const fmtRatio = (v) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : "—");
const fmtCalls = (v) => (Number.isFinite(v) ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : "—");

/** Median figures of one contender in one scenario and concurrency, or `unavailable`. */
export function summarise(rounds) {
  if (rounds === undefined || rounds.length === 0) return undefined;
  if (rounds[0].unavailable) return { unavailable: rounds[0].unavailable };
  const ops = rounds.map((r) => r.opsPerSec);
  const opsPerSec = median(ops);
  return {
    opsPerSec,
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    spread: (Math.max(...ops) - Math.min(...ops)) / opsPerSec,
    storageCallsPerOp: median(rounds.map((r) => r.storageCallsPerOp)),
    opsPerRound: median(rounds.map((r) => r.ops)),
  };
}

/**
 * The ratio of two contenders' throughput: the median over rounds of the ratio within each round.
 * Within a round the two ran one after the other, so drift of the machine between rounds cancels.
 */
export function pairedRatio(results, name, other, scenario, c) {
  const a = results[name]?.[`${scenario}/${c}`];
  const b = results[other]?.[`${scenario}/${c}`];
  if (!a || !b || a[0].unavailable || b[0].unavailable) return NaN;
  return median(a.map((r, i) => r.opsPerSec / b[i].opsPerSec));
}

/** The targets of issue 7, evaluated on paired ratios. */
export function evaluateTargets(results, get) {
  const targets = [];
  const ratio = (name, other, scenario, c) => pairedRatio(results, name, other, scenario, c);
  const add = (target, value, threshold, render = fmtRatio) =>
    targets.push({ target, value: render(value), met: Number.isFinite(value) ? value >= threshold : undefined });
  for (const scenario of ["exchange", "refresh"]) {
    for (const c of [1, 32]) {
      const mode = c === 1 ? "sequential" : "32 in flight";
      add(`${scenario}, ${mode}: oauthkit ≥ 0.90× floor`, ratio("oauthkit", "floor", scenario, c), 0.9);
      add(`${scenario}, ${mode}: oauthkit ≥ 2× oidc-provider`, ratio("oauthkit", "oidc-provider", scenario, c), 2);
    }
    add(`${scenario}, sequential: oauthkit ≥ 1× oauth2-server`, ratio("oauthkit", "oauth2-server", scenario, 1), 1);
  }
  for (const c of [1, 32]) {
    add(`bearer, ${c === 1 ? "sequential" : "32 in flight"}: oauthkit ≥ 0.90× floor`, ratio("oauthkit", "floor", "bearer", c), 0.9);
  }
  const calls = (scenario, max, exact) => {
    const s = get("oauthkit", scenario, 1);
    const v = s && !s.unavailable ? s.storageCallsPerOp : NaN;
    targets.push({
      target: `${scenario}: oauthkit storage calls ${exact ? "= " : "≤ "}${max}`,
      value: fmtCalls(v),
      met: Number.isFinite(v) ? (exact ? v === max : v <= max) : undefined,
    });
  };
  calls("exchange", 3);
  calls("refresh", 3);
  calls("bearer", 1, true);
  return targets;
}

/** The ratios issue 11 steers by, per scenario and concurrency (formatted). */
export function issue11Ratios(results, scenarios, concurrency) {
  const rows = [];
  for (const scenario of scenarios.filter((s) => s !== "register")) {
    for (const c of concurrency) {
      const r = (a, b) => fmtRatio(pairedRatio(results, a, b, scenario, c));
      rows.push({
        scenario,
        c,
        node: r("oauthkit/node", "oauth2-server"),
        web: r("oauthkit", "oauth2-server"),
        nodeOverWeb: r("oauthkit/node", "oauthkit"),
        webOverBaseline: r("oauthkit", "oauthkit-baseline"),
      });
    }
  }
  return rows;
}

/** The benchmark targets of issue 11 (the Node path against oauth2-server, the Web path against its baseline). */
export function evaluateIssue11Targets(results) {
  const targets = [];
  const add = (target, value, threshold) =>
    targets.push({ target, value: fmtRatio(value), met: Number.isFinite(value) ? value >= threshold : undefined });
  for (const [scenario, threshold] of [["exchange", 1.5], ["refresh", 1.5], ["bearer", 1.0]]) {
    for (const c of [1, 32]) {
      const mode = c === 1 ? "sequential" : "32 in flight";
      add(`${scenario}, ${mode}: oauthkit/node ≥ ${threshold.toFixed(1)}× oauth2-server`, pairedRatio(results, "oauthkit/node", "oauth2-server", scenario, c), threshold);
    }
  }
  for (const scenario of ["exchange", "refresh", "bearer"]) {
    for (const c of [1, 32]) {
      const mode = c === 1 ? "sequential" : "32 in flight";
      // "No slower" read with the machine's noise: within 5 % of the baseline build.
      add(`${scenario}, ${mode}: oauthkit (Web) ≥ 0.95× oauthkit-baseline`, pairedRatio(results, "oauthkit", "oauthkit-baseline", scenario, c), 0.95);
    }
  }
  return targets;
}

export function renderReport({ machine: m, load = [NaN, NaN], rounds, roundSeconds, durationSeconds, contenders, scenarios, concurrency, results, memory }) {
  const get = (name, scenario, c) => summarise(results[name]?.[`${scenario}/${c}`]);
  const lines = [];
  const versions = contenders.map((c) => `${c.name}${c.version === "—" ? "" : ` ${c.version}`}`).join(", ");
  lines.push(
    "# oauthkit benchmark results",
    "",
    `Generated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} in ${durationSeconds.toFixed(0)} s.`,
    "",
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}`,
    `- Node.js ${m.node}; 1-minute load average ${load[0].toFixed(2)} at the start, ${load[1].toFixed(2)} at the end (the machine is shared: other work on it shows up as spread)`,
    `- Contenders: ${versions}`,
    `- ${rounds} measured rounds after one warmup round (at least ${Number(process.env.BENCH_WARMUP_SECONDS ?? 1)} s per contender, scenario and mode, for the JIT); each round runs every scenario on every contender, in an order that rotates each round. Each contender runs in its own process; a round lasts about ${roundSeconds} s per contender and scenario.`,
    "- ops/s: median over rounds. p50/p99: per-round latency percentiles (ms, from the start of one request to its response body read), median over rounds. spread: (max − min) / median of the rounds' ops/s.",
    "- ×floor, ×oauthkit: this contender's ops/s divided by the floor's / oauthkit's in the same round (the two ran back to back), median over rounds; the targets use the same paired ratios. Storage calls: adapter/model/store calls per operation during the timed section.",
    "",
  );
  const names = contenders.map((c) => c.name);
  for (const scenario of scenarios) {
    lines.push(`## ${SCENARIO_TITLES[scenario] ?? scenario}`, "");
    lines.push(
      "| contender | sequential ops/s | p50 | p99 | ×floor | ×oauthkit | 32 in flight ops/s | p50 | p99 | ×floor | ×oauthkit | storage calls/op | spread (seq / 32) |",
      "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    );
    for (const name of names) {
      const cells = [name];
      let calls = NaN;
      const spreads = [];
      let unavailable;
      for (const c of concurrency) {
        const s = get(name, scenario, c);
        if (s === undefined || s.unavailable) {
          unavailable = s?.unavailable ?? "not run";
          cells.push("n/a", "", "", "", "");
          continue;
        }
        const r = (other) => pairedRatio(results, name, other, scenario, c);
        cells.push(fmtOps(s.opsPerSec), fmtMs(s.p50), fmtMs(s.p99), fmtRatio(r("floor")), fmtRatio(r("oauthkit")));
        calls = s.storageCallsPerOp;
        spreads.push(`${(s.spread * 100).toFixed(0)} %`);
      }
      cells.push(unavailable && !Number.isFinite(calls) ? `n/a (${unavailable})` : fmtCalls(calls), spreads.join(" / "));
      lines.push(`| ${cells.join(" | ")} |`);
    }
    lines.push("");
  }
  lines.push("## Peak memory", "", "Peak resident set size of each contender's process over the whole run (`ru_maxrss`), including Node.js itself (the floor's figure is close to a bare Node process) and every record the contender stored during the run: faster contenders run more operations per round and so store more.", "");
  lines.push("| contender | peak RSS |", "|---|--:|");
  for (const name of names) lines.push(`| ${name} | ${memory[name] === undefined ? "—" : `${(memory[name] / 1024).toFixed(0)} MiB`} |`);
  lines.push("");
  if (names.includes("oauthkit")) {
    lines.push("## Targets (issue 7)", "", "| target | measured | |", "|---|--:|---|");
    for (const t of evaluateTargets(results, get)) lines.push(`| ${t.target} | ${t.value} | ${t.met === undefined ? "not measured" : t.met ? "met" : "**missed**"} |`);
    lines.push("");
  }
  if (names.includes("oauth2-server") && (names.includes("oauthkit/node") || names.includes("oauthkit"))) {
    lines.push(
      "## Ratios (issue 11)",
      "",
      "Paired ratios (median over rounds of the two contenders' ops/s in the same round). Targets: oauthkit/node ≥ 1.5× oauth2-server on exchange and refresh, ≥ 1.0× on bearer validation; the Web path (oauthkit) no slower than the baseline build (oauthkit-baseline, when run).",
      "",
      "| scenario | in flight | oauthkit/node ÷ oauth2-server | oauthkit ÷ oauth2-server | oauthkit/node ÷ oauthkit | oauthkit ÷ oauthkit-baseline |",
      "|---|--:|--:|--:|--:|--:|",
    );
    for (const t of issue11Ratios(results, scenarios, concurrency)) {
      lines.push(`| ${t.scenario} | ${t.c} | ${t.node} | ${t.web} | ${t.nodeOverWeb} | ${t.webOverBaseline} |`);
    }
    lines.push("", "| target | measured | |", "|---|--:|---|");
    for (const t of evaluateIssue11Targets(results)) lines.push(`| ${t.target} | ${t.value} | ${t.met === undefined ? "not measured" : t.met ? "met" : "**missed**"} |`);
    lines.push("");
  }
  const notes = contenders.flatMap((c) => c.notes.map((note) => `- ${c.name}: ${note}`));
  if (notes.length > 0) lines.push("## How each contender is driven", "", ...notes, "");
  return lines.join("\n");
}

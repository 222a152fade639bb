/**
 * HTTP load against the reference MCP server (examples/mcp-server): bearer-protected `tools/list`
 * over keep-alive connections, the server in its own process (bench/src/mcp-http/server.ts).
 * Reports requests/s, latency percentiles and the server's CPU time per request, for the shared MCP
 * server (the reference's) and, unless `--only shared`, the per-request baseline; then the same
 * call made in the server process without sockets (`BENCH_MCP_IN_PROCESS_CALLS`, 3000), whose CPU
 * per call is the steadiest figure on a shared machine.
 *
 *   npm run build && cd bench && node src/mcp-http/load.js
 *
 * Environment: BENCH_MCP_CONNECTIONS (64), BENCH_MCP_SECONDS (10), BENCH_MCP_WARMUP_SECONDS (3),
 * BENCH_MCP_ROUNDS (3: each variant runs this many times, alternating; medians are reported).
 * Only Node's own http client: no load-generator dependency.
 */
import { fork } from "node:child_process";
import { Agent, request } from "node:http";
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";

const CONNECTIONS = Number(process.env.BENCH_MCP_CONNECTIONS ?? 64);
const SECONDS = Number(process.env.BENCH_MCP_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_MCP_WARMUP_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_MCP_ROUNDS ?? 3);
const IN_PROCESS_CALLS = Number(process.env.BENCH_MCP_IN_PROCESS_CALLS ?? 3000);
const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;
const variants = only === undefined ? ["shared", "per-request"] : only.split(",");
const serverModule = fileURLToPath(new URL("./server.ts", import.meta.url));

const BODY = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });

function startServer(variant) {
  const child = fork(serverModule, [], { execArgv: ["--import", "tsx"], env: { ...process.env, BENCH_MCP_VARIANT: variant }, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const next = () => new Promise((resolve, reject) => {
    child.once("message", resolve);
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, next };
}

/** Runs `CONNECTIONS` request loops for `seconds`; every answer must be 200 with the whoami tool. */
async function load(target, seconds) {
  const url = new URL(target.origin);
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const headers = {
    Authorization: `Bearer ${target.token}`,
    "Content-Type": "application/json",
    Accept: "application/json, text/event-stream",
    "MCP-Protocol-Version": "2025-11-25",
    "Content-Length": Buffer.byteLength(BODY),
  };
  const latencies = [];
  let failure;
  const deadline = performance.now() + seconds * 1000;
  const once = () =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const req = request({ agent, hostname: url.hostname, port: url.port, path: "/mcp", method: "POST", headers }, (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200 || !text.includes('"whoami"')) return reject(new Error(`unexpected answer ${res.statusCode}: ${text.slice(0, 200)}`));
          latencies.push(performance.now() - started);
          resolve();
        });
      });
      req.on("error", reject);
      req.end(BODY);
    });
  const loop = async () => {
    while (failure === undefined && performance.now() < deadline) await once().catch((error) => (failure = error));
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, loop));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  if (failure !== undefined) throw failure;
  latencies.sort((a, b) => a - b);
  const at = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return { requests: latencies.length, perSecond: latencies.length / elapsed, p50: at(0.5), p99: at(0.99) };
}

async function measure(variant) {
  const { child, next } = startServer(variant);
  const target = await next();
  await load(target, WARMUP_SECONDS);
  child.send("cpu");
  const before = (await next()).cpu;
  const result = await load(target, SECONDS);
  child.send("cpu");
  const after = (await next()).cpu;
  child.send({ inProcess: IN_PROCESS_CALLS });
  const { inProcessMicros } = await next();
  child.send("exit");
  const cpuMicros = after.user - before.user + after.system - before.system;
  return { variant, ...result, cpuPerRequestMicros: cpuMicros / result.requests, inProcessMicros };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rounds = [];
for (let round = 0; round < ROUNDS; round++) {
  for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
    const result = await measure(variant);
    rounds.push(result);
    console.log(
      `round ${round + 1} ${variant}: ${Math.round(result.perSecond)} req/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, ` +
        `server CPU ${Math.round(result.cpuPerRequestMicros)} µs/request, in-process ${Math.round(result.inProcessMicros)} µs/call`,
    );
  }
}

const lines = [
  `# Reference MCP server under HTTP load`,
  "",
  `Bearer-protected \`tools/list\` on \`/mcp\`, ${CONNECTIONS} keep-alive connections, ${SECONDS} s per round after ${WARMUP_SECONDS} s of warmup, ${ROUNDS} rounds (medians). ` +
    `Node.js ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "unknown"}); the load generator runs on the same machine.`,
  "",
  "| /mcp | requests/s | p50 ms | p99 ms | server CPU per request | CPU per call without sockets |",
  "|---|--:|--:|--:|--:|--:|",
];
for (const variant of variants) {
  const mine = rounds.filter((round) => round.variant === variant);
  lines.push(
    `| ${variant === "shared" ? "one MCP server, shared (the reference)" : "a new MCP server per request (before)"} | ${Math.round(median(mine.map((r) => r.perSecond))).toLocaleString("en-US")} | ` +
      `${median(mine.map((r) => r.p50)).toFixed(1)} | ${median(mine.map((r) => r.p99)).toFixed(1)} | ${Math.round(median(mine.map((r) => r.cpuPerRequestMicros)))} µs | ${Math.round(median(mine.map((r) => r.inProcessMicros)))} µs |`,
  );
}
const report = `${lines.join("\n")}\n`;
console.log(`\n${report}`);
const out = process.argv.includes("--out") ? process.argv[process.argv.indexOf("--out") + 1] : new URL("../../results/mcp-http.md", import.meta.url);
writeFileSync(out, report);

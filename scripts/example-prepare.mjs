/**
 * The install and build steps of `npm run example`: only what the reference MCP server
 * (examples/mcp-server) needs, not the whole development toolchain (Next.js, Bun, Deno, workerd,
 * Stryker… ~1 GB).
 *
 * - A fresh clone gets oauthkit's own dependencies plus quickstartPackages(), at the versions
 *   package.json and package-lock.json pin for development (`npm install --omit=dev --no-save
 *   --save-prod <those>`: nothing is written to package.json or the lockfile), and a JavaScript-only
 *   build (scripts/build-js.mjs, with tsx's esbuild: tsup's declarations need TypeScript and
 *   vitest's types, and tsx does not read them). That is under 150 MB and free of engine warnings on Node 20; `.ci/run` measures it
 *   (scripts/quickstart-size.mjs).
 * - A development checkout (the full install is there: vitest is) gets the plain `npm install` and
 *   `npm run build`, as before: installing the lean set into it would prune its devDependencies.
 *
 * Everything stays in the one root node_modules, so the examples keep importing "oauthkit" by the
 * package's own name (resolved through package.json "exports" to dist/, as a user's code does).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

/**
 * What the reference server imports (test/quickstart-packages.test.ts checks this list against
 * its imports), plus what `npm run build` and `node --import tsx` need. better-sqlite3 only where
 * Node has no node:sqlite (Node 20; examples/mcp-server/storage.ts picks the engine the same way).
 */
export function quickstartPackages({ hasNodeSqlite = nodeHasSqlite() } = {}) {
  return [
    "@modelcontextprotocol/sdk", // examples/mcp-server/mcp.ts
    "redis", // REDIS_URL
    "pg", // DATABASE_URL
    ...(hasNodeSqlite ? [] : ["better-sqlite3"]), // the default SQLite file on Node 20
    "tsx", // runs the TypeScript sources; its esbuild builds dist/ (scripts/build-js.mjs)
  ];
}

function nodeHasSqlite() {
  try {
    return process.getBuiltinModule?.("node:sqlite") !== undefined;
  } catch {
    return false; // Node 22.5–22.12 without --experimental-sqlite
  }
}

function npm(args) {
  console.log(`> npm ${args.join(" ")}`);
  const { status, error } = spawnSync("npm", args, { cwd: root, stdio: "inherit" });
  if (error !== undefined) throw error;
  if (status !== 0) process.exit(status ?? 1);
}

// Run as a script (not when a test imports quickstartPackages).
function node(args) {
  console.log(`> node ${args.join(" ")}`);
  const { status, error } = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  if (error !== undefined) throw error;
  if (status !== 0) process.exit(status ?? 1);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const flags = ["--no-audit", "--no-fund"];
  if (existsSync(new URL("../node_modules/vitest/package.json", import.meta.url))) {
    npm(["install", ...flags]);
    npm(["run", "build"]);
  } else {
    const specs = quickstartPackages().map((name) => {
      const range = pkg.devDependencies[name];
      if (range === undefined) throw new Error(`${name} is not in package.json devDependencies`);
      return `${name}@${range}`;
    });
    // npm warns "Removing devDependencies.X in favor of dependencies.X": expected, and not saved.
    console.log("Installing only what the reference server needs (npm test installs everything).");
    npm(["install", "--omit=dev", "--no-save", "--save-prod", ...flags, ...specs]);
    node(["scripts/build-js.mjs"]);
  }
}

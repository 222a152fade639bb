/**
 * The quickstart's build (scripts/example-prepare.mjs on a fresh clone): dist/*.js for every entry
 * of tsup.config.ts, JavaScript only, with the esbuild that tsx already brings. tsup would bring
 * rollup and, through its optional peer, TypeScript (~45 MB) for declarations that tsx never reads;
 * `npm run build` (tsup) stays the build of record, with the declarations.
 */
import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";

const root = new URL("..", import.meta.url);
// tsx's own esbuild (nested under tsx when the lockfile hoists another version for tsup and vite).
const { build } = createRequire(new URL("node_modules/tsx/package.json", root))("esbuild");
const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8"));
const tsup = readFileSync(new URL("tsup.config.ts", root), "utf8");

// The same entries and externals as tsup.config.ts (read from it, as typedoc.config.mjs does).
const entryBlock = /entry:\s*\{([^}]*)\}/.exec(tsup)?.[1];
const externalBlock = /external:\s*\[([^\]]*)\]/.exec(tsup)?.[1];
if (entryBlock === undefined || externalBlock === undefined) throw new Error("scripts/build-js.mjs: no entry or external in tsup.config.ts");
const entryPoints = Object.fromEntries([...entryBlock.matchAll(/"?([\w-]+)"?\s*:\s*"(src\/[^"]+\.ts)"/g)].map(([, name, source]) => [name, source]));
if (Object.keys(entryPoints).length === 0) throw new Error("scripts/build-js.mjs: no entries read from tsup.config.ts");
// tsup leaves dependencies and peer dependencies external too.
const external = [...new Set([...[...externalBlock.matchAll(/"([^"]+)"/g)].map(([, name]) => name), ...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})])];

rmSync(new URL("dist", root), { recursive: true, force: true });
await build({
  absWorkingDir: new URL(".", root).pathname,
  entryPoints,
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  sourcemap: true,
  treeShaking: true,
  // tsup.config.ts also leaves node: builtins external (a regular expression the parse above skips):
  // only the Node entry (src/node/) imports them.
  external: [...external.flatMap((name) => [name, `${name}/*`]), "node:*"],
  logLevel: "info",
});

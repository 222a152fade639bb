/**
 * `npm run example` on a fresh clone installs only scripts/example-prepare.mjs's list (plus
 * oauthkit's dependencies): every package the reference server imports, from its own files and the
 * local files they import, must be on it, or the quickstart breaks while the full install (which
 * has everything) hides it. The installed size is measured by scripts/quickstart-size.mjs in CI.
 */
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { quickstartPackages } from "../scripts/example-prepare.mjs";

const root = join(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};

/** Bare specifiers imported by `entry` and every local file it reaches. */
function bareImports(entry: string): { packages: Set<string>; files: string[] } {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, "utf8");
    // import … from "x", export … from "x", import("x"), require("x") (createRequire(…)("x") too).
    for (const [, specifier] of source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\)\s*\(\s*|\brequire\s*\(\s*)"([^"]+)"/g)) {
      if (specifier!.startsWith(".")) {
        queue.push(resolve(dirname(file), specifier!.replace(/\.js$/, ".ts")));
      } else if (!specifier!.startsWith("node:") && !builtinModules.includes(specifier!)) {
        const [scopeOrName, name] = specifier!.split("/");
        packages.add(scopeOrName!.startsWith("@") ? `${scopeOrName}/${name}` : scopeOrName!);
      }
    }
  }
  return { packages, files: [...seen].map((file) => relative(root, file)) };
}

describe("the quickstart's packages (npm run example)", () => {
  const { packages, files } = bareImports(join(root, "examples/mcp-server/server.ts"));

  it("follows the reference server through its local imports", () => {
    expect(files).toEqual(expect.arrayContaining(["examples/mcp-server/server.ts", "examples/mcp-server/mcp.ts", "examples/node-http/serve.ts"]));
    expect(packages).toEqual(new Set(["oauthkit", "@modelcontextprotocol/sdk", "redis", "pg", "better-sqlite3"]));
  });

  it("installs every package the reference server imports, on Node 20 (no node:sqlite) and later", () => {
    const lean = quickstartPackages({ hasNodeSqlite: false });
    for (const name of packages) if (name !== "oauthkit") expect(lean, name).toContain(name);
    // With node:sqlite (Node ≥ 22.13) the native better-sqlite3 build is left out.
    expect(quickstartPackages({ hasNodeSqlite: true })).not.toContain("better-sqlite3");
  });

  it("builds with the esbuild that tsx brings (scripts/build-js.mjs imports it)", () => {
    const tsx = JSON.parse(readFileSync(join(root, "node_modules/tsx/package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(quickstartPackages({ hasNodeSqlite: true })).toContain("tsx");
    expect(tsx.dependencies.esbuild).toBeDefined();
    expect(readFileSync(join(root, "scripts/build-js.mjs"), "utf8")).toMatch(/createRequire\(new URL\("node_modules\/tsx\/package.json", root\)\)\("esbuild"\)/);
  });

  it("takes each version from package.json devDependencies (one pin for development and quickstart)", () => {
    for (const name of quickstartPackages({ hasNodeSqlite: false })) expect(pkg.devDependencies[name], name).toBeDefined();
  });

  it("is what npm run example runs: the lean install and build, then the reference server", () => {
    expect(pkg.scripts.example).toBe("node scripts/example-prepare.mjs && node --import tsx examples/mcp-server/server.ts");
  });
});

/**
 * The mutation-testing configuration follows the code: every module it mutates and every test file
 * it runs exists, so a module that moves (or a test file that is renamed) fails here instead of
 * silently dropping out of `npm run test:mutation`, which only warns about a pattern that matches
 * nothing.
 */
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import mutationVitest from "../vitest.mutation.config.js";

const root = join(import.meta.dirname, "..");

interface StrykerOptions {
  mutate: string[];
  thresholds: { break: number };
  jsonReporter: { fileName: string };
  vitest: { configFile: string };
}

/** The files a pattern of the mutation config names: a path, or a `*` in the last segment. */
function matching(pattern: string): string[] {
  const dir = dirname(pattern);
  const name = pattern.slice(dir.length + 1);
  if (!name.includes("*")) return existsSync(join(root, pattern)) ? [pattern] : [];
  const regex = new RegExp(`^${name.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*")}$`);
  return existsSync(join(root, dir)) ? readdirSync(join(root, dir)).filter((file) => regex.test(file)) : [];
}

describe("mutation testing configuration (docs/testing.md)", () => {
  it("mutates files that exist, among them the security-critical modules", async () => {
    const stryker = (await import(pathToFileURL(join(root, "stryker.config.mjs")).href)).default as StrykerOptions;
    for (const file of stryker.mutate) expect(matching(file), file).toEqual([file]);
    for (const module of ["src/rules/pkce.ts", "src/clients/authenticate.ts", "src/clients/redirect-uri.ts", "src/grants/authorization-code.ts", "src/grants/refresh-token.ts", "src/resource/bearer.ts", "src/rules/scope.ts"]) {
      expect(stryker.mutate).toContain(module);
    }
    expect(stryker.thresholds.break).toBe(90);
    expect(stryker.jsonReporter.fileName).toBe("reports/mutation/mutation.json");
    expect(stryker.vitest.configFile).toBe("vitest.mutation.config.ts");
  });

  it("runs test files that exist, and none of the suites that start processes", () => {
    const include = mutationVitest.test?.include ?? [];
    expect(include.length).toBeGreaterThan(0);
    for (const pattern of include) {
      expect(matching(pattern), pattern).not.toHaveLength(0);
      expect(pattern).not.toMatch(/^test\/(examples|interop|runtimes|storage|fuzz)\//);
    }
  });
});

/**
 * The same build on Node, Bun and Deno: the built `dist/` runs a full code flow (registration,
 * PKCE, exchange, rotation, bearer validation) on each real runtime, installed from npm as dev
 * dependencies (`bun`, `deno`). `npm test` builds `dist/` before the tests run.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const flow = join(import.meta.dirname, "flow.mjs");
const built = existsSync(join(root, "dist", "index.js"));

const runtimes: [string, string, string[]][] = [
  ["node", process.execPath, [flow]],
  ["bun", join(root, "node_modules", ".bin", "bun"), [flow]],
  ["deno", join(root, "node_modules", ".bin", "deno"), ["run", "--allow-read", flow]],
];

describe.skipIf(!built)("the built library on each runtime", () => {
  it.each(runtimes)("%s runs the full flow", (_name, binary, args) => {
    expect(existsSync(binary), `${binary} is missing: run npm install`).toBe(true);
    const output = execFileSync(binary, args, { cwd: root, encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } });
    expect(JSON.parse(output.trim().split("\n").at(-1)!)).toEqual({ subject: "runtime-user", rotated: true });
  }, 60_000);
  it("bun runs oauthkit/sqlite on bun:sqlite: migrations, the full flow, code replay and rotation races, tombstones, a second connection (RFC 6749 §4.1.2, RFC 9700 §4.14.2)", () => {
    const bun = runtimes[1]![1];
    const output = execFileSync(bun, [join(import.meta.dirname, "sqlite-bun.mjs")], { cwd: root, encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } });
    expect(JSON.parse(output.trim().split("\n").at(-1)!)).toEqual({ subject: "runtime-user", rotated: true });
  }, 60_000);
  it("bun passes the whole storage conformance suite on bun:sqlite (bun test, the suite's vitest API mapped onto bun:test)", () => {
    const bun = runtimes[1]![1];
    const args = ["test", "--preload", "./test/runtimes/bun-vitest-shim.mjs", "./test/runtimes/sqlite-bun.conformance.mjs"];
    // bun test reports on stderr; a failing case makes it exit non-zero, which execFileSync throws.
    const result = spawnSync(bun, args, { cwd: root, encoding: "utf8", timeout: 120_000, env: { ...process.env, NO_COLOR: "1" } });
    const report = `${result.stdout}${result.stderr}`;
    expect(result.status, report).toBe(0);
    expect(report).toMatch(/^ 0 fail$/m);
    expect(Number(/^ (\d+) pass$/m.exec(report)?.[1])).toBeGreaterThanOrEqual(38);
  }, 120_000);
});

if (!built) {
  if (process.env.CI === "true") throw new Error("dist/ is missing: npm test builds it before running the tests");
  console.warn("[skip] runtime tests: dist/ not built (npm run build)");
}

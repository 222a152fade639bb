/**
 * The framework examples (examples/hono, express, fastify, bun, deno, nextjs), each started as its
 * own process on a free port exactly as its README says, then driven through the full OAuth + MCP
 * flow over HTTP. The examples import "oauthkit" from the built dist/ (`npm test` builds it first).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: plain JavaScript module shared with the CI smoke script
import { runExampleFlow } from "../../scripts/example-flow.mjs";
import { type RunningExample, distBuilt, root, startProcess } from "./child-process.js";

const bin = (name: string) => join(root, "node_modules", ".bin", name);

const examples: {
  name: string;
  command: string;
  args: string[];
  /** Arguments for a build run with the same command before the start. */
  build?: string[];
  env?: Record<string, string>;
  /** What the output must show once the example answers (default: "ready on <origin>"). */
  ready?: (origin: string) => RegExp;
}[] = [
  { name: "hono", command: process.execPath, args: ["--import", "tsx", "examples/hono/server.ts"] },
  { name: "express", command: process.execPath, args: ["--import", "tsx", "examples/express/server.ts"] },
  { name: "fastify", command: process.execPath, args: ["--import", "tsx", "examples/fastify/server.ts"] },
  { name: "bun", command: bin("bun"), args: ["examples/bun/server.ts"] },
  {
    name: "deno",
    command: bin("deno"),
    args: ["run", "--sloppy-imports", "--allow-net", "--allow-env", "--allow-read", "--allow-sys", "examples/deno/server.ts"],
  },
  {
    // Built into examples/nextjs/.next (git-ignored), then served by `next start`, which prints
    // "- Local: <origin>" and "✓ Ready in …" rather than a "ready on" line.
    name: "nextjs",
    command: bin("next"),
    args: ["start", "examples/nextjs", "-H", "localhost"],
    build: ["build", "examples/nextjs"],
    env: { NEXT_TELEMETRY_DISABLED: "1" },
    ready: (origin) => new RegExp(`Local:\\s+${origin}\\n[^]*Ready in`),
  },
];

describe.skipIf(!distBuilt("framework examples")).each(examples)("the $name example", ({ name, command, args, build, env, ready }) => {
  const missing = !existsSync(command);
  if (missing) {
    if (process.env.CI === "true") throw new Error(`${command} is missing: run npm install`);
    console.warn(`[skip] ${name} example: ${command} is missing (npm install)`);
  }
  let running: RunningExample | undefined;

  beforeAll(async () => {
    if (missing) return;
    if (build) {
      await promisify(execFile)(command, build, { cwd: root, env: { ...process.env, ...env }, timeout: 180_000 }).catch((error) => {
        throw new Error(`${name} build failed (${error.signal ?? error.code}):\n${error.stdout}${error.stderr}`);
      });
    }
    running = await startProcess({ command, args, ...(env ? { env } : {}) });
  }, build ? 200_000 : 45_000);

  // Runs even when beforeAll failed, so no example process outlives the test run.
  afterAll(() => running?.stop());

  it.skipIf(missing)("prints its ready line and runs the whole flow as demo", async () => {
    if (ready) expect(running!.output()).toMatch(ready(running!.origin));
    else expect(running!.output()).toContain(`ready on ${running!.origin}`);
    const result = await runExampleFlow(running!.origin, { username: "demo", password: "demo" });
    expect(result.subject).toBe("demo");
  }, 60_000);
});

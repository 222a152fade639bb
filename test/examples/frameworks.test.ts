/**
 * The framework examples (examples/hono, express, fastify, bun, deno), each started as its own
 * process on a free port exactly as its README says, then driven through the full OAuth + MCP flow
 * over HTTP. The examples import "oauthkit" from the built dist/ (`npm test` builds it first).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: plain JavaScript module shared with the CI smoke script
import { runExampleFlow } from "../../scripts/example-flow.mjs";

const root = join(import.meta.dirname, "..", "..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);
const ci = process.env.CI === "true";
const built = existsSync(join(root, "dist", "index.js"));

const examples: { name: string; command: string; args: string[] }[] = [
  { name: "hono", command: process.execPath, args: ["--import", "tsx", "examples/hono/server.ts"] },
  { name: "express", command: process.execPath, args: ["--import", "tsx", "examples/express/server.ts"] },
  { name: "fastify", command: process.execPath, args: ["--import", "tsx", "examples/fastify/server.ts"] },
  { name: "bun", command: bin("bun"), args: ["examples/bun/server.ts"] },
  {
    name: "deno",
    command: bin("deno"),
    args: ["run", "--sloppy-imports", "--allow-net", "--allow-env", "--allow-read", "--allow-sys", "examples/deno/server.ts"],
  },
];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "localhost", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls the metadata endpoint until it answers 200; fails early if the child exits. */
async function waitUntilReady(origin: string, child: ChildProcess, output: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`example exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
    try {
      const response = await fetch(`${origin}/.well-known/oauth-authorization-server`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`example not ready after ${timeoutMs} ms:\n${output()}`);
}

if (!built) {
  if (ci) throw new Error("dist/ is missing: npm test builds it before running the tests");
  console.warn("[skip] framework examples: dist/ not built (npx tsup)");
}

describe.skipIf(!built).each(examples)("the $name example", ({ name, command, args }) => {
  const missing = !existsSync(command);
  if (missing) {
    if (ci) throw new Error(`${command} is missing: run npm install`);
    console.warn(`[skip] ${name} example: ${command} is missing (npm install)`);
  }
  let child: ChildProcess | undefined;
  let output = "";
  let origin = "";

  beforeAll(async () => {
    if (missing) return;
    const port = await freePort();
    origin = `http://localhost:${port}`;
    child = spawn(command, args, { cwd: root, env: { ...process.env, PORT: String(port), NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await waitUntilReady(origin, child, () => output);
  }, 45_000);

  // Runs even when beforeAll failed, so no example process outlives the test run.
  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill();
  });

  it.skipIf(missing)("prints its ready line and runs the whole flow as demo", async () => {
    expect(output).toContain("ready on");
    const result = await runExampleFlow(origin, { username: "demo", password: "demo" });
    expect(result.subject).toBe("demo");
  }, 60_000);
});

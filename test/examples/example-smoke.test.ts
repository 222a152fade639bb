/**
 * scripts/example-smoke.mjs, as CI runs it after `npm run build`: it must print its PASS line, exit
 * 0, and leave no reference server behind.
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { distBuilt, root } from "./child-process.js";

function runSmoke(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["scripts/example-smoke.mjs"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill(), 45_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe.skipIf(!distBuilt("example smoke script"))("scripts/example-smoke.mjs", () => {
  it("runs the reference server's full flow, prints PASS, exits 0 and stops the server", async () => {
    const { code, output } = await runSmoke();
    expect(output).toMatch(/^example smoke: PASS/m);
    expect(code).toBe(0);
    // The server it started is gone: its origin no longer answers.
    const origin = /ready on (http:\/\/localhost:\d+)/.exec(output)?.[1];
    expect(origin).toBeDefined();
    await expect(fetch(`${origin}/.well-known/oauth-authorization-server`)).rejects.toThrow();
  }, 60_000);
});

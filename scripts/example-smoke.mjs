/**
 * CI smoke test of the README's first command: starts the reference server as `npm run example`
 * does (after its install and build steps, which CI has done), waits for its metadata, runs one
 * full flow against it, and stops it.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { runExampleFlow } from "./example-flow.mjs";

const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, "127.0.0.1", () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const origin = `http://localhost:${port}`;
const child = spawn(process.execPath, ["--import", "tsx", "examples/mcp-server/server.ts"], {
  env: { ...process.env, PORT: String(port) },
  stdio: ["ignore", "inherit", "inherit"],
});

// A hung flow must not hang CI: give up after a minute, still stopping the server.
const watchdog = setTimeout(() => {
  console.error("example smoke: FAIL: no result within 60 s");
  child.kill();
  process.exit(1);
}, 60_000);
watchdog.unref();

try {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the reference server exited with ${child.exitCode}`);
    const ready = await fetch(`${origin}/.well-known/oauth-authorization-server`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) throw new Error("the reference server did not answer within 30 s");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const { subject } = await runExampleFlow(origin);
  const { error } = await runExampleFlow(origin, { decision: "deny" });
  if (error !== "access_denied") throw new Error(`denial answered ${error}`);
  console.log(`example smoke: PASS (whoami answered "${subject}"; denial redirected with access_denied)`);
} catch (error) {
  console.error(`example smoke: FAIL: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
} finally {
  // Wait for the server to be gone, so nothing outlives the script.
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill();
    await exited;
  }
  clearTimeout(watchdog);
}

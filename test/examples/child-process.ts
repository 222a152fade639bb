/**
 * Starting an example as its own process on a free port, and stopping it: the examples import
 * "oauthkit" from the built dist/, as a user's code does.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const root = join(import.meta.dirname, "..", "..");

/** Whether dist/ is built; in CI a missing build is a failure, locally a skip. */
export function distBuilt(suite: string): boolean {
  if (existsSync(join(root, "dist", "index.js"))) return true;
  if (process.env.CI === "true") throw new Error("dist/ is missing: npm test builds it before running the tests");
  console.warn(`[skip] ${suite}: dist/ not built (npx tsup)`);
  return false;
}

/** A port nothing listens on (port 0 semantics, then released for the child to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "localhost", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RunningExample {
  origin: string;
  child: ChildProcess;
  /** Everything the child printed so far. */
  output(): string;
  stop(): void;
}

/** Spawns `node --import tsx <file>` with PORT set and waits until its AS metadata answers. */
export function startExample(file: string, env: Record<string, string> = {}): Promise<RunningExample> {
  return startProcess({ command: process.execPath, args: ["--import", "tsx", file], env });
}

/** Spawns any command (a Bun or Deno example too) with PORT set and waits until its AS metadata answers. */
export async function startProcess(options: {
  command: string;
  args: readonly string[];
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<RunningExample> {
  const { command, args, env = {}, timeoutMs = 30_000 } = options;
  const name = args.at(-1) ?? command;
  // A restart test passes the previous run's PORT: same origin, so same issuer and resource.
  const port = env.PORT === undefined ? await freePort() : Number(env.PORT);
  const origin = `http://localhost:${port}`;
  // The reference server keeps its data in a SQLite file by default: each process gets its own
  // (fresh state, nothing written into the repository) unless the test names one.
  const dataDir = mkdtempSync(join(tmpdir(), "oauthkit-example-"));
  const sqlitePath = join(dataDir, "oauthkit.sqlite");
  const child = spawn(command, args, {
    cwd: root,
    env: { SQLITE_PATH: sqlitePath, ...process.env, ...env, PORT: String(port), NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const running: RunningExample = {
    origin,
    child,
    output: () => output,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}):\n${output}`);
    const ready = await fetch(`${origin}/.well-known/oauth-authorization-server`, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return running;
    if (Date.now() > deadline) {
      running.stop();
      throw new Error(`${name} did not answer within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

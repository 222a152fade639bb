/**
 * Throwaway database servers for the adapter tests: a real `redis-server`, a real three-node Redis
 * Cluster and a real PostgreSQL, each on free ports with its data in a temporary directory, stopped
 * afterwards.
 *
 * When a binary is missing the adapter suites are skipped with the reason printed, except on CI
 * (`CI=true`), where a missing server fails the run: a green CI must mean the adapters ran.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { accessSync, chmodSync, constants, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { describe, it } from "vitest";

/** Returns the absolute path of an executable, searching PATH then `extraDirs`, or null. */
export function findBinary(name: string, extraDirs: string[] = []): string | null {
  for (const dir of [...(process.env.PATH ?? "").split(delimiter), ...extraDirs]) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Declares the suite as skipped (with the reason in its title and on stderr), or throws on CI.
 */
export function serverMissing(suite: string, reason: string): void {
  if (process.env.CI === "true") {
    throw new Error(`${suite}: ${reason}. CI=true, so this fails instead of skipping.`);
  }
  console.warn(`[skip] ${suite}: ${reason}`);
  describe.skip(`${suite} (skipped: ${reason})`, () => {
    it("needs the server binary", () => {});
  });
}

/** A free TCP port on 127.0.0.1 (redis-server does not accept port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function waitForOutput(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => fail(new Error(`${what} did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (pattern.test(output)) done();
    };
    const onExit = (code: number | null): void => fail(new Error(`${what} exited with ${code}:\n${output}`));
    function cleanup(): void {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
    }
    function done(): void {
      cleanup();
      resolve();
    }
    function fail(error: Error): void {
      cleanup();
      reject(error);
    }
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", onExit);
  });
}

function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

/** A running server and how to reach and stop it. */
export interface RunningServer {
  port: number;
  stop(): Promise<void>;
}

export interface RunningRedis extends RunningServer {
  url: string;
}

export const redisBinary = (): string | null => findBinary("redis-server");

/** Starts `redis-server` without persistence on a free port. */
export async function startRedis(binary: string): Promise<RunningRedis> {
  const dir = mkdtempSync(join(tmpdir(), "oauthkit-redis-"));
  const port = await freePort();
  const child = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  await waitForOutput(child, /Ready to accept connections/, "redis-server");
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await stopProcess(child, "SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RunningRedisCluster {
  /** The nodes' URLs (all masters), e.g. for `createCluster({ rootNodes: [{ url }] })`. */
  urls: string[];
  stop(): Promise<void>;
}

/** redis-cli next to redis-server (it creates the cluster), or null. */
export const redisCliBinary = (server: string): string | null => findBinary("redis-cli", [dirname(server)]);

/**
 * Starts a real three-node Redis Cluster (three masters, no replicas): `redis-server
 * --cluster-enabled yes` on three free ports, each in its own temp dir, joined with `redis-cli
 * --cluster create … --cluster-replicas 0 --cluster-yes`; resolves once every node reports
 * `cluster_state:ok`.
 */
export async function startRedisCluster(binary: string, cli: string): Promise<RunningRedisCluster> {
  const nodes: Array<{ port: number; dir: string; child: ChildProcess }> = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => stopProcess(node.child, "SIGTERM")));
    for (const node of nodes) rmSync(node.dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 3; i++) {
      const dir = mkdtempSync(join(tmpdir(), "oauthkit-redis-cluster-"));
      const port = await freePort();
      const child = spawn(
        binary,
        [
          "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir,
          "--cluster-enabled", "yes", "--cluster-config-file", join(dir, "nodes.conf"), "--cluster-node-timeout", "5000",
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      nodes.push({ port, dir, child });
      await waitForOutput(child, /Ready to accept connections/, "redis-server (cluster node)");
    }
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    execFileSync(cli, ["--cluster", "create", ...addresses, "--cluster-replicas", "0", "--cluster-yes"], { stdio: "pipe", timeout: 60_000 });
    const deadline = Date.now() + 30_000;
    for (const node of nodes) {
      for (;;) {
        const info = execFileSync(cli, ["-h", "127.0.0.1", "-p", String(node.port), "cluster", "info"], { encoding: "utf8", timeout: 10_000 });
        if (info.includes("cluster_state:ok")) break;
        if (Date.now() > deadline) throw new Error(`Redis Cluster not ok within 30 s:\n${info}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { urls: nodes.map((node) => `redis://127.0.0.1:${node.port}`), stop };
}

export interface RunningPostgres extends RunningServer {
  /** Connection settings for `pg` (`new Pool({ ...connection })`). */
  connection: { host: string; port: number; user: string; database: string };
}

/** initdb and postgres: on PATH, or in Debian's /usr/lib/postgresql/<version>/bin (newest first). */
export function postgresBinaries(): { initdb: string; postgres: string } | null {
  let debianDirs: string[] = [];
  try {
    debianDirs = readdirSync("/usr/lib/postgresql")
      .sort((a, b) => Number(b) - Number(a))
      .map((version) => `/usr/lib/postgresql/${version}/bin`);
  } catch {
    // not Debian-style
  }
  const initdb = findBinary("initdb", debianDirs);
  const postgres = findBinary("postgres", debianDirs);
  return initdb !== null && postgres !== null ? { initdb, postgres } : null;
}

/**
 * PostgreSQL refuses to run as root (CI containers often are): then run it as the `postgres`
 * user through runuser, with the data directory owned by that user.
 */
function asPostgresUser(): { wrap: (command: string, args: string[]) => [string, string[]]; chown: (path: string) => void } {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot) return { wrap: (command, args) => [command, args], chown: () => {} };
  const runuser = findBinary("runuser", ["/usr/sbin", "/sbin"]);
  if (runuser === null) throw new Error("running as root and runuser is missing: cannot start postgres as a non-root user");
  return {
    wrap: (command, args) => [runuser, ["-u", "postgres", "--", command, ...args]],
    chown: (path) => execFileSync("chown", ["-R", "postgres:postgres", path]),
  };
}

/** A fresh PostgreSQL data directory (initdb, owned by the user postgres runs as) and a free port. */
async function initPostgres(initdb: string) {
  const dir = mkdtempSync(join(tmpdir(), "oauthkit-pg-"));
  chmodSync(dir, 0o755);
  const data = join(dir, "data");
  const user = asPostgresUser();
  user.chown(dir);
  const [initCommand, initArgs] = user.wrap(initdb, ["-D", data, "-U", "oauthkit", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
  execFileSync(initCommand, initArgs, { stdio: "pipe" });
  return { dir, data, user, port: await freePort() };
}

/** initdb into a temp dir and starts postgres on a free port (fsync off: throwaway data). */
export async function startPostgres(binaries: { initdb: string; postgres: string }): Promise<RunningPostgres> {
  const { dir, data, user, port } = await initPostgres(binaries.initdb);
  const [command, args] = user.wrap(binaries.postgres, [
    "-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1",
    "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=100",
  ]);
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  await waitForOutput(child, /database system is ready to accept connections/, "postgres");
  return {
    port,
    connection: { host: "127.0.0.1", port, user: "oauthkit", database: "postgres" },
    async stop() {
      // SIGINT to the postmaster itself: "fast shutdown" (disconnects clients, no waiting for them).
      // Its pid is the first line of postmaster.pid; runuser, when used, does not forward SIGINT.
      try {
        const pid = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
        if (Number.isInteger(pid) && pid > 0) process.kill(pid, "SIGINT");
      } catch {
        // already gone
      }
      await stopProcess(child, "SIGINT");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A server that can be stopped and started again on the same port and data, to test an outage. */
export interface RestartableServer extends RunningServer {
  /** Stops the server the way an operator would; its data stays. */
  shutdown(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  restart(): Promise<void>;
}

export interface RestartableRedis extends RestartableServer {
  url: string;
}

/**
 * Starts `redis-server` with AOF persistence (`appendfsync always`), so that `redis-cli shutdown`
 * and a restart on the same directory keep every acknowledged write.
 */
export async function startRestartableRedis(binary: string): Promise<RestartableRedis> {
  const dir = mkdtempSync(join(tmpdir(), "oauthkit-redis-"));
  const port = await freePort();
  const cli = findBinary("redis-cli", [dirname(binary)]);
  if (cli === null) throw new Error("redis-cli not found next to redis-server");
  let child: ChildProcess;
  const start = async () => {
    child = spawn(
      binary,
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", dir],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    await waitForOutput(child, /Ready to accept connections/, "redis-server");
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async shutdown() {
      const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", () => resolve())));
      execFileSync(cli, ["-h", "127.0.0.1", "-p", String(port), "shutdown"], { stdio: "pipe" });
      await exited;
    },
    restart: start,
    async stop() {
      await stopProcess(child, "SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RestartablePostgres extends RestartableServer {
  connection: { host: string; port: number; user: string; database: string };
}

/**
 * initdb into a temp dir and runs postgres under `pg_ctl`, so that `pg_ctl stop -m fast` (every
 * connection cut) and `pg_ctl start` on the same data directory simulate an outage.
 */
export async function startRestartablePostgres(binaries: { initdb: string; postgres: string }): Promise<RestartablePostgres> {
  const pgCtl = findBinary("pg_ctl", [dirname(binaries.postgres)]);
  if (pgCtl === null) throw new Error("pg_ctl not found next to postgres");
  const { dir, data, user, port } = await initPostgres(binaries.initdb);
  const options = [
    `-p ${port}`, `-k ${dir}`, "-c listen_addresses=127.0.0.1", "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
  ].join(" ");
  const ctl = (args: string[]) => {
    const [command, wrapped] = user.wrap(pgCtl, args);
    execFileSync(command, wrapped, { stdio: "pipe", timeout: 60_000 });
  };
  const start = async () => ctl(["start", "-D", data, "-w", "-t", "30", "-l", join(dir, "postgres.log"), "-o", options]);
  await start();
  return {
    port,
    connection: { host: "127.0.0.1", port, user: "oauthkit", database: "postgres" },
    // -m fast: active transactions are rolled back and every client is disconnected.
    shutdown: async () => ctl(["stop", "-D", data, "-w", "-m", "fast"]),
    restart: start,
    async stop() {
      try {
        ctl(["stop", "-D", data, "-w", "-m", "immediate"]);
      } catch {
        // not running
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

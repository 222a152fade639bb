/**
 * CI check of the README's first command on a fresh clone: clones this repository's HEAD into a
 * temporary directory, runs `npm run example`'s install and build steps there, prints the size of
 * node_modules, fails above 150 MB or on any engine warning (EBADENGINE) from npm, then runs the
 * reference server from that lean install through one full flow (scripts/example-smoke.mjs).
 *
 * Usage: node scripts/quickstart-size.mjs [--keep]   (--keep leaves the clone for inspection)
 */
import { spawn } from "node:child_process";
import { lstatSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const LIMIT_MB = 150;
const root = fileURLToPath(new URL("..", import.meta.url));
const keep = process.argv.includes("--keep");

/** Runs a command, echoing and returning its output (npm writes its warnings to stderr). */
function run(command, args, cwd) {
  console.log(`quickstart: ${command} ${args.join(" ")}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    for (const stream of [child.stdout, child.stderr]) {
      stream.on("data", (chunk) => {
        output += chunk;
        process.stdout.write(chunk);
      });
    }
    child.once("error", reject);
    child.once("close", (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(" ")} exited with ${code}`))));
  });
}

/** Disk usage in bytes, as du counts it (allocated blocks; symbolic links not followed). */
function diskUsage(path) {
  const stat = lstatSync(path);
  let bytes = stat.blocks * 512;
  if (stat.isDirectory()) for (const name of readdirSync(path)) bytes += diskUsage(join(path, name));
  return bytes;
}

const dir = mkdtempSync(join(tmpdir(), "oauthkit-quickstart-"));
const clone = join(dir, "oauthkit");
try {
  await run("git", ["clone", "--quiet", root, clone], dir);
  const install = await run(process.execPath, ["scripts/example-prepare.mjs"], clone);
  const megabytes = diskUsage(join(clone, "node_modules")) / 1e6;
  const packages = readdirSync(join(clone, "node_modules")).flatMap((name) =>
    name.startsWith("@") ? readdirSync(join(clone, "node_modules", name)) : name.startsWith(".") ? [] : [name],
  ).length;
  console.log(`quickstart: node_modules is ${megabytes.toFixed(1)} MB (${packages} top-level packages; limit ${LIMIT_MB} MB) on Node ${process.version}`);
  const problems = [];
  if (megabytes > LIMIT_MB) problems.push(`node_modules is ${megabytes.toFixed(1)} MB, above ${LIMIT_MB} MB`);
  if (/EBADENGINE/.test(install)) problems.push("npm printed an engine warning (EBADENGINE)");
  if (problems.length > 0) throw new Error(problems.join("; "));
  await run(process.execPath, ["scripts/example-smoke.mjs"], clone);
  console.log("quickstart: PASS");
} catch (error) {
  console.error(`quickstart: FAIL: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
} finally {
  if (keep) console.log(`quickstart: the clone is in ${clone}`);
  else rmSync(dir, { recursive: true, force: true });
}

/**
 * The demo's settings from the environment: the demo account and the proxies to trust. A wrong
 * value stops the server at start, naming the variable.
 */
import type { DemoUser } from "./authorize.js";

/**
 * The demo account: DEMO_USER (default `demo`) with DEMO_PASSWORD; only without DEMO_PASSWORD is
 * the password the well-known `demo`, and the hint printed at start says so.
 *
 * @throws {TypeError} when DEMO_USER or DEMO_PASSWORD is set but empty.
 */
export function demoUserFromEnvironment(env: Record<string, string | undefined>): { demo: DemoUser; signInHint: string } {
  for (const name of ["DEMO_USER", "DEMO_PASSWORD"] as const) {
    if (env[name] !== undefined && env[name]!.trim() === "") throw new TypeError(`${name} is set but empty: unset it or give it a value`);
  }
  const username = env.DEMO_USER ?? "demo";
  if (env.DEMO_PASSWORD !== undefined) {
    return { demo: { username, password: env.DEMO_PASSWORD }, signInHint: `sign in as ${username} with the password from DEMO_PASSWORD` };
  }
  return { demo: { username, password: "demo" }, signInHint: `sign in as ${username} / demo (default credentials; set DEMO_PASSWORD to change)` };
}

/**
 * TRUST_PROXY: how many proxies in front of the server append to X-Forwarded-For (`true` is 1);
 * unset, the client address is the connection's and X-Forwarded-For is ignored, since any client
 * can send one.
 *
 * @throws {TypeError} when TRUST_PROXY is neither a whole number nor true/false.
 */
export function trustProxyFromEnvironment(env: Record<string, string | undefined>): number {
  const value = (env.TRUST_PROXY ?? "").trim().toLowerCase();
  if (value === "" || value === "false") return 0;
  if (value === "true") return 1;
  if (/^\d{1,2}$/.test(value)) return Number(value);
  throw new TypeError(`TRUST_PROXY must be the number of proxies in front of the server (or true/false), not "${env.TRUST_PROXY}"`);
}

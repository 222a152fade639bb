/**
 * The demo's settings from the environment: the demo account and the proxies to trust. A wrong
 * value stops the server at start, naming the variable.
 */
import type { SealingKey, UpstreamConfig } from "oauthkit";
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

/**
 * Federated mode from the environment (docs/federation.md): UPSTREAM_ISSUER, or
 * UPSTREAM_AUTHORIZATION_ENDPOINT + UPSTREAM_TOKEN_ENDPOINT [+ UPSTREAM_USERINFO_ENDPOINT];
 * UPSTREAM_CLIENT_ID, UPSTREAM_CLIENT_SECRET, UPSTREAM_TOKEN_AUTH_METHOD, UPSTREAM_SCOPE (spaces);
 * and PROPS_KEYS (`id:key,…`, newest first; keys from generateToken()), which seal the upstream
 * tokens at rest. `undefined` when no UPSTREAM_* variable is set.
 *
 * @throws {TypeError} naming the variable when the configuration is incomplete or malformed.
 */
export function upstreamFromEnvironment(env: Record<string, string | undefined>): { upstream: UpstreamConfig; propsKeys: SealingKey[] } | undefined {
  const value = (name: string): string | undefined => {
    const raw = env[name];
    if (raw !== undefined && raw.trim() === "") throw new TypeError(`${name} is set but empty: unset it or give it a value`);
    return raw?.trim();
  };
  const issuer = value("UPSTREAM_ISSUER");
  const authorizationEndpoint = value("UPSTREAM_AUTHORIZATION_ENDPOINT");
  const tokenEndpoint = value("UPSTREAM_TOKEN_ENDPOINT");
  const userinfoEndpoint = value("UPSTREAM_USERINFO_ENDPOINT");
  const clientId = value("UPSTREAM_CLIENT_ID");
  if ([issuer, authorizationEndpoint, tokenEndpoint, userinfoEndpoint, clientId].every((v) => v === undefined)) return undefined;
  if (clientId === undefined) throw new TypeError("UPSTREAM_CLIENT_ID is required in federated mode");
  if (issuer === undefined && (authorizationEndpoint === undefined || tokenEndpoint === undefined)) {
    throw new TypeError("UPSTREAM_ISSUER, or UPSTREAM_AUTHORIZATION_ENDPOINT and UPSTREAM_TOKEN_ENDPOINT, are required in federated mode");
  }
  const method = value("UPSTREAM_TOKEN_AUTH_METHOD");
  if (method !== undefined && !["client_secret_basic", "client_secret_post", "none"].includes(method)) {
    throw new TypeError(`UPSTREAM_TOKEN_AUTH_METHOD must be client_secret_basic, client_secret_post or none, not "${method}"`);
  }
  const keys = value("PROPS_KEYS");
  if (keys === undefined) throw new TypeError("PROPS_KEYS is required in federated mode (id:key,… newest first; generateToken() makes a key): the upstream tokens are sealed with it");
  const propsKeys = keys.split(",").map((entry) => {
    const [id, key] = entry.trim().split(":");
    if (id === undefined || key === undefined) throw new TypeError("PROPS_KEYS must be a comma-separated list of id:key");
    return { id, key };
  });
  const secret = value("UPSTREAM_CLIENT_SECRET");
  const scope = value("UPSTREAM_SCOPE");
  const upstream: UpstreamConfig = {
    clientId,
    ...(issuer === undefined ? {} : { issuer }),
    ...(authorizationEndpoint === undefined ? {} : { authorizationEndpoint }),
    ...(tokenEndpoint === undefined ? {} : { tokenEndpoint }),
    ...(userinfoEndpoint === undefined ? {} : { userinfoEndpoint }),
    ...(secret === undefined ? {} : { clientSecret: secret }),
    ...(method === undefined ? {} : { tokenEndpointAuthMethod: method as UpstreamConfig["tokenEndpointAuthMethod"] & string }),
    ...(scope === undefined ? {} : { scope: scope.split(/\s+/) }),
  };
  return { upstream, propsKeys };
}

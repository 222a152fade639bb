/**
 * Interop: Python's authlib (Debian's python3-authlib, OAuth2Session on requests) as the client,
 * run by /usr/bin/python3 against an in-process server over real HTTP on 127.0.0.1. The script,
 * test/interop/authlib_client.py, prints what the server answered as JSON; the assertions are here.
 */
import { execFile, spawnSync } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ClientAuthenticationMethod,
  createMemoryStorage,
  generateToken,
  hashToken,
  hashTaggedToken,
  refreshFamilyHash,
} from "../../src/index.js";
import { registerClient } from "../support/fixtures.js";
import { type RunningServer, serveApprovingHost } from "../support/http.js";

const PYTHON = "/usr/bin/python3";
const SCRIPT = join(import.meta.dirname, "authlib_client.py");
const REDIRECT_URI = "http://127.0.0.1/callback";
const RS = { id: "rs", secret: "rs-secret" };

/** Whether authlib and requests import under the system Python; in CI their absence is a failure. */
function authlibAvailable(): boolean {
  const probe = spawnSync(PYTHON, ["-c", "import authlib, requests"], { encoding: "utf8", timeout: 15_000 });
  if (probe.status === 0) return true;
  const why = probe.error ? `${PYTHON} cannot run (${probe.error.message})` : `${PYTHON} cannot import authlib and requests (${probe.stderr.trim().split("\n").at(-1)})`;
  if (process.env.CI === "true") throw new Error(`authlib interop: ${why}: install python3-authlib python3-requests (apt-get)`);
  console.warn(`[skip] authlib interop: ${why}; install python3-authlib python3-requests (apt-get) to run it`);
  return false;
}

const available = authlibAvailable();

let running: RunningServer;
const storage = createMemoryStorage();

async function register(method: ClientAuthenticationMethod, chosenSecret?: string) {
  const clientId = `authlib-${method}-${generateToken().slice(0, 8)}`;
  const { secret } = await registerClient(storage, { method, clientId, redirectUris: [REDIRECT_URI], ...(chosenSecret === undefined ? {} : { secret: chosenSecret }) });
  return { clientId, secret, method };
}

const execFileAsync = promisify(execFile);

/** Runs one scenario of the Python script and returns the JSON it printed. */
async function runScript(
  scenario: string,
  client: { clientId?: string; secret?: string | undefined; method: ClientAuthenticationMethod },
): Promise<any> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    AUTH_METHOD: client.method,
    INTROSPECT_ID: RS.id,
    INTROSPECT_SECRET: RS.secret,
    PYTHONDONTWRITEBYTECODE: "1",
  };
  if (client.clientId !== undefined) env.CLIENT_ID = client.clientId;
  if (client.secret !== undefined) env.CLIENT_SECRET = client.secret;
  try {
    const { stdout } = await execFileAsync(PYTHON, [SCRIPT, scenario, running.url], { env, timeout: 30_000, encoding: "utf8" });
    return JSON.parse(stdout);
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`authlib_client.py ${scenario} failed:\n${stderr ?? ""}${stdout ?? ""}`, { cause: error });
  }
}

describe.skipIf(!available)("authlib (Python) interop", () => {
  beforeAll(async () => {
    running = await serveApprovingHost((origin) => ({
      issuer: origin,
      storage,
      scopesSupported: ["read", "write"],
      resources: [`${origin}/api`],
      endpoints: { registration: "/register" },
      introspectionCredentials: [{ id: RS.id, secretHash: hashToken(RS.secret) }],
    }));
  });

  afterAll(() => running?.close());

  /** What every complete flow must show, whichever way the client was registered. */
  async function expectCompleteFlow(result: any, clientId: string) {
    // RFC 9207: the script refused the response unless iss was the issuer; the issuer is ours.
    expect(result.issuer).toBe(running.url);
    expect(result.authorize).toEqual({ status: 302, iss: running.url });
    expect(result.token).toEqual({ token_type: "Bearer", scope: "read write", expires_in: 3600 });
    expect(result.has_refresh_token).toBe(true);
    expect(result.api).toEqual({ status: 200, body: { hello: "alice" }, www_authenticate: null });
    // RFC 9700 §4.14.2: refreshing rotates the refresh token.
    expect(result.rotated).toBe(true);
    expect(result.new_access_token).toBe(true);
    expect(result.api_refreshed.status).toBe(200);
    // RFC 7662 §2.2
    expect(result.introspection.status).toBe(200);
    expect(result.introspection.body).toMatchObject({
      active: true,
      sub: "alice",
      client_id: clientId,
      scope: "read write",
      aud: `${running.url}/api`,
      token_type: "Bearer",
    });
    // RFC 7009 §2.2: 200; revoking the refresh token revoked its grant, access token included.
    expect(result.revocation).toEqual({ status: 200 });
    expect(result.api_revoked.status).toBe(401);
    expect(result.api_revoked.www_authenticate).toContain('error="invalid_token"');
    expect(result.introspection_revoked).toEqual({ status: 200, body: { active: false } });
    // Gone from the store, not just hidden behind the API.
    expect(await storage.getGrantByRefreshFamily(refreshFamilyHash(result.final.refresh_token))).toBeNull();
    expect(await storage.getAccessToken(hashTaggedToken(result.final.access_token))).toBeNull();
  }

  describe.each(["client_secret_basic", "client_secret_post", "none"] as const)("with %s", (method) => {
    it("code + PKCE S256 (RFC 7636 §4.2), iss (RFC 9207 §2.4), API call (RFC 6750 §2.1), refresh (RFC 6749 §6), introspection (RFC 7662 §2.2), revocation (RFC 7009 §2.2)", async () => {
      const client = await register(method);
      const result = await runScript("flow", client);
      await expectCompleteFlow(result, client.clientId);
    }, 40_000);

    it("RFC 9700 §4.14.2: a rotated-out refresh token is refused with invalid_grant and revokes the grant", async () => {
      const result = await runScript("rotation", await register(method));
      expect(result.rotated).toBe(true);
      expect(result.replay.error).toBe("invalid_grant");
      // Reuse detection: the successor and its access token die with the grant.
      expect(result.successor_after_reuse.error).toBe("invalid_grant");
      expect(result.api_after_reuse.status).toBe(401);
      expect(await storage.getGrantByRefreshFamily(refreshFamilyHash(result.successor))).toBeNull();
    }, 40_000);
  });

  describe("client authentication failures", () => {
    it("RFC 6749 §5.2: a wrong client secret through authlib gives 401 invalid_client with a Basic challenge", async () => {
      const client = await register("client_secret_basic");
      const result = await runScript("wrong-secret", client);
      expect(result.refused.error).toBe("invalid_client");
      expect(result.refused.status).toBe(401);
      expect(result.refused.www_authenticate).toBe(`Basic realm="${running.url}", charset="UTF-8"`);
      // The unauthenticated request did not consume the code: the real client still redeems it.
      expect(result.then_with_right_secret).toEqual({ token_type: "Bearer" });
    }, 40_000);

    it("RFC 6749 §2.3: authlib's default revocation auth (Basic) for a client_secret_post client is refused, revoking nothing", async () => {
      const client = await register("client_secret_post");
      const result = await runScript("revoke-default-method", client);
      expect(result.sent_basic).toBe(true);
      expect(result.status).toBe(401);
      expect(result.body.error).toBe("invalid_client");
      expect(result.api.status).toBe(200);
    }, 40_000);
  });

  describe("RFC 6749 §2.3.1: authlib sends client_secret_basic credentials without form-urlencoding them", () => {
    it("a secret generated by oauthkit (base64url) needs no encoding, so it works", async () => {
      const secret = generateToken();
      expect(secret).toMatch(/^[A-Za-z0-9_-]+$/);
      const result = await runScript("exchange", await register("client_secret_basic", secret));
      expect(result).toEqual({ ok: true, token_type: "Bearer" });
    }, 40_000);

    it("a secret with + and % is decoded by the server as §2.3.1 says, so authlib's raw form is refused", async () => {
      const result = await runScript("exchange", await register("client_secret_basic", "pa+ss%word: with spaces"));
      expect(result).toEqual({ ok: false, error: "invalid_client" });
    }, 40_000);

    it("the same secret works through authlib's client_secret_post, which form-encodes the body", async () => {
      const result = await runScript("exchange", await register("client_secret_post", "pa+ss%word: with spaces"));
      expect(result).toEqual({ ok: true, token_type: "Bearer" });
    }, 40_000);
  });

  describe("RFC 7591 §3.2.1: a client registered dynamically from Python", () => {
    it.each(["client_secret_basic", "none"] as const)("registers as %s with a JSON POST and completes the flow", async (method) => {
      const before = await storage.countClients();
      const result = await runScript("dcr", { method });
      expect(result.registration).toEqual({ status: 201, token_endpoint_auth_method: method, has_client_secret: method !== "none" });
      expect(await storage.countClients()).toBe(before + 1);
      // The generated secret went through authlib's (unencoded) Basic auth for the basic client.
      const clientId = result.flow.introspection.body.client_id as string;
      expect(await storage.getClient(clientId)).toMatchObject({ token_endpoint_auth_method: method, client_name: "authlib interop" });
      await expectCompleteFlow(result.flow, clientId);
    }, 40_000);
  });
});

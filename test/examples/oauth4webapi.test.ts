/**
 * The quickstart, the node:http example and the reference MCP server, each started as its own
 * process (the reference server exactly as `npm run example` starts it, minus install and build)
 * and driven over real HTTP by oauth4webapi as an MCP client would: 401 → protected resource
 * metadata (RFC 9728) → AS metadata (RFC 8414) → dynamic registration (RFC 7591) → authorization
 * with PKCE (RFC 7636) and `iss` (RFC 9207) → code exchange → protected call → refresh (RFC 6749 §6).
 */
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: plain JavaScript module shared with the CI smoke script
import { signInAndDecide } from "../../scripts/example-flow.mjs";
import { type RunningExample, distBuilt, startExample } from "./child-process.js";

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const REDIRECT_URI = "http://127.0.0.1:53124/callback";

interface Target {
  name: string;
  file: string;
  env?: Record<string, string>;
  /** The user's part: from the authorization URL to the redirect back to the client. */
  authorize(url: URL): Promise<URL>;
  /** Calls the protected route and returns the subject it answers with. */
  whoIsThis(origin: string, accessToken: string): Promise<string>;
  subject: string;
}

// The quickstart's /authorize approves at once for its fixed user.
async function followRedirect(url: URL): Promise<URL> {
  const response = await fetch(url, { redirect: "manual" });
  expect(response.status).toBe(302);
  return new URL(response.headers.get("location")!);
}

async function helloSubject(origin: string, accessToken: string): Promise<string> {
  const response = await oauth.protectedResourceRequest(accessToken, "GET", new URL(`${origin}/mcp`), undefined, undefined, insecure);
  expect(response.status).toBe(200);
  return ((await response.json()) as { hello: string }).hello;
}

async function mcpWhoami(origin: string, accessToken: string): Promise<string> {
  const headers = new Headers({ "Content-Type": "application/json", Accept: "application/json, text/event-stream", "MCP-Protocol-Version": "2025-06-18" });
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "whoami", arguments: {} } });
  const response = await oauth.protectedResourceRequest(accessToken, "POST", new URL(`${origin}/mcp`), headers, body, insecure);
  expect(response.status).toBe(200);
  return ((await response.json()) as { result: { content: { text: string }[] } }).result.content[0]!.text;
}

const targets: Target[] = [
  { name: "quickstart", file: "examples/quickstart.ts", authorize: followRedirect, whoIsThis: helloSubject, subject: "user-123" },
  {
    name: "node-http example",
    file: "examples/node-http/server.ts",
    authorize: (url) => signInAndDecide(url, { expectClientName: "oauth4webapi" }),
    whoIsThis: mcpWhoami,
    subject: "demo",
  },
  {
    name: "reference MCP server",
    file: "examples/mcp-server/server.ts",
    env: { DEMO_USER: "ada", DEMO_PASSWORD: "lovelace" },
    authorize: (url) => signInAndDecide(url, { username: "ada", password: "lovelace", expectClientName: "oauth4webapi" }),
    whoIsThis: mcpWhoami,
    subject: "ada",
  },
];

describe.skipIf(!distBuilt("oauth4webapi against the examples")).each(targets)("oauth4webapi against the $name", (target) => {
  let running: RunningExample | undefined;
  beforeAll(async () => {
    running = await startExample(target.file, target.env);
  }, 45_000);
  // Runs even when beforeAll failed half-way, so no example outlives the run.
  afterAll(() => running?.stop());

  it("prints a ready line naming its origin", () => {
    expect(running!.output()).toMatch(new RegExp(`ready on ${running!.origin}`));
  });

  it("discovers from the 401, registers, authorizes, exchanges, calls the protected route and refreshes", async () => {
    const { origin } = running!;
    const resource = new URL(`${origin}/mcp`);

    // RFC 6750 §3 / RFC 9728 §5.1: the challenge points at the protected resource metadata.
    const challenge = await fetch(resource, { method: "POST" });
    expect(challenge.status).toBe(401);
    const resourceMetadataUrl = /resource_metadata="([^"]+)"/.exec(challenge.headers.get("www-authenticate") ?? "")?.[1];
    expect(resourceMetadataUrl).toBe(`${origin}/.well-known/oauth-protected-resource/mcp`);

    const rs = await oauth.processResourceDiscoveryResponse(resource, await oauth.resourceDiscoveryRequest(resource, insecure));
    const issuer = new URL(rs.authorization_servers![0]!);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...insecure }));
    expect(as.registration_endpoint).toBe(`${origin}/register`);
    expect(as.code_challenge_methods_supported).toEqual(["S256"]);

    const client = await oauth.processDynamicClientRegistrationResponse(
      await oauth.dynamicClientRegistrationRequest(
        as,
        {
          client_name: "oauth4webapi",
          redirect_uris: [REDIRECT_URI],
          token_endpoint_auth_method: "none",
          grant_types: ["authorization_code", "refresh_token"],
        },
        insecure,
      ),
    );

    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      response_type: "code",
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      scope: "mcp",
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      resource: rs.resource,
    }).toString();
    // Checks `state` and, as the metadata advertises it, `iss`.
    const params = oauth.validateAuthResponse(as, client, await target.authorize(url), state);

    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT_URI, verifier, insecure),
    );
    expect(tokens.scope).toBe("mcp");
    expect(await target.whoIsThis(origin, tokens.access_token)).toBe(target.subject);

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, insecure),
    );
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(await target.whoIsThis(origin, refreshed.access_token)).toBe(target.subject);
  }, 30_000);
});

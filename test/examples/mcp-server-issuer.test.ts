/**
 * The reference server behind a proxy or tunnel: with ISSUER set, every document and challenge
 * names the public origin, and requests forwarded to the local port are still routed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningExample, distBuilt, startExample } from "./child-process.js";

const ISSUER = "https://mcp.example.com";

describe.skipIf(!distBuilt("reference server behind a proxy"))("reference server with ISSUER set", () => {
  let running: RunningExample | undefined;
  beforeAll(async () => {
    running = await startExample("examples/mcp-server/server.ts", { ISSUER });
  }, 45_000);
  afterAll(() => running?.stop());

  it("says at start that TRUST_PROXY is needed for per-client sign-in throttling behind a proxy", async () => {
    for (let i = 0; i < 100 && !running!.output().includes("TRUST_PROXY"); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(running!.output()).toContain("Behind a proxy or tunnel: set TRUST_PROXY=1 (the number of proxies) so sign-in throttling counts per client address.");
  });

  it("serves the AS metadata for the public issuer (RFC 8414 §3)", async () => {
    const metadata = await (await fetch(`${running!.origin}/.well-known/oauth-authorization-server`)).json();
    expect(metadata).toMatchObject({ issuer: ISSUER, token_endpoint: `${ISSUER}/token`, registration_endpoint: `${ISSUER}/register` });
  });

  it("serves the protected resource metadata of the public /mcp (RFC 9728 §3)", async () => {
    const metadata = await (await fetch(`${running!.origin}/.well-known/oauth-protected-resource/mcp`)).json();
    expect(metadata).toMatchObject({ resource: `${ISSUER}/mcp`, authorization_servers: [ISSUER] });
  });

  it("points the 401 challenge at the public metadata URL (RFC 9728 §5.1)", async () => {
    const response = await fetch(`${running!.origin}/mcp`, { method: "POST" });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain(`resource_metadata="${ISSUER}/.well-known/oauth-protected-resource/mcp"`);
  });

  it("sets a Secure, __Host- prefixed nonce cookie on the sign-in page (no sibling subdomain can plant one)", async () => {
    const client = await (await fetch(`${running!.origin}/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ redirect_uris: ["http://127.0.0.1/cb"], token_endpoint_auth_method: "none" }),
    })).json();
    const page = await fetch(`${running!.origin}/authorize?response_type=code&client_id=${client.client_id}&code_challenge=${"a".repeat(43)}&code_challenge_method=S256`);
    expect(page.status).toBe(200);
    expect(page.headers.get("set-cookie")).toMatch(/^__Host-oauthkit_demo_signin=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=900; HttpOnly; SameSite=Lax; Secure$/);
  });
});

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

  it("sets a Secure session cookie on the sign-in page", async () => {
    const client = await (await fetch(`${running!.origin}/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ redirect_uris: ["http://127.0.0.1/cb"], token_endpoint_auth_method: "none" }),
    })).json();
    const page = await fetch(`${running!.origin}/authorize?response_type=code&client_id=${client.client_id}&code_challenge=${"a".repeat(43)}&code_challenge_method=S256`);
    expect(page.status).toBe(200);
    expect(page.headers.get("set-cookie")).toMatch(/; HttpOnly; SameSite=Lax; Secure$/);
  });
});

/**
 * The end-to-end part of the conformance suite: an authorization server over the store under
 * test, driven through the public API, with its storage calls counted per operation.
 *
 * @module
 */
import { describe, expect, it } from "vitest";
import { generateId, generateToken, hashToken } from "../crypto.js";
import { type AuthorizationServer, createAuthorizationServer } from "../server.js";
import type { ClientRecord, Storage } from "../storage/types.js";
import { type StorageMethod, countStorageCalls } from "./count-calls.js";

export const FLOW_ISSUER = "https://as.example.com";
export const FLOW_RESOURCE = "https://api.example.com/mcp";
const REDIRECT_URI = "https://client.example.com/callback";
// RFC 7636 Appendix B.
const VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/** A confidential client registered for the flow, with its secret in clear (the store has the hash). */
export interface FlowClient {
  clientId: string;
  secret: string;
}

const FLOW_PROPS = { keys: [{ id: "flow", key: generateToken() }] };

export function flowServer(storage: Storage): AuthorizationServer {
  return createAuthorizationServer({
    issuer: FLOW_ISSUER,
    storage,
    scopesSupported: ["read", "write"],
    resources: [FLOW_RESOURCE],
    // One key for every flow server of the process: instances over one store must share it.
    props: FLOW_PROPS,
  });
}

export async function registerFlowClient(storage: Storage): Promise<FlowClient> {
  const secret = generateToken();
  const record: ClientRecord = {
    client_id: `client-${generateId()}`,
    client_secret_hash: hashToken(secret),
    token_endpoint_auth_method: "client_secret_basic",
    redirect_uris: [REDIRECT_URI],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
  };
  if (!(await storage.createClient(record))) throw new Error("could not register the flow client");
  return { clientId: record.client_id, secret };
}

/** Runs the authorization step through the server and returns the code. */
export async function authorize(server: AuthorizationServer, client: FlowClient): Promise<string> {
  const url = new URL(`${FLOW_ISSUER}/authorize`);
  const params = { response_type: "code", client_id: client.clientId, redirect_uri: REDIRECT_URI, scope: "read write", state: "s", code_challenge: CHALLENGE, code_challenge_method: "S256" };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  const request = await server.parseAuthorizationRequest(new Request(url));
  if (request instanceof Response) throw new Error(`authorization request refused with ${request.status}`);
  const redirect = await server.issueAuthorizationCode(request, { subject: "user-1", props: { tenant: "t1" } });
  const code = new URL(redirect.headers.get("location") ?? "").searchParams.get("code");
  if (code === null) throw new Error("no code in the redirect");
  return code;
}

function tokenRequest(client: FlowClient, body: Record<string, string>): Request {
  return new Request(`${FLOW_ISSUER}/token`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      // Our ids and secrets are base64url, which needs no RFC 6749 §2.3.1 form-encoding.
      Authorization: `Basic ${btoa(`${client.clientId}:${client.secret}`)}`,
    },
    body: new URLSearchParams(body).toString(),
  });
}

export function exchangeCode(server: AuthorizationServer, client: FlowClient, code: string): Promise<Response> {
  return server.handleTokenRequest(tokenRequest(client, { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, code_verifier: VERIFIER }));
}

export function refresh(server: AuthorizationServer, client: FlowClient, refreshToken: string): Promise<Response> {
  return server.handleTokenRequest(tokenRequest(client, { grant_type: "refresh_token", refresh_token: refreshToken }));
}

export function revoke(server: AuthorizationServer, client: FlowClient, token: string): Promise<Response> {
  const request = tokenRequest(client, { token });
  return server.handleRevocationRequest(new Request(`${FLOW_ISSUER}/revoke`, request));
}

export function validateBearer(server: AuthorizationServer, accessToken: string): Promise<unknown> {
  return server.validateBearerToken(new Request(FLOW_RESOURCE, { headers: { Authorization: `Bearer ${accessToken}` } }));
}

interface TokenResponse {
  access_token: string;
  refresh_token?: string;
}

/** The documented storage calls per operation (docs/storage.md). */
const LIMITS = {
  "authorization-code exchange": { atMost: 3 },
  refresh: { atMost: 3 },
  "bearer validation": { exactly: 1 },
} as const;

export function describeServerFlow(name: string, storage: () => Storage): void {
  describe("through createAuthorizationServer (docs/storage.md: storage calls per operation)", () => {
    it("exchange ≤ 3 calls, refresh ≤ 3, bearer validation exactly 1", async () => {
      const counted = countStorageCalls(storage());
      const server = flowServer(counted.storage);
      const client = await registerFlowClient(storage());
      const code = await authorize(server, client);
      const measured: Array<{ operation: keyof typeof LIMITS; calls: StorageMethod[] }> = [];

      counted.reset();
      const exchanged = await exchangeCode(server, client, code);
      expect(exchanged.status).toBe(200);
      measured.push({ operation: "authorization-code exchange", calls: [...counted.calls] });
      const tokens = (await exchanged.json()) as TokenResponse;
      expect(tokens.refresh_token).toBeTypeOf("string");

      counted.reset();
      const refreshed = await refresh(server, client, tokens.refresh_token!);
      expect(refreshed.status).toBe(200);
      measured.push({ operation: "refresh", calls: [...counted.calls] });
      const next = (await refreshed.json()) as TokenResponse;

      counted.reset();
      const info = await validateBearer(server, next.access_token);
      expect(info).not.toBeInstanceOf(Response);
      measured.push({ operation: "bearer validation", calls: [...counted.calls] });

      const width = Math.max(...measured.map((m) => m.operation.length));
      console.log(
        [`storage calls per operation (${name}):`, ...measured.map((m) => `  ${m.operation.padEnd(width)}  ${m.calls.length}  ${m.calls.join(", ")}`)].join("\n"),
      );
      for (const m of measured) {
        const limit: { atMost?: number; exactly?: number } = LIMITS[m.operation];
        if (limit.exactly !== undefined) expect(m.calls, m.operation).toHaveLength(limit.exactly);
        if (limit.atMost !== undefined) expect(m.calls.length, m.operation).toBeLessThanOrEqual(limit.atMost);
      }
    });

    it("a replayed code is refused and revokes the tokens of its first use (RFC 6749 §4.1.2)", async () => {
      const server = flowServer(storage());
      const client = await registerFlowClient(storage());
      const code = await authorize(server, client);
      const first = await exchangeCode(server, client, code);
      expect(first.status).toBe(200);
      const tokens = (await first.json()) as TokenResponse;
      const replay = await exchangeCode(server, client, code);
      expect(replay.status).toBe(400);
      expect(((await replay.json()) as { error: string }).error).toBe("invalid_grant");
      expect(await validateBearer(server, tokens.access_token)).toBeInstanceOf(Response);
      expect((await refresh(server, client, tokens.refresh_token!)).status).toBe(400);
    });
  });
}

/**
 * Interop with the official MCP SDK client: `StreamableHTTPClientTransport` with an
 * `OAuthClientProvider` starts unauthenticated against the reference server, discovers the
 * authorization server from the 401 (RFC 9728 → RFC 8414), registers itself (RFC 7591), sends the
 * user through sign-in and consent (the test plays the user), exchanges the code with PKCE, calls
 * `whoami`, and refreshes when its access token stops working. No part of the SDK is mocked.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStorage, hashToken } from "../../src/index.js";
import { createApp } from "../../examples/mcp-server/app.js";
import { serve } from "../../examples/node-http/serve.js";
// @ts-expect-error: plain JavaScript module shared with the CI smoke script
import { signInAndDecide } from "../../scripts/example-flow.mjs";

const REDIRECT_URL = "http://127.0.0.1:8976/callback";

/** An in-memory client, as a desktop MCP client would keep its state. */
class TestOAuthProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  /** Set to use a client ID metadata document instead of registering. */
  clientMetadataUrl: string | undefined;
  private information: OAuthClientInformationMixed | undefined;
  private savedTokens: OAuthTokens | undefined;
  private verifier = "";

  get redirectUrl(): string {
    return REDIRECT_URL;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "MCP SDK interop test",
      redirect_uris: [REDIRECT_URL],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }
  clientInformation() {
    return this.information;
  }
  saveClientInformation(information: OAuthClientInformationMixed) {
    this.information = information;
  }
  tokens() {
    return this.savedTokens;
  }
  saveTokens(tokens: OAuthTokens) {
    this.savedTokens = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

let running: Awaited<ReturnType<typeof serve>>;
const storage = createMemoryStorage();

beforeAll(async () => {
  running = await serve(
    (origin) => createApp({ issuer: origin, storage, demo: { username: "demo", password: "demo" } }).handle,
    { port: 0, hostname: "127.0.0.1" },
  );
});
afterAll(() => running.close());

async function connect(provider: TestOAuthProvider) {
  const transport = new StreamableHTTPClientTransport(new URL(`${running.origin}/mcp`), { authProvider: provider });
  const client = new Client({ name: "oauthkit-interop", version: "0.0.0" });
  await client.connect(transport);
  return { client, transport };
}

async function whoami(client: Client): Promise<string> {
  const result = await client.callTool({ name: "whoami", arguments: {} });
  return (result.content as { type: string; text: string }[])[0]!.text;
}

describe("MCP SDK client against the reference server", () => {
  it("identifies itself by a client ID metadata document (CIMD) instead of registering", async () => {
    // The document is served by the test: CIMD needs https, so the server's fetch is injected.
    const documentUrl = "https://mcp-client.example.com/oauth/client.json";
    const fetched: string[] = [];
    const cimdStorage = createMemoryStorage();
    const cimd = await serve(
      (origin) =>
        createApp({
          issuer: origin,
          storage: cimdStorage,
          demo: { username: "demo", password: "demo" },
          clientIdMetadataDocuments: {
            fetch: async (request) => {
              fetched.push(request.url);
              return Response.json({ ...new TestOAuthProvider().clientMetadata, client_id: documentUrl, client_name: "CIMD client" });
            },
          },
        }).handle,
      { port: 0, hostname: "127.0.0.1" },
    );
    try {
      const provider = new TestOAuthProvider();
      provider.clientMetadataUrl = documentUrl;
      const transport = new StreamableHTTPClientTransport(new URL(`${cimd.origin}/mcp`), { authProvider: provider });
      await expect(new Client({ name: "oauthkit-interop", version: "0.0.0" }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
      expect(provider.authorizationUrl!.searchParams.get("client_id")).toBe(documentUrl);
      expect(await cimdStorage.countClients()).toBe(0); // nothing registered
      const callback: URL = await signInAndDecide(provider.authorizationUrl!, { expectClientName: "CIMD client" });
      await transport.finishAuth(callback.searchParams.get("code")!);
      const client = new Client({ name: "oauthkit-interop", version: "0.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${cimd.origin}/mcp`), { authProvider: provider }));
      expect(await whoami(client)).toBe("demo");
      await client.close();
      expect(fetched[0]).toBe(documentUrl);
    } finally {
      await cimd.close();
    }
  });

  it("discovers, registers (DCR), authorizes, calls whoami, and refreshes", async () => {
    const provider = new TestOAuthProvider();

    // 1. Unauthenticated: the SDK follows the 401 to the metadata, registers and asks for authorization.
    const transport = new StreamableHTTPClientTransport(new URL(`${running.origin}/mcp`), { authProvider: provider });
    await expect(new Client({ name: "oauthkit-interop", version: "0.0.0" }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    const registered = provider.clientInformation();
    expect(registered?.client_id).toBeTruthy();
    expect(await storage.getClient(registered!.client_id)).toMatchObject({ client_name: "MCP SDK interop test", token_endpoint_auth_method: "none" });
    const authorizationUrl = provider.authorizationUrl!;
    expect(authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorizationUrl.searchParams.get("resource")).toBe(`${running.origin}/mcp`);

    // 2. The user signs in and approves; the SDK exchanges the code.
    const callback: URL = await signInAndDecide(authorizationUrl, { expectClientName: "MCP SDK interop test" });
    expect(callback.searchParams.get("iss")).toBe(running.origin);
    await transport.finishAuth(callback.searchParams.get("code")!);
    const first = provider.tokens()!;
    expect(first.refresh_token).toBeTruthy();

    // 3. Connected: whoami answers with the token's subject.
    const { client } = await connect(provider);
    expect(await whoami(client)).toBe("demo");
    await client.close();

    // 4. The access token stops working (revoked here, as expiry would); the SDK refreshes on the
    //    401 and retries with the new token.
    await storage.revokeAccessToken(hashToken(first.access_token));
    const again = await connect(provider);
    expect(await whoami(again.client)).toBe("demo");
    const second = provider.tokens()!;
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    await again.client.close();
  });
});

/**
 * The README's integration snippet, run as written: its handler serves metadata, refuses /mcp
 * without a token, and completes the code flow — by hand, and driven by the official MCP SDK
 * client (401 → RFC 9728 → RFC 8414 → RFC 7591 registration → PKCE authorization → token), with
 * the SDK's fetch answered by the snippet's `handle` in process (no port to collide with).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { RFC7636_CHALLENGE, RFC7636_VERIFIER } from "./support/fixtures.js";
import { InMemoryOAuthProvider } from "./support/mcp-sdk-provider.js";

const root = join(import.meta.dirname, "..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const snippet = /## A minimal server\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];

const issuer = "http://localhost:3000";

// The snippet is plain TS written to a file and imported: untyped here, as a reader would paste it.
async function loadSnippet(name: string): Promise<{ handle: (request: Request) => Promise<any>; oauth: any }> {
  mkdirSync(join(root, ".tmp"), { recursive: true });
  const file = join(root, ".tmp", `readme-snippet-${name}.ts`);
  writeFileSync(file, `${snippet}\nexport { handle, oauth };\n`);
  return import(/* @vite-ignore */ file);
}


describe("README snippet", () => {
  it("is there, and about 30 lines", () => {
    expect(snippet).toBeDefined();
    expect(snippet!.split("\n").length).toBeLessThanOrEqual(35);
  });

  it("serves metadata, protects /mcp, and completes the code flow", async () => {
    const { handle, oauth } = await loadSnippet("by-hand");

    const metadata = await handle(new Request(`${issuer}/.well-known/oauth-authorization-server`));
    expect((await metadata.json()).issuer).toBe(issuer);
    const mcp = await handle(new Request(`${issuer}/mcp`));
    expect(mcp.status).toBe(401);
    expect(mcp.headers.get("www-authenticate")).toContain("resource_metadata=");

    await oauth.config.storage.createClient({
      client_id: "readme-client",
      token_endpoint_auth_method: "none",
      redirect_uris: ["http://127.0.0.1/callback"],
      grant_types: ["authorization_code"],
      response_types: ["code"],
    });
    const authorize = await handle(
      new Request(`${issuer}/authorize?response_type=code&client_id=readme-client&code_challenge=${RFC7636_CHALLENGE}&code_challenge_method=S256`),
    );
    const code = new URL(authorize.headers.get("location")).searchParams.get("code") ?? "";
    const token = await handle(
      new Request(`${issuer}/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "authorization_code", code, client_id: "readme-client", code_verifier: RFC7636_VERIFIER }),
      }),
    );
    const { access_token } = await token.json();
    const hello = await handle(new Request(`${issuer}/mcp`, { headers: { Authorization: `Bearer ${access_token}` } }));
    expect(await hello.json()).toEqual({ hello: "user-123" });
  });

  it("lets the MCP SDK client discover, register (RFC 7591), authorize with PKCE and get a token for /mcp (MCP authorization)", async () => {
    const { handle, oauth } = await loadSnippet("mcp-sdk");
    const requests: string[] = [];
    const fetchInProcess = async (url: string | URL, init?: RequestInit) => {
      const request = new Request(url, init);
      requests.push(`${request.method} ${new URL(request.url).pathname}`);
      return handle(request);
    };
    // The SDK client's state; its "browser" is the snippet's handler, which approves at once.
    const provider = new InMemoryOAuthProvider({
      name: "README MCP client",
      redirectUrl: "http://127.0.0.1:8976/callback",
      issuer,
      async authorize(url) {
        const response = await handle(new Request(url));
        expect(response.status).toBe(302);
        return new URL(response.headers.get("location")!);
      },
    });
    const transport = new StreamableHTTPClientTransport(new URL(`${issuer}/mcp`), { authProvider: provider, fetch: fetchInProcess });
    await expect(new Client({ name: "readme-client", version: "0.0.0" }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);

    // 401 → protected resource metadata → AS metadata → registration → authorization.
    expect(requests).toEqual(
      expect.arrayContaining([
        "POST /mcp",
        "GET /.well-known/oauth-protected-resource/mcp",
        "GET /.well-known/oauth-authorization-server",
        "POST /register",
      ]),
    );
    const clientId = provider.information!.client_id;
    expect(await oauth.config.storage.getClient(clientId)).toMatchObject({ client_name: "README MCP client", token_endpoint_auth_method: "none" });
    expect(provider.authorizationUrl!.searchParams.get("code_challenge_method")).toBe("S256");
    expect(provider.authorizationUrl!.searchParams.get("resource")).toBe(`${issuer}/mcp`);

    // The SDK exchanges the code with its verifier; the token opens /mcp.
    await transport.finishAuth(provider.code!);
    expect(requests.at(-1)).toBe("POST /token");
    const tokens = provider.saved!;
    expect(tokens.token_type.toLowerCase()).toBe("bearer");
    expect(tokens.refresh_token).toBeTruthy();
    const hello = await handle(new Request(`${issuer}/mcp`, { headers: { Authorization: `Bearer ${tokens.access_token}` } }));
    expect(await hello.json()).toEqual({ hello: "user-123" });

    // Client ID metadata documents are advertised too (the other way MCP clients identify themselves).
    const metadata = await (await handle(new Request(`${issuer}/.well-known/oauth-authorization-server`))).json();
    expect(metadata).toMatchObject({ registration_endpoint: `${issuer}/register`, client_id_metadata_document_supported: true });
  });
});

/**
 * The reference server as one fetch handler: oauthkit's endpoints, the demo authorization
 * endpoint, and the MCP endpoint, all on one origin.
 */
import { type ClientIdMetadataDocumentConfig, OAuthError, type Storage, createAuthorizationServer, errorResponse } from "oauthkit";
import { type DemoUser, createAuthorizeHandler } from "./authorize.js";
import { createMcpHandler } from "./mcp.js";

export interface AppOptions {
  issuer: string;
  storage: Storage;
  demo: DemoUser;
  /** Client ID metadata documents (on by default); server.ts adds an SSRF guard. */
  clientIdMetadataDocuments?: ClientIdMetadataDocumentConfig;
  /** Registrations accepted before DCR answers 503 (default 10,000): open DCR must not fill memory. */
  maxClients?: number;
}

export function createApp(options: AppOptions) {
  const resource = `${options.issuer}/mcp`;
  const oauth = createAuthorizationServer({
    issuer: options.issuer,
    storage: options.storage,
    scopesSupported: ["mcp"],
    defaultScopes: ["mcp"],
    resources: [resource],
    endpoints: { registration: "/register" }, // open dynamic client registration…
    registration: { maxClients: options.maxClients ?? 10_000 }, // …bounded
    clientIdMetadataDocuments: options.clientIdMetadataDocuments ?? {}, // client_id as an https URL
  });
  const authorize = createAuthorizeHandler(oauth, options.issuer, options.demo);
  const mcp = createMcpHandler(oauth);

  async function route(request: Request): Promise<Response> {
    const handled = await oauth.handleRequest(request); // metadata, token, revoke, introspect, register
    if (handled !== null) return handled;
    const { pathname } = new URL(request.url);
    if (pathname === "/authorize") return authorize(request);
    if (pathname === "/mcp") return mcp(request);
    if (pathname === "/") return new Response(`oauthkit reference MCP server. MCP endpoint: ${resource}\n`);
    return new Response("Not found", { status: 404 });
  }

  async function handle(request: Request): Promise<Response> {
    try {
      return await route(request);
    } catch (error) {
      // oauthkit's handlers answer a failing store themselves; what is left (issueAuthorizationCode
      // when the store is down) gets the same answer: 500 server_error, the detail only in the log.
      console.error(error);
      return errorResponse(new OAuthError("server_error", "The server encountered an unexpected error."));
    }
  }
  return { handle, oauth, resource };
}

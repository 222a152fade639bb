/**
 * The MCP endpoint: a stateless streamable-HTTP MCP server with one tool, `whoami`, behind
 * oauthkit's bearer validation.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { AuthorizationServer, BearerTokenInfo } from "oauthkit";

function mcpServerFor(token: BearerTokenInfo): McpServer {
  const server = new McpServer({ name: "oauthkit-reference", version: "0.1.0" });
  server.registerTool("whoami", { description: "Returns the signed-in user (the token's subject)." }, async () => ({
    content: [{ type: "text", text: token.subject }],
  }));
  return server;
}

/** What /mcp asks of a token: issued for a signed-in user, with the `mcp` scope. */
const MCP_ROUTE = { requiredScopes: ["mcp"], requireUser: true } as const;

export function createMcpHandler(oauth: AuthorizationServer) {
  return async function mcp(request: Request): Promise<Response> {
    // 401 with WWW-Authenticate: Bearer resource_metadata="…" when the token is missing or bad, or
    // was issued to a client acting for itself (client_credentials): the tools act for a user.
    // 403 insufficient_scope when the token lacks the mcp scope.
    const token = await oauth.validateBearerToken(request, MCP_ROUTE);
    if (token instanceof Response) return token;
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await mcpServerFor(token).connect(transport);
    return transport.handleRequest(request, {
      authInfo: { token: "", clientId: token.clientId, scopes: token.scope, expiresAt: token.expiresAt },
    });
  };
}

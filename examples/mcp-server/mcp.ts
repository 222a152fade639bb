/**
 * The MCP endpoint: a stateless streamable-HTTP MCP server with one tool, `whoami`, behind
 * oauthkit's bearer validation.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { type AuthorizationServer, type BearerTokenInfo, type Federation, type UpstreamConfig, type UpstreamTokens, fetchUpstreamUserinfoSubject } from "oauthkit";

/** Federated mode: the upstream side, and the upstream for `upstream_whoami`. */
export interface FederatedMcp {
  federation: Federation;
  upstream: UpstreamConfig;
}

function mcpServerFor(token: BearerTokenInfo, federated: FederatedMcp | undefined): McpServer {
  const server = new McpServer({ name: "oauthkit-reference", version: "0.1.0" });
  server.registerTool("whoami", { description: "Returns the signed-in user (the token's subject)." }, async () => ({
    content: [{ type: "text", text: token.subject }],
  }));
  if (federated !== undefined) {
    // Proof that the sealed upstream token is usable: the upstream's own answer for its subject.
    server.registerTool("upstream_whoami", { description: "Calls the upstream userinfo with the stored upstream token; returns its sub." }, async () => {
      const upstream = token.props?.["upstream"] as UpstreamTokens | undefined;
      if (upstream === undefined) return { isError: true, content: [{ type: "text", text: "No upstream token on this grant." }] };
      try {
        return { content: [{ type: "text", text: await fetchUpstreamUserinfoSubject(federated.upstream, upstream.access_token) }] };
      } catch (error) {
        return { isError: true, content: [{ type: "text", text: (error as Error).message }] };
      }
    });
  }
  return server;
}

/** What /mcp asks of a token: issued for a signed-in user, with the `mcp` scope. */
const MCP_ROUTE = { requiredScopes: ["mcp"], requireUser: true } as const;

export function createMcpHandler(oauth: AuthorizationServer, federated?: FederatedMcp) {
  return async function mcp(request: Request): Promise<Response> {
    // 401 with WWW-Authenticate: Bearer resource_metadata="…" when the token is missing or bad, or
    // was issued to a client acting for itself (client_credentials): the tools act for a user.
    // 403 insufficient_scope when the token lacks the mcp scope.
    // Federated: the same validation, plus the upstream refresh (once) when the upstream token expires.
    const token = await (federated === undefined ? oauth.validateBearerToken(request, MCP_ROUTE) : federated.federation.validateBearerToken(request, MCP_ROUTE));
    if (token instanceof Response) return token;
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await mcpServerFor(token, federated).connect(transport);
    return transport.handleRequest(request, {
      authInfo: { token: "", clientId: token.clientId, scopes: token.scope, expiresAt: token.expiresAt },
    });
  };
}

/**
 * The MCP endpoint: a stateless streamable-HTTP MCP server with one tool, `whoami`, behind
 * oauthkit's bearer validation.
 *
 * Stateless as MCP 2026-07-28 has it: no session id is minted or needed, nothing of a client is
 * kept between requests, so any instance behind a round-robin balancer serves any request. The
 * MCP SDK installed (1.32.2, the newest release) speaks protocol versions up to 2025-11-25; a
 * 2026-07-28 client that sends `MCP-Protocol-Version: 2026-07-28` gets the SDK's
 * `400 Unsupported protocol version` and falls back to `initialize` (the 2026-07-28 transport's
 * backward-compatibility rule), so clients of both revisions connect.
 *
 * The MCP server (its tool registry, request schemas and JSON Schema validator) is built once, at
 * start; per request only the SDK's Web-standard transport is created (the SDK allows one HTTP
 * request per stateless transport), and {@link RequestMultiplexer} hands its messages to the
 * shared server.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage, MessageExtraInfo, RequestId } from "@modelcontextprotocol/sdk/types.js";
import { type AuthorizationServer, type Federation, type UpstreamConfig, type UpstreamTokens, fetchUpstreamUserinfoSubject } from "oauthkit";

/** Federated mode: the upstream side, and the upstream for `upstream_whoami`. */
export interface FederatedMcp {
  federation: Federation;
  upstream: UpstreamConfig;
}

/**
 * The reference server's MCP server, built once: its tools read the caller from `authInfo`
 * (`extra.subject`, and in federated mode `extra.upstream`, the grant's unsealed upstream tokens).
 */
export function createMcpServer(federated?: FederatedMcp): McpServer {
  const server = new McpServer({ name: "oauthkit-reference", version: "0.1.0" });
  server.registerTool("whoami", { description: "Returns the signed-in user (the token's subject)." }, async (extra) => ({
    content: [{ type: "text", text: String(extra.authInfo?.extra?.["subject"]) }],
  }));
  if (federated !== undefined) {
    // Proof that the sealed upstream token is usable: the upstream's own answer for its subject.
    server.registerTool("upstream_whoami", { description: "Calls the upstream userinfo with the stored upstream token; returns its sub." }, async (extra) => {
      const upstream = extra.authInfo?.extra?.["upstream"] as UpstreamTokens | undefined;
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

/**
 * One long-lived SDK transport in front of one MCP server, fed by the per-request transports: each
 * JSON-RPC request gets an id unique on this server (two clients may both send `id: 1`), and its
 * response goes back, with the client's own id, to the HTTP request it came on.
 */
export class RequestMultiplexer implements Transport {
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  readonly #pending = new Map<RequestId, { transport: Transport; id: RequestId }>();
  #next = 0;

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.#pending.clear();
    this.onclose?.();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const isResponse = "id" in message && ("result" in message || "error" in message);
    const key = isResponse ? message.id : options?.relatedRequestId;
    const route = key === undefined ? undefined : this.#pending.get(key);
    // Nothing to deliver to: a stateless server has no standalone stream for unrelated messages.
    if (route === undefined) return;
    if (isResponse) {
      this.#pending.delete(key!);
      await route.transport.send({ ...message, id: route.id } as JSONRPCMessage);
    } else {
      await route.transport.send(message, { relatedRequestId: route.id });
    }
  }

  /** Routes the messages of one HTTP request's transport to the shared server. */
  attach(transport: Transport): void {
    transport.onmessage = (message, extra) => {
      if ("method" in message && "id" in message) {
        const id = `${++this.#next}`;
        this.#pending.set(id, { transport, id: message.id });
        this.onmessage?.({ ...message, id }, extra);
      } else {
        this.onmessage?.(message, extra);
      }
    };
  }
}

/** What /mcp asks of a token: issued for a signed-in user, with the `mcp` scope. */
const MCP_ROUTE = { requiredScopes: ["mcp"], requireUser: true } as const;

/**
 * CORS for browser-based MCP clients: any origin (the bearer token, not a cookie, is the
 * credential), and the challenge's `WWW-Authenticate` readable. `Authorization` is named because
 * the `*` wildcard does not cover it.
 */
const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": "WWW-Authenticate",
} as const;
const PREFLIGHT_HEADERS = {
  ...CORS_HEADERS,
  "Access-Control-Allow-Methods": "POST, OPTIONS",
  "Access-Control-Allow-Headers": "Authorization, *",
  "Access-Control-Max-Age": "86400",
} as const;

function withCors(response: Response): Response {
  for (const [name, value] of Object.entries(CORS_HEADERS)) response.headers.set(name, value);
  return response;
}

export function createMcpHandler(oauth: AuthorizationServer, federated?: FederatedMcp) {
  const server = createMcpServer(federated);
  const multiplexer = new RequestMultiplexer();
  const connected = server.connect(multiplexer);

  return async function mcp(request: Request): Promise<Response> {
    if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: PREFLIGHT_HEADERS });
    // No standalone stream and no session to delete: 405, as 2026-07-28 asks of GET and DELETE
    // (and 2025-11-25 allows), so no long-lived stream pins a client to one instance.
    if (request.method !== "POST") {
      return new Response(null, { status: 405, headers: { ...CORS_HEADERS, Allow: "POST, OPTIONS" } });
    }
    // 401 with WWW-Authenticate: Bearer scope="mcp", resource_metadata="…" when the token is
    // missing or bad, or was issued to a client acting for itself (client_credentials): the tools
    // act for a user. 403 insufficient_scope when the token lacks the mcp scope.
    // Federated: the same validation, plus the upstream refresh (once) when the upstream token expires.
    const token = await (federated === undefined ? oauth.validateBearerToken(request, MCP_ROUTE) : federated.federation.validateBearerToken(request, MCP_ROUTE));
    if (token instanceof Response) return token;
    await connected;
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    multiplexer.attach(transport);
    // The token itself stays out of the tools' reach: they get who and what, not the credential.
    const authInfo: AuthInfo = {
      token: "",
      clientId: token.clientId,
      scopes: token.scope,
      expiresAt: token.expiresAt,
      extra: { subject: token.subject, ...(federated === undefined ? {} : { upstream: token.props?.["upstream"] }) },
    };
    return withCors(await transport.handleRequest(request, { authInfo }));
  };
}

/// <reference types="node" />
/**
 * The authorization server's endpoints on node:http without Web `Request`/`Response` objects.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { OAuthError } from "../errors.js";
import { assertFormContentType } from "../http/form.js";
import { authorizationServerMetadataUrl, openIdConfigurationUrls } from "../discovery/authorization-server.js";
import { protectedResourceMetadataUrl } from "../discovery/protected-resource.js";
import { createCors } from "../http/cors.js";
import { logUnexpectedError } from "../http/response.js";
import type { AuthorizationServer } from "../server.js";
import { readNodeBody } from "./body.js";
import { type EndpointRequest, type EndpointResult, errorResult } from "../endpoints/exchange.js";
import { toWebRequest, writeWebResponse } from "./web.js";

/** Options of {@link createNodeHandler}. */
export interface NodeHandlerOptions {
  /**
   * The public origin requests arrive on, as the Web path's `Request` URL would carry it (default:
   * the issuer's origin). With `routing: "issuer-origin"` an endpoint configured on another origin
   * is answered `421`, as on the Web path.
   */
  origin?: string;
}

/**
 * Serves one node:http request if it addresses one of the server's endpoints, and resolves `true`;
 * resolves `false`, without touching the request or its body, when it does not (the host serves
 * it). Never rejects for a bad request: every failure is written as the RFC-shaped answer.
 */
export type NodeRequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** How one route is served. */
type Route =
  | { kind: "endpoint"; endpoint: (input: EndpointRequest) => Promise<EndpointResult> }
  | { kind: "document"; body: string }
  | { kind: "web" };

const DOCUMENT_HEADERS = { "Content-Type": "application/json", "Cache-Control": "public, max-age=3600" } as const;

/**
 * Creates a node:http handler for the server's endpoints — token, revocation and introspection
 * (read from the `IncomingMessage` and written to the `ServerResponse` directly, no Web objects),
 * the metadata documents and CORS preflights — with the same answers as
 * {@link AuthorizationServer.handleRequest}: the same body cap and content-type rules, the same
 * RFC 6749 §5.2 errors. Registration (RFC 7591/7592), the OpenID Connect discovery copies, the root
 * protected-resource document and requests for an endpoint's path on another origin (`421`) go
 * through the Web path (`handleRequest`), built from the node request; so do every endpoint's
 * requests when the server has a `rateLimit` hook, which is given that `Request`.
 *
 * Express and Fastify hand their raw `req`/`res` to it; no body parser may read the body first.
 *
 * @param server - The authorization server (give it `hash: nodeHashToken` too).
 * @param options - The public origin, when it is not the issuer's.
 * @returns The handler.
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { createAuthorizationServer, createMemoryStorage } from "oauthkit";
 * import { createNodeHandler, nodeHashToken } from "oauthkit/node";
 *
 * const oauth = createAuthorizationServer({ issuer: "http://localhost:3000", storage: createMemoryStorage(), hash: nodeHashToken });
 * const handleOAuth = createNodeHandler(oauth);
 * createServer(async (req, res) => {
 *   if (await handleOAuth(req, res)) return;
 *   res.writeHead(404).end("Not found");
 * });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
export function createNodeHandler(server: AuthorizationServer, options: NodeHandlerOptions = {}): NodeRequestHandler {
  const { config } = server;
  const origin = options.origin ?? config.issuerUrl.origin;
  if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
    throw new TypeError(`createNodeHandler: origin must be an origin such as https://auth.example.com: ${origin}`);
  }
  const byPath = config.routing === "path";
  const routes = new Map<string, Route>();
  /** Paths of endpoints served on another origin than `origin`: answered 421 by the Web path. */
  const elsewhere = new Set<string>();
  let registrationKey: string | undefined;
  const add = (absolute: string, route: Route): string => {
    const url = new URL(absolute);
    const key = byPath ? url.pathname : url.origin + url.pathname;
    routes.set(key, route);
    if (!byPath && url.origin !== origin) elsewhere.add(url.pathname);
    return key;
  };
  add(authorizationServerMetadataUrl(config.issuer), { kind: "document", body: JSON.stringify(server.metadata) });
  for (const resource of config.resources ?? []) {
    add(protectedResourceMetadataUrl(resource), { kind: "document", body: JSON.stringify(server.protectedResourceMetadata(resource)) });
  }
  // The OpenID Connect discovery copies and the root protected-resource document (MCP 2026-07-28):
  // rare requests, answered by the Web path exactly as handleRequest answers them.
  if (config.openIdConfiguration) for (const url of openIdConfigurationUrls(config.issuer)) add(url, { kind: "web" });
  if (config.resources?.length === 1) {
    const root = `${new URL(config.resources[0]!).origin}/.well-known/oauth-protected-resource`;
    if (!routes.has(byPath ? new URL(root).pathname : root)) add(root, { kind: "web" });
  }
  // The host's rateLimit hook is given a Request (its headers, the peer it names): with a hook,
  // these endpoints go through the Web path too, so no endpoint escapes it.
  const core = (endpoint: (input: EndpointRequest) => Promise<EndpointResult>): Route =>
    config.rateLimit === undefined ? { kind: "endpoint", endpoint } : { kind: "web" };
  add(config.endpoints.token, core(server.processTokenRequest));
  if (config.endpoints.revocation !== undefined) add(config.endpoints.revocation, core(server.processRevocationRequest));
  if (config.endpoints.introspection !== undefined) add(config.endpoints.introspection, core(server.processIntrospectionRequest));
  if (config.endpoints.registration !== undefined) registrationKey = add(config.endpoints.registration, { kind: "web" });
  const registrationPath = config.endpoints.registration === undefined ? undefined : new URL(config.endpoints.registration).pathname;

  const routeOf = (path: string): Route | undefined => {
    const key = byPath ? path : origin + path;
    const route = routes.get(key);
    if (route !== undefined) return route;
    if (registrationKey !== undefined && key.startsWith(`${registrationKey}/`)) return { kind: "web" };
    // An endpoint's path on another origin: the Web path explains it with a 421.
    if (elsewhere.has(path) || (!byPath && registrationPath !== undefined && path.startsWith(`${registrationPath}/`) && elsewhere.size > 0)) {
      return { kind: "web" };
    }
    return undefined;
  };

  // The same CORS answers as the Web path (the `cors` option), as plain headers.
  const cors = createCors(config.cors, (error, request) => (config.onError ?? logUnexpectedError)(error, request));
  const corsHeaders = (req: IncomingMessage, answer: "preflight" | "response") =>
    cors.headers(req.headers.origin ?? null, answer, () => toWebRequest(req, origin));

  return async (req, res) => {
    const route = routeOf(requestPath(req, origin));
    if (route === undefined) return false;
    if (route.kind === "web") {
      const response = await server.handleRequest(toWebRequest(req, origin));
      // Only routes handleRequest serves get here, so it answers; null would be a bug of ours.
      await writeWebResponse(response ?? new Response("Not found", { status: 404 }), res);
      return true;
    }
    const method = req.method ?? "GET";
    if (method === "OPTIONS") {
      res.writeHead(204, corsHeaders(req, "preflight")).end();
      return true;
    }
    if (route.kind === "document") {
      write(res, { status: 200, headers: { ...DOCUMENT_HEADERS, ...corsHeaders(req, "response") }, body: route.body });
      return true;
    }
    const result = await serveEndpoint(route.endpoint, req, method, config.maxBodyBytes);
    write(res, { ...result, headers: { ...result.headers, ...corsHeaders(req, "response") } });
    return true;
  };
}

/**
 * Reads what the endpoint needs from the request and runs it, in the Web path's order: the method
 * (anything but `POST` is the endpoint's `405`, the body unread), the content type, then the body
 * under the cap.
 */
async function serveEndpoint(
  endpoint: (input: EndpointRequest) => Promise<EndpointResult>,
  req: IncomingMessage,
  method: string,
  maxBodyBytes: number,
): Promise<EndpointResult> {
  const { authorization, origin } = req.headers;
  const contentType = req.headers["content-type"];
  const input: EndpointRequest = { method, headers: { authorization, contentType, origin }, body: "" };
  if (method === "POST") {
    try {
      assertFormContentType(contentType ?? null);
      input.body = await readNodeBody(req, maxBodyBytes);
    } catch (error) {
      if (error instanceof OAuthError) return errorResult(error, undefined);
      throw error;
    }
  }
  return endpoint(input);
}

function write(res: ServerResponse, result: { status: number; headers: Readonly<Record<string, string>>; body: string }): void {
  // An explicit length: writeHead before end would otherwise send the body chunked.
  res.writeHead(result.status, { ...result.headers, "Content-Length": String(Buffer.byteLength(result.body)) });
  res.end(result.body);
}

/**
 * The request's path as the Web path's `new URL(origin + req.url)` gives it: without the query, and
 * with dot segments and percent-encoding normalised (only parsed when it has any).
 */
function requestPath(req: IncomingMessage, origin: string): string {
  const target = req.url ?? "/";
  if (!target.startsWith("/")) return "/";
  const query = target.indexOf("?");
  const path = query === -1 ? target : target.slice(0, query);
  return /[.%\\#\t\n\r]/.test(path) ? new URL(origin + path).pathname : path;
}

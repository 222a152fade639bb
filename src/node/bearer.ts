/// <reference types="node" />
/**
 * Bearer validation of a protected node:http route.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { BearerTokenInfo } from "../resource/bearer.js";
import type { AuthorizationServer, ProtectedRouteOptions } from "../server.js";

/**
 * Validates the bearer token of a protected node:http route (RFC 6750) from its `Authorization`
 * header — no Web `Request` — and, when it is refused, writes the challenge (`401` with
 * `WWW-Authenticate: Bearer … resource_metadata=…`, `400`, `403 insufficient_scope`, or `500` when
 * the store fails) to `res` and resolves `null`. One storage call, the same checks as
 * {@link AuthorizationServer.validateBearerToken}.
 *
 * @param server - The authorization server whose tokens the route accepts.
 * @param req - The request to the protected route.
 * @param res - Its response: written to only when the token is refused.
 * @param options - The route's resource, scopes and `requireUser`.
 * @returns The token's information, or `null` once the refusal is written.
 * @throws {TypeError} synchronously, when there is no resource to check the audience against.
 * @example
 * ```ts
 * import type { IncomingMessage, ServerResponse } from "node:http";
 * import type { AuthorizationServer } from "oauthkit";
 * import { authenticateNodeRequest } from "oauthkit/node";
 *
 * async function whoami(oauth: AuthorizationServer, req: IncomingMessage, res: ServerResponse) {
 *   const token = await authenticateNodeRequest(oauth, req, res, { requiredScopes: ["mcp"] });
 *   if (token === null) return; // the 401/403 is written
 *   res.end(token.subject);
 * }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export async function authenticateNodeRequest(
  server: AuthorizationServer,
  req: IncomingMessage,
  res: ServerResponse,
  options?: ProtectedRouteOptions,
): Promise<BearerTokenInfo | null> {
  const result = await server.validateBearerAuthorization(req.headers.authorization, options);
  if (!("status" in result)) return result;
  res.writeHead(result.status, { ...result.headers, "Content-Length": String(Buffer.byteLength(result.body)) });
  res.end(result.body);
  return null;
}

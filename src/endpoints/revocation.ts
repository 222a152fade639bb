/**
 * The revocation endpoint (RFC 7009): an HTTP-free core ({@link processRevocationRequest}) and its
 * Web adapter.
 *
 * @module
 */
import { authenticateClient } from "../clients/authenticate.js";
import type { ServerContext } from "../context.js";
import { OAuthError } from "../errors.js";
import { type RevocationStorage, revokeToken } from "../grants/revoke-token.js";
import {
  type EndpointContext,
  type EndpointRequest,
  type EndpointResult,
  type FormEndpoint,
  clientAuthenticationOptions,
  credentialHeaders,
  serveFormEndpoint,
} from "./exchange.js";
import { serveEndpoint } from "./web.js";

/**
 * Serves a revocation request without HTTP objects: the client authenticates as at the token
 * endpoint, then names a token (see `revokeToken`). The answer is `200` for unknown, already
 * revoked and other clients' tokens too (RFC 7009 §2.2), so it reveals nothing;
 * `token_type_hint` only decides which kind is looked up first (§2.1).
 *
 * @param input - the request, as an adapter read it.
 * @param ctx - the policy, the storage methods, the client lookup, a clock, a reporter.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2
 */
export function processRevocationRequest(input: EndpointRequest, ctx: EndpointContext<RevocationStorage>): Promise<EndpointResult> {
  return serveFormEndpoint(revocationEndpoint, input, ctx, undefined);
}

/** The revocation endpoint's work over its parameters. */
const revocationEndpoint: FormEndpoint<RevocationStorage> = {
  async serve(input, params, ctx) {
    const { client } = await authenticateClient(credentialHeaders(input), params, clientAuthenticationOptions(ctx));
    const token = params.get("token");
    if (token === undefined) throw new OAuthError("invalid_request", "The token parameter is required.");
    await revokeToken({ client, token, tokenTypeHint: params.get("token_type_hint") }, ctx);
    return { status: 200, headers: { "Cache-Control": "no-store" }, body: "" };
  },
};

/**
 * The revocation endpoint over Web `Request`/`Response`: a thin adapter over
 * {@link processRevocationRequest}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2
 */
export function handleRevocationRequest(ctx: ServerContext, request: Request): Promise<Response> {
  return serveEndpoint(ctx, request, "revocation", revocationEndpoint);
}

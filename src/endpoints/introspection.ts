/**
 * The introspection endpoint (RFC 7662): an HTTP-free core ({@link processIntrospectionRequest})
 * and its Web adapter.
 *
 * @module
 */
import { authenticateClient, parseBasicCredentials } from "../clients/authenticate.js";
import type { ServerContext } from "../context.js";
import { type TokenHasher, timingSafeEqualString, verifyTokenHash } from "../crypto.js";
import { OAuthError } from "../errors.js";
import type { TokenLookupStorage } from "../grants/find-token.js";
import { type IntrospectionCaller, introspectToken } from "../grants/introspect-token.js";
import { authenticateChallenge } from "../http/challenge.js";
import type { RequestParameters } from "../http/form.js";
import type { IntrospectionCredential } from "../policy.js";
import {
  type EndpointContext,
  type EndpointRequest,
  type EndpointResult,
  clientAuthenticationOptions,
  credentialHeaders,
  type FormEndpoint,
  jsonResult,
  serveFormEndpoint,
} from "./exchange.js";
import { serveEndpoint } from "./web.js";

/**
 * Serves an introspection request without HTTP objects. The caller authenticates — a confidential
 * registered client (which may introspect only its own tokens) or a configured resource-server
 * credential (which may introspect tokens for its resource, or any token if it has none);
 * otherwise `401`. An active token answers `active`, `scope`, `client_id`, `sub`, `aud`, `iss`,
 * `exp`, `iat`, `token_type` and the extension member `subject_type` (`"user"`, or `"client"` for
 * a client_credentials token, whose `sub` is the client); anything else — inactive, expired,
 * revoked, unknown, or not the caller's to see — answers only `{"active": false}` (RFC 7662 §2.2).
 *
 * @param input - the request, as an adapter read it.
 * @param ctx - the policy, the two lookups, the client lookup, a clock, a reporter.
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2
 */
export function processIntrospectionRequest(input: EndpointRequest, ctx: EndpointContext<TokenLookupStorage>): Promise<EndpointResult> {
  return serveFormEndpoint(introspectionEndpoint, input, ctx, undefined);
}

/** The introspection endpoint's work over its parameters. */
const introspectionEndpoint: FormEndpoint<TokenLookupStorage> = {
  async serve(input, params, ctx) {
    const caller = await authenticateCaller(ctx, input, params);
    const token = params.get("token");
    if (token === undefined) throw new OAuthError("invalid_request", "The token parameter is required.");
    const answer = await introspectToken(
      { caller, token, tokenTypeHint: params.get("token_type_hint") },
      { storage: ctx.storage, issuer: ctx.policy.issuer, now: ctx.now, hash: ctx.hash },
    );
    return jsonResult(answer);
  },
};

/**
 * The introspection endpoint over Web `Request`/`Response`: a thin adapter over
 * {@link processIntrospectionRequest}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2
 */
export function handleIntrospectionRequest(ctx: ServerContext, request: Request): Promise<Response> {
  return serveEndpoint(ctx, request, "introspection", introspectionEndpoint);
}

async function authenticateCaller(ctx: EndpointContext<unknown>, input: EndpointRequest, params: RequestParameters): Promise<IntrospectionCaller> {
  const credential = matchResourceServerCredential(ctx.policy.introspectionCredentials, input.headers.authorization, ctx.hash);
  if (credential !== undefined) return { kind: "resource-server", credential };
  const { client, method } = await authenticateClient(credentialHeaders(input), params, clientAuthenticationOptions(ctx));
  // A public client proves nothing by naming itself: introspection needs real authentication.
  if (method === "none") {
    throw new OAuthError("invalid_client", "Introspection requires client authentication.", {
      headers: { "WWW-Authenticate": authenticateChallenge("Basic", [["realm", ctx.policy.issuer], ["charset", "UTF-8"]]) },
    });
  }
  return { kind: "client", clientId: client.client_id };
}

/** A configured resource-server credential presented with HTTP Basic, if the secret is right. */
function matchResourceServerCredential(
  credentials: readonly IntrospectionCredential[],
  authorization: string | undefined,
  hash: TokenHasher | undefined,
): IntrospectionCredential | undefined {
  if (credentials.length === 0) return undefined;
  const basic = parseBasicCredentials(authorization ?? null);
  if (basic.kind !== "basic") return undefined;
  const { clientId: id, secret } = basic;
  const credential = credentials.find((candidate) => timingSafeEqualString(candidate.id, id));
  return credential !== undefined && verifyTokenHash(secret, credential.secretHash, { hash }) ? credential : undefined;
}

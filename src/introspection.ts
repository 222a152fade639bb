/**
 * Token introspection (RFC 7662).
 *
 * @module
 */
import { authenticateClient, parseBasicCredentials } from "./clients/authenticate.js";
import type { IntrospectionCredential } from "./config.js";
import type { ServerContext } from "./context.js";
import { hashToken, timingSafeEqualString, verifyTokenHash } from "./crypto.js";
import { OAuthError } from "./errors.js";
import { type RequestParameters, parseFormBody } from "./http/form.js";
import { jsonResponse, respondToErrors } from "./http/response.js";
import { formatScope } from "./scope.js";

/** Who is asking: a registered client (sees its own tokens) or a resource server (sees tokens for it). */
type Caller = { kind: "client"; clientId: string } | { kind: "resource-server"; credential: IntrospectionCredential };

/**
 * Handles an introspection request. The caller authenticates — a confidential registered client
 * (which may introspect only its own tokens) or a configured resource-server credential (which may
 * introspect tokens for its resource, or any token if it has none); otherwise `401`. An active
 * token answers `active`, `scope`, `client_id`, `sub`, `aud`, `iss`, `exp`, `iat`, `token_type`
 * and the extension member `subject_type` (`"user"`, or `"client"` for a client_credentials
 * token, whose `sub` is the client); anything else — inactive, expired, revoked, unknown, or not the caller's to see —
 * answers only `{"active": false}` (RFC 7662 §2.2).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2
 */
export function handleIntrospectionRequest(ctx: ServerContext, request: Request): Promise<Response> {
  return respondToErrors(request, ctx.config.onError, async () => {
    const params = await parseFormBody(request, { maxBodyBytes: ctx.config.maxBodyBytes });
    const caller = await authenticateCaller(ctx, request.headers, params);
    const token = params.get("token");
    if (token === undefined) throw new OAuthError("invalid_request", "The token parameter is required.");
    const tokenHash = hashToken(token);
    const { storage } = ctx.config;
    const now = ctx.config.now();
    const inactive = jsonResponse({ active: false });

    const lookups = [
      async () => {
        const record = await storage.getAccessToken(tokenHash);
        if (record === null || record.expiresAt <= now) return undefined;
        return { ...record, token_type: "Bearer" };
      },
      async () => {
        const grant = await storage.getGrantByRefreshToken(tokenHash);
        const state = grant?.refresh;
        // Only the grant's current refresh token is active; rotated-out ones are not.
        if (grant == null || state?.tokenHash !== tokenHash || state.expiresAt <= now || grant.expiresAt <= now) return undefined;
        return { ...grant, audience: grant.resource, expiresAt: state.expiresAt, token_type: "refresh_token" };
      },
    ];
    if (params.get("token_type_hint") === "refresh_token") lookups.reverse();
    let found: Awaited<ReturnType<(typeof lookups)[number]>>;
    for (const lookup of lookups) if ((found = await lookup()) !== undefined) break;
    if (found === undefined || !mayIntrospect(caller, found)) return inactive;

    return jsonResponse({
      active: true,
      scope: formatScope(found.scope),
      client_id: found.clientId,
      sub: found.subject,
      // Extension member (RFC 7662 §2.2 allows them): whether `sub` is a user or the client itself.
      subject_type: found.subjectType ?? "user",
      ...(found.audience.length > 0 ? { aud: found.audience.length === 1 ? found.audience[0] : found.audience } : {}),
      iss: ctx.config.issuer,
      exp: found.expiresAt,
      iat: found.issuedAt,
      token_type: found.token_type,
    });
  });
}

function mayIntrospect(caller: Caller, token: { clientId: string; audience: string[] }): boolean {
  if (caller.kind === "client") return token.clientId === caller.clientId;
  const { resource } = caller.credential;
  return resource === undefined || token.audience.includes(resource);
}

async function authenticateCaller(ctx: ServerContext, headers: Headers, params: RequestParameters): Promise<Caller> {
  const credential = matchResourceServerCredential(ctx.config.introspectionCredentials, headers);
  if (credential !== undefined) return { kind: "resource-server", credential };
  const { client, method } = await authenticateClient(headers, params, ctx.clientAuthentication);
  // A public client proves nothing by naming itself: introspection needs real authentication.
  if (method === "none") {
    throw new OAuthError("invalid_client", "Introspection requires client authentication.", {
      headers: { "WWW-Authenticate": `Basic realm="${ctx.config.issuer}", charset="UTF-8"` },
    });
  }
  return { kind: "client", clientId: client.client_id };
}

/** A configured resource-server credential presented with HTTP Basic, if the secret is right. */
function matchResourceServerCredential(
  credentials: readonly IntrospectionCredential[],
  headers: Headers,
): IntrospectionCredential | undefined {
  if (credentials.length === 0) return undefined;
  const basic = parseBasicCredentials(headers.get("authorization"));
  if (basic.kind !== "basic") return undefined;
  const { clientId: id, secret } = basic;
  const credential = credentials.find((candidate) => timingSafeEqualString(candidate.id, id));
  return credential !== undefined && verifyTokenHash(secret, credential.secretHash) ? credential : undefined;
}

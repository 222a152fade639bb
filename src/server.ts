/**
 * `createAuthorizationServer`: the pieces wired into one authorization server over one
 * configuration. Each piece stays usable alone; this file only connects them.
 *
 * @module
 */
import { type AuthorizationRequest, parseAuthorizationRequest } from "./authorize/request.js";
import {
  type AuthorizationApproval,
  type AuthorizationDenial,
  denyAuthorization,
  issueAuthorizationCode,
} from "./authorize/response.js";
import { createClientIdMetadataDocumentResolver, isUrlShapedClientId } from "./clients/metadata-document.js";
import { type AuthorizationServerConfig, type ResolvedConfig, resolveConfig } from "./config.js";
import type { ServerContext } from "./context.js";
import { handleIntrospectionRequest } from "./introspection.js";
import {
  type AuthorizationServerMetadata,
  authorizationServerMetadataUrl,
  buildAuthorizationServerMetadata,
} from "./metadata.js";
import { type BearerTokenInfo, type BearerValidationOptions, validateBearerTokenFor } from "./resource/bearer.js";
import {
  type ProtectedResourceMetadata,
  buildProtectedResourceMetadata,
  protectedResourceMetadataUrl,
} from "./resource/metadata.js";
import { errorResponse, logUnexpectedError, respondToErrors } from "./http/response.js";
import { OAuthError } from "./errors.js";
import { handleClientConfigurationRequest } from "./registration/management.js";
import { type RegisteredClient, handleRegistrationRequest, registerClient } from "./registration/register.js";
import { withUnusedClientExpiry } from "./registration/hygiene.js";
import { handleRevocationRequest } from "./revocation.js";
import { handleTokenRequest } from "./token/endpoint.js";
import {
  type ConsentQuery,
  type GrantSummary,
  type SubjectClientReference,
  type SubjectGrantReference,
  hasRememberedConsent,
  listSubjectGrants,
  revokeClientGrants,
  revokeSubjectGrant,
} from "./management/grants.js";

/** Options of {@link AuthorizationServer.validateBearerToken}. */
export interface ProtectedRouteOptions {
  /**
   * The resource this route belongs to, whose identifier the token's audience must include
   * (default: the first configured resource; with no `resources` configured it is required).
   */
  resource?: string;
  /** Scopes the route needs (403 `insufficient_scope` otherwise). */
  requiredScopes?: readonly string[];
  /** Refuse client_credentials tokens with `401 invalid_token` (see {@link BearerValidationOptions}). */
  requireUser?: boolean;
}

/** An authorization server: handlers over Web `Request`/`Response`, sharing one configuration. */
export interface AuthorizationServer {
  /** The configuration with defaults applied. */
  readonly config: ResolvedConfig;
  /** The RFC 8414 metadata document. */
  readonly metadata: AuthorizationServerMetadata;
  /**
   * Routes a request to the endpoint it addresses — metadata documents, token, revocation,
   * introspection (and CORS preflights for them) — or returns `null` when it is not one of
   * those, so the host serves it (the authorization endpoint is the host's: it renders sign-in and
   * consent, using {@link parseAuthorizationRequest} and {@link issueAuthorizationCode}).
   * Requests are matched by origin and path (see `routing` in the configuration); one for an
   * endpoint's path on another origin is answered `421 Misdirected Request` with an
   * `invalid_request` body saying which origin serves it, and reported once per origin to
   * `onError` (or the log).
   *
   * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.5.20
   */
  handleRequest(request: Request): Promise<Response | null>;
  /** The token endpoint (RFC 6749 §3.2). */
  handleTokenRequest(request: Request): Promise<Response>;
  /** The revocation endpoint (RFC 7009). */
  handleRevocationRequest(request: Request): Promise<Response>;
  /** The introspection endpoint (RFC 7662). */
  handleIntrospectionRequest(request: Request): Promise<Response>;
  /**
   * The registration endpoint (RFC 7591) and, for `<registration endpoint>/<client_id>`, the client
   * configuration endpoint (RFC 7592). `404` when registration is off.
   */
  handleRegistrationRequest(request: Request): Promise<Response>;
  /**
   * Registers a client from metadata without the HTTP layer, e.g. from an admin tool (RFC 7591 §3).
   * `request` is handed to the registration policy. Throws `OAuthError` on invalid metadata.
   */
  registerClient(metadata: unknown, request: Request): Promise<RegisteredClient>;
  /** Validates an authorization request (RFC 6749 §4.1.1); see `parseAuthorizationRequest`. */
  parseAuthorizationRequest(request: Request): Promise<AuthorizationRequest | Response>;
  /** Issues the code after the host's consent and returns the redirect (RFC 6749 §4.1.2). */
  issueAuthorizationCode(request: AuthorizationRequest, approval: AuthorizationApproval): Promise<Response>;
  /** Redirects with an error, e.g. `access_denied` (RFC 6749 §4.1.2.1). */
  denyAuthorization(request: AuthorizationRequest, denial?: AuthorizationDenial): Response;
  /**
   * Validates the bearer token of a protected route (RFC 6750), one storage call. The audience is
   * always checked, against `options.resource` or else the first configured resource; throws a
   * `TypeError` naming `resources` when there is neither.
   */
  validateBearerToken(request: Request, options?: ProtectedRouteOptions): Promise<BearerTokenInfo | Response>;
  /** The RFC 9728 metadata of one of the configured resources. */
  protectedResourceMetadata(resource: string): ProtectedResourceMetadata;
  /**
   * The live grants a user has given ("connected apps"), newest first, with client names; see
   * `docs/grants.md`. Throws `TypeError` for an empty subject.
   */
  listGrants(subject: string): Promise<GrantSummary[]>;
  /**
   * Revokes one of a user's grants and its tokens, if it is theirs (`false` otherwise, as for an
   * unknown id); see `docs/grants.md`.
   */
  revokeGrant(reference: SubjectGrantReference): Promise<boolean>;
  /**
   * Revokes every grant a user gave one client, and its pending codes, atomically ("disconnect");
   * returns how many grants were live.
   */
  revokeClientGrants(reference: SubjectClientReference): Promise<number>;
  /**
   * Whether a live grant of the user already covers this client, scope and resources, so the
   * consent page may be skipped (RFC 6749 §10.2: see `docs/grants.md` for when not to).
   */
  hasRememberedConsent(query: ConsentQuery): Promise<boolean>;
}

/** How many distinct misdirected origins are reported (each once) before reporting stops. */
const MAX_REPORTED_ORIGINS = 32;

/** CORS for the endpoints browser-based clients call directly (metadata, token, revocation…). */
const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
  "Access-Control-Allow-Headers": "Authorization, Content-Type, MCP-Protocol-Version",
  "Access-Control-Max-Age": "86400",
} as const;

function withCors(response: Response): Response {
  for (const [name, value] of Object.entries(CORS_HEADERS)) response.headers.set(name, value);
  return response;
}

/**
 * Creates an authorization server.
 *
 * @throws {TypeError} on a configuration mistake.
 * @example
 * ```ts
 * const server = createAuthorizationServer({
 *   issuer: "https://auth.example.com",
 *   storage: createMemoryStorage(),
 *   scopesSupported: ["mcp"],
 *   resources: ["https://api.example.com/mcp"],
 * });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749
 */
export function createAuthorizationServer(options: AuthorizationServerConfig): AuthorizationServer {
  const config = resolveConfig(options);
  // Clients come from the store, or, for URL-shaped ids when enabled, from their metadata documents.
  const resolveDocument =
    config.clientIdMetadataDocuments === undefined ? undefined : createClientIdMetadataDocumentResolver(config, config.clientIdMetadataDocuments);
  const lookupClient = (clientId: string) =>
    resolveDocument !== undefined && isUrlShapedClientId(clientId) ? resolveDocument(clientId) : config.storage.getClient(clientId);
  const unusedClientLifetime = config.registration?.unusedClientLifetime ?? 0;
  const ctx: ServerContext = {
    config,
    // Registration hygiene: unused dynamically registered clients expire (docs/registration.md).
    getClient:
      unusedClientLifetime > 0 ? withUnusedClientExpiry(lookupClient, { storage: config.storage, lifetime: unusedClientLifetime, now: config.now }) : lookupClient,
  };
  const metadata = buildAuthorizationServerMetadata(config);

  const resourceMetadata = new Map<string, ProtectedResourceMetadata>();
  for (const resource of config.resources ?? []) {
    resourceMetadata.set(
      resource,
      buildProtectedResourceMetadata({
        resource,
        authorizationServers: [config.issuer],
        ...(config.scopesSupported === undefined ? {} : { scopesSupported: config.scopesSupported }),
      }),
    );
  }

  // The routes, keyed by absolute URL without query (or by path alone with `routing: "path"`);
  // computed once, not per request.
  const byPath = config.routing === "path";
  const keyOf = (url: URL): string => (byPath ? url.pathname : url.origin + url.pathname);
  const routeKey = (absolute: string): string => keyOf(new URL(absolute));
  const routeMap = new Map<string, (request: Request) => Promise<Response>>();
  // Path → the origin it is served on, to explain requests that reach an endpoint path on another
  // origin (a proxy that rewrites Host, a second domain) instead of answering them with silence.
  const originByPath = new Map<string, string>();
  const routes = {
    set(absolute: string, handler: (request: Request) => Promise<Response>) {
      const url = new URL(absolute);
      routeMap.set(keyOf(url), handler);
      originByPath.set(url.pathname, url.origin);
    },
  };
  const metadataJson = JSON.stringify(metadata);
  const document = (json: string) => async () =>
    new Response(json, { headers: { "Content-Type": "application/json", "Cache-Control": "public, max-age=3600" } });
  routes.set(authorizationServerMetadataUrl(config.issuer), document(metadataJson));
  for (const [resource, body] of resourceMetadata) routes.set(protectedResourceMetadataUrl(resource), document(JSON.stringify(body)));
  routes.set(config.endpoints.token, (request) => handleTokenRequest(ctx, request));
  if (config.endpoints.revocation !== undefined) routes.set(config.endpoints.revocation, (request) => handleRevocationRequest(ctx, request));
  if (config.endpoints.introspection !== undefined) {
    routes.set(config.endpoints.introspection, (request) => handleIntrospectionRequest(ctx, request));
  }

  // Bearer validation runs on every protected request: its options (and the metadata URL, which
  // takes a URL parse) are built once per resource.
  // The route's own requirements (scopes, requireUser) travel beside them, so they need no key.
  const bearerOptionsByResource = new Map<string, BearerValidationOptions>();
  const bearerOptions = (resource: string): BearerValidationOptions => {
    let options = bearerOptionsByResource.get(resource);
    if (options === undefined) {
      options = {
        storage: config.storage,
        now: config.now,
        onError: config.onError,
        resource,
        resourceMetadataUrl: protectedResourceMetadataUrl(resource),
      };
      // Only the configured resources are cached, so the map stays as small as the configuration.
      if (config.resources?.includes(resource)) bearerOptionsByResource.set(resource, options);
    }
    return options;
  };
  const defaultResource = config.resources?.[0];

  const registrationEndpoint = config.endpoints.registration === undefined ? undefined : routeKey(config.endpoints.registration);
  const registrationPath = config.endpoints.registration === undefined ? undefined : new URL(config.endpoints.registration).pathname;
  const handleRegistration = async (request: Request): Promise<Response> => {
    const path = keyOf(new URL(request.url));
    if (registrationEndpoint === undefined) return new Response("Not found", { status: 404 });
    if (path === registrationEndpoint) return handleRegistrationRequest(ctx, request);
    if (path.startsWith(`${registrationEndpoint}/`)) {
      const clientId = safeDecode(path.slice(registrationEndpoint.length + 1));
      if (clientId !== undefined && clientId !== "") return handleClientConfigurationRequest(ctx, request, clientId);
    }
    return new Response("Not found", { status: 404 });
  };
  if (config.endpoints.registration !== undefined) routes.set(config.endpoints.registration, handleRegistration);

  // Each misdirected origin is reported once; the set is bounded so that a client cycling Host
  // headers cannot grow it (past the bound, the 421 answers still explain, unreported).
  const reportedOrigins = new Set<string>();
  const misdirected = (request: Request, url: URL, expectedOrigin: string): Response => {
    const description =
      `This endpoint is served on ${expectedOrigin} (the configured issuer is ${config.issuer}), ` +
      `but the request was addressed to ${url.origin}. Behind a proxy, build the Request from the public ` +
      `origin, or set routing: "path" to route by path whatever the Host.`;
    if (!reportedOrigins.has(url.origin) && reportedOrigins.size < MAX_REPORTED_ORIGINS) {
      reportedOrigins.add(url.origin);
      try {
        (config.onError ?? logUnexpectedError)(new Error(`oauthkit: misdirected request: ${description}`), request);
      } catch {
        // A failing reporter must not turn the explanation into a crash.
      }
    }
    return errorResponse(new OAuthError("invalid_request", description, { status: 421 }));
  };

  const grantManagement = { storage: config.storage, getClient: ctx.getClient };

  const server: AuthorizationServer = {
    config,
    metadata,
    listGrants: (subject) => listSubjectGrants(grantManagement, subject),
    revokeGrant: (reference) => revokeSubjectGrant(grantManagement, reference),
    revokeClientGrants: (reference) => revokeClientGrants(grantManagement, reference),
    hasRememberedConsent: (query) => hasRememberedConsent(grantManagement, query),
    async handleRequest(request) {
      const url = new URL(request.url);
      const path = keyOf(url);
      const route =
        routeMap.get(path) ??
        (registrationEndpoint !== undefined && path.startsWith(`${registrationEndpoint}/`) ? handleRegistration : undefined);
      if (route === undefined) {
        if (byPath) return null;
        // An endpoint's path on another origin: answered with why (RFC 9110 §15.5.20), not null.
        const expectedOrigin =
          originByPath.get(url.pathname) ??
          (registrationPath !== undefined && url.pathname.startsWith(`${registrationPath}/`) ? config.issuerUrl.origin : undefined);
        return expectedOrigin === undefined ? null : withCors(misdirected(request, url, expectedOrigin));
      }
      if (request.method === "OPTIONS") return withCors(new Response(null, { status: 204 }));
      return withCors(await route(request));
    },
    handleTokenRequest: (request) => handleTokenRequest(ctx, request),
    handleRevocationRequest: (request) => handleRevocationRequest(ctx, request),
    handleIntrospectionRequest: (request) => handleIntrospectionRequest(ctx, request),
    handleRegistrationRequest: handleRegistration,
    registerClient: (metadata, request) => registerClient(ctx, metadata, request),
    // Unexpected failures (a store that is down) become 500 server_error here too, never a throw.
    parseAuthorizationRequest: (request) => respondToErrors(request, config.onError, () => parseAuthorizationRequest(ctx, request)),
    issueAuthorizationCode: (request, approval) => issueAuthorizationCode(ctx, request, approval),
    denyAuthorization: (request, denial) => denyAuthorization(ctx, request, denial),
    validateBearerToken(request, routeOptions = {}) {
      // On every protected request: cached options, nothing built per request.
      const resource = routeOptions.resource ?? defaultResource;
      if (resource === undefined || resource === "") {
        // A programmer error, thrown rather than answered: skipping the audience check would let
        // a token minted for any other resource in.
        throw new TypeError("validateBearerToken needs a resource: configure resources, or pass { resource } for the route.");
      }
      return validateBearerTokenFor(request, bearerOptions(resource), routeOptions.requiredScopes, routeOptions.requireUser);
    },
    protectedResourceMetadata(resource) {
      const found = resourceMetadata.get(resource);
      if (found === undefined) throw new TypeError(`Not a configured resource: ${resource}`);
      return found;
    },
  };
  return server;
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

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
import { createClientIdMetadataDocumentResolver, isUrlShapedClientId } from "./clients/client-id-metadata-document.js";
import { type AuthorizationServerConfig, type ResolvedConfig, resolveConfig } from "./config.js";
import type { ServerContext } from "./context.js";
import type { EndpointContext, EndpointRequest, EndpointResult } from "./endpoints/exchange.js";
import { handleIntrospectionRequest, processIntrospectionRequest } from "./endpoints/introspection.js";
import {
  type AuthorizationServerMetadata,
  authorizationServerMetadataUrl,
  buildAuthorizationServerMetadata,
  openIdConfigurationUrls,
} from "./discovery/authorization-server.js";
import {
  type BearerChallenge,
  type BearerTokenInfo,
  type BearerValidationOptions,
  checkBearerAuthorization,
  validateBearerTokenFor,
} from "./resource/bearer.js";
import {
  type ProtectedResourceMetadata,
  buildProtectedResourceMetadata,
  protectedResourceMetadataUrl,
} from "./discovery/protected-resource.js";
import { createCors } from "./http/cors.js";
import { errorResponse, logUnexpectedError, respondToErrors } from "./http/response.js";
import { OAuthError } from "./errors.js";
import { handleClientConfigurationRequest } from "./registration/management.js";
import { type RegisteredClient, handleRegistrationRequest, registerClient } from "./registration/register.js";
import { handleRevocationRequest, processRevocationRequest } from "./endpoints/revocation.js";
import { handleTokenRequest, processTokenRequest } from "./endpoints/token.js";
import { emitterFor } from "./endpoints/web.js";
import { rateLimitRefusal } from "./rate-limit.js";
import type { ClientRecord } from "./storage/types.js";
import { withUnusedClientExpiry } from "./registration/hygiene.js";
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
  /**
   * The token endpoint without Web objects, for adapters that read requests themselves
   * (node:http, Express, Fastify): a plain request in, a plain result out. Same behaviour as
   * {@link AuthorizationServer.handleTokenRequest}; unexpected failures are reported to `onError`
   * with a stand-in `POST` request to the endpoint's URL.
   *
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
   */
  processTokenRequest(input: EndpointRequest): Promise<EndpointResult>;
  /** The revocation endpoint without Web objects (see {@link AuthorizationServer.processTokenRequest}; RFC 7009). */
  processRevocationRequest(input: EndpointRequest): Promise<EndpointResult>;
  /** The introspection endpoint without Web objects (see {@link AuthorizationServer.processTokenRequest}; RFC 7662). */
  processIntrospectionRequest(input: EndpointRequest): Promise<EndpointResult>;
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
  /**
   * {@link AuthorizationServer.validateBearerToken} on the `Authorization` header's value alone (no
   * `Request`): refusals come back as a plain {@link BearerChallenge} (`"status" in result`) for any
   * HTTP layer to write. Same checks, one storage call.
   *
   * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
   */
  validateBearerAuthorization(authorization: string | null | undefined, options?: ProtectedRouteOptions): Promise<BearerTokenInfo | BearerChallenge>;
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

/**
 * Creates an authorization server.
 *
 * The store needs the client registration methods (`createClient`, `updateClient`,
 * `extendClientExpiry`, `deleteClient`, `countClients`) only when registration is on (`endpoints.registration`); a
 * missing one is then a startup `TypeError` naming it.
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
  let resolveDocument: ((clientId: string) => Promise<ClientRecord>) | undefined;
  const lookupClient = (clientId: string): Promise<ClientRecord | null> =>
    resolveDocument !== undefined && isUrlShapedClientId(clientId) ? resolveDocument(clientId) : config.storage.getClient(clientId);
  const unusedClientLifetime = config.registration?.unusedClientLifetime ?? 0;
  const ctx: ServerContext = {
    config,
    // Registration hygiene: unused dynamically registered clients expire (docs/registration.md).
    getClient:
      unusedClientLifetime > 0 ? withUnusedClientExpiry(lookupClient, { storage: config.storage, lifetime: unusedClientLifetime, now: config.now }) : lookupClient,
  };
  if (config.clientIdMetadataDocuments !== undefined) {
    // Documents are fetched for authorization and token requests alike; a failing listener is
    // reported against the authorization endpoint.
    const emit = emitterFor(ctx, config.endpoints.authorization);
    resolveDocument = createClientIdMetadataDocumentResolver(config, config.clientIdMetadataDocuments, { emit });
  }
  const metadata = buildAuthorizationServerMetadata(config);
  // The context of the plain-object endpoint cores: one per endpoint, built once. Their failures
  // reach onError with a stand-in request (built only then) naming the endpoint.
  const coreContext = (url: string | undefined): EndpointContext<ResolvedConfig["storage"]> => ({
    policy: config,
    storage: config.storage,
    getClient: ctx.getClient,
    now: config.now,
    hash: config.hash,
    report: (error) => (config.onError ?? logUnexpectedError)(error, new Request(url ?? config.endpoints.token, { method: "POST" })),
    emit: emitterFor(ctx, url ?? config.endpoints.token),
  });
  const tokenCore = coreContext(config.endpoints.token);
  const revocationCore = coreContext(config.endpoints.revocation);
  const introspectionCore = coreContext(config.endpoints.introspection);

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
  if (config.openIdConfiguration) for (const url of openIdConfigurationUrls(config.issuer)) routes.set(url, document(metadataJson));
  for (const [resource, body] of resourceMetadata) routes.set(protectedResourceMetadataUrl(resource), document(JSON.stringify(body)));
  // With one resource, its metadata also answers at the root of its origin, where MCP clients look
  // when a 401 named none (MCP 2026-07-28, authorization server discovery). With several, the
  // root would have to pick one, so it stays unanswered.
  const [onlyResource, ...otherResources] = resourceMetadata;
  if (onlyResource !== undefined && otherResources.length === 0) {
    const root = `${new URL(onlyResource[0]).origin}/.well-known/oauth-protected-resource`;
    if (!routeMap.has(routeKey(root))) routes.set(root, document(JSON.stringify(onlyResource[1])));
  }
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
        hash: config.hash,
        onError: config.onError,
        ...(config.props === undefined ? {} : { props: config.props }),
        resource,
        resourceMetadataUrl: protectedResourceMetadataUrl(resource),
      };
      // Only the configured resources are cached, so the map stays as small as the configuration.
      if (config.resources?.includes(resource)) bearerOptionsByResource.set(resource, options);
    }
    return options;
  };
  const defaultResource = config.resources?.[0];
  const routeResource = (routeOptions: ProtectedRouteOptions, method: string): string => {
    const resource = routeOptions.resource ?? defaultResource;
    if (resource === undefined || resource === "") {
      // A programmer error, thrown rather than answered: skipping the audience check would let
      // a token minted for any other resource in.
      throw new TypeError(`${method} needs a resource: configure resources, or pass { resource } for the route.`);
    }
    return resource;
  };

  const registrationEndpoint = config.endpoints.registration === undefined ? undefined : routeKey(config.endpoints.registration);
  const registrationPath = config.endpoints.registration === undefined ? undefined : new URL(config.endpoints.registration).pathname;
  // The host's rate limit, before any work: its refusal is the endpoint's JSON error, 429.
  const rateLimited = (request: Request, endpoint: "registration" | "authorization", clientId: string | undefined) =>
    config.rateLimit === undefined
      ? Promise.resolve(undefined)
      : respondToErrors(request, config.onError, async () => {
          const refusal = await rateLimitRefusal(config.rateLimit, { endpoint, clientId, request });
          return refusal === undefined ? undefined : errorResponse(refusal);
        });
  const handleRegistration = async (request: Request): Promise<Response> => {
    const path = keyOf(new URL(request.url));
    if (registrationEndpoint === undefined) return new Response("Not found", { status: 404 });
    if (path === registrationEndpoint) return (await rateLimited(request, "registration", undefined)) ?? handleRegistrationRequest(ctx, request);
    if (path.startsWith(`${registrationEndpoint}/`)) {
      const clientId = safeDecode(path.slice(registrationEndpoint.length + 1));
      if (clientId !== undefined && clientId !== "") {
        return (await rateLimited(request, "registration", clientId)) ?? handleClientConfigurationRequest(ctx, request, clientId);
      }
    }
    return new Response("Not found", { status: 404 });
  };
  if (config.endpoints.registration !== undefined) routes.set(config.endpoints.registration, handleRegistration);

  // CORS for every route handleRequest serves (browser-based clients call them directly).
  const cors = createCors(config.cors, (error, request) => (config.onError ?? logUnexpectedError)(error, request));

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
        return expectedOrigin === undefined ? null : cors.apply(request, misdirected(request, url, expectedOrigin));
      }
      if (request.method === "OPTIONS") return cors.preflight(request);
      return cors.apply(request, await route(request));
    },
    handleTokenRequest: (request) => handleTokenRequest(ctx, request),
    processTokenRequest: (input) => processTokenRequest(input, tokenCore),
    processRevocationRequest: (input) => processRevocationRequest(input, revocationCore),
    processIntrospectionRequest: (input) => processIntrospectionRequest(input, introspectionCore),
    handleRevocationRequest: (request) => handleRevocationRequest(ctx, request),
    handleIntrospectionRequest: (request) => handleIntrospectionRequest(ctx, request),
    handleRegistrationRequest: handleRegistration,
    registerClient: (metadata, request) => registerClient(ctx, metadata, request),
    // Unexpected failures (a store that is down) become 500 server_error here too, never a throw.
    parseAuthorizationRequest: async (request) =>
      (await rateLimited(request, "authorization", new URL(request.url).searchParams.get("client_id") ?? undefined)) ??
      respondToErrors(request, config.onError, () => parseAuthorizationRequest(ctx, request)),
    issueAuthorizationCode: (request, approval) => issueAuthorizationCode(ctx, request, approval),
    denyAuthorization: (request, denial) => denyAuthorization(ctx, request, denial),
    validateBearerToken(request, routeOptions = {}) {
      // On every protected request: cached options, nothing built per request.
      const options = bearerOptions(routeResource(routeOptions, "validateBearerToken"));
      return validateBearerTokenFor(request, options, routeOptions.requiredScopes, routeOptions.requireUser);
    },
    validateBearerAuthorization(authorization, routeOptions = {}) {
      const options = bearerOptions(routeResource(routeOptions, "validateBearerAuthorization"));
      return checkBearerAuthorization(authorization, options, routeOptions.requiredScopes, routeOptions.requireUser, () => new Request(options.resource));
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
